"""Writing private files so that an outage of the storage (the local disk or the S3 bucket) loses nothing and
leaves nothing half-stored: the service writes its files, and if anything fails before its transaction
commits, the files it wrote are removed and a storage error reaches the view as StorageUnavailable, which
the view shows next to the form (the person's answers are kept)."""

import contextlib
import logging

from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)


def _storage_errors() -> tuple[type[BaseException], ...]:
    errors: list[type[BaseException]] = [OSError]
    try:  # the S3 backend's client (django-storages), when it is installed
        from botocore.exceptions import BotoCoreError, ClientError

        errors += [BotoCoreError, ClientError]
    except ImportError:  # pragma: no cover - boto3 is in requirements.txt
        pass
    return tuple(errors)


STORAGE_ERRORS = _storage_errors()

UNAVAILABLE_MESSAGE = _(
    "Le stockage des documents est momentanément indisponible : rien n'a été enregistré. "
    "Réessayez dans quelques minutes."
)


class StorageUnavailable(Exception):
    """The storage did not take a file; nothing of the request was kept."""

    message = UNAVAILABLE_MESSAGE


def remove_quietly(files: list) -> None:
    """Delete (storage, name) pairs written for a transaction that failed; a storage still down keeps them
    (they have no row: nothing links to them)."""
    for storage, name in files:
        with contextlib.suppress(*STORAGE_ERRORS):
            storage.delete(name)


@contextlib.contextmanager
def all_or_nothing(files: list):
    """Around the writes of one service call: on any error the files written are removed, and a storage
    error becomes StorageUnavailable."""
    try:
        yield files
    except STORAGE_ERRORS as exc:
        logger.warning("File storage unavailable: %s", exc)
        remove_quietly(files)
        raise StorageUnavailable from exc
    except BaseException:
        remove_quietly(files)
        raise
