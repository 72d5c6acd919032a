"""Reads of the shared model. Views call these, never the ORM directly for another person's data."""

from django.core.cache import cache
from django.db.models import Q

from macnss.core.caching import drop_now_and_after_commit
from macnss.core.validators import normalize_identity_number

from .models import IdentityDocumentType, InsuredPerson

# The person behind a private page, with his RIB and category, cached per person and dropped whenever
# the person or his RIB is saved or deleted (accounts.signals; QuerySet.update() callers call
# forget_person_pages). The secrets stay out of the cache: deferred, a page that shows one reads it.
PERSON_CACHE_SECONDS = 120
NOT_CACHED = ("id_document_number", "phone", "bank_details__rib")


def _person_cache_key(person_id) -> str:
    return f"accounts:person-pages:{person_id}"


def insured_for_user(user) -> InsuredPerson | None:
    """The logged-in person's record, with his RIB and category (request.user is Django's, from ModelBackend)."""
    if not user.is_authenticated or not user.insured_id:
        return None
    person = getattr(user, "person_for_pages", None)  # once per request
    if person is None:
        key = _person_cache_key(user.insured_id)
        person = cache.get(key)
        if person is None:
            person = (
                InsuredPerson.objects.select_related("bank_details", "tns_subcategory__category")
                .defer(*NOT_CACHED)
                .filter(pk=user.insured_id)
                .first()
            )
            if person is None:
                return None
            cache.set(key, person, PERSON_CACHE_SECONDS)
        user.person_for_pages = person
    return person


def forget_person_pages(*person_ids) -> None:
    drop_now_and_after_commit([_person_cache_key(pk) for pk in person_ids if pk is not None])


def find_insured_by_identity(
    *, document_type: str, document_number: str, birth_date, expiry=None
) -> InsuredPerson | None:
    """All given facts must match; the caller must answer the same way whether or not this finds someone."""
    filters = Q(
        id_document_type=document_type,
        id_document_number=normalize_identity_number(document_number),
        birth_date=birth_date,
    )
    if expiry is not None:
        filters &= Q(id_document_expiry=expiry)
    return InsuredPerson.objects.select_related("account").filter(filters).first()


def find_insured_by_number(number: str) -> InsuredPerson | None:
    return InsuredPerson.objects.select_related("account").filter(immatriculation_number=number).first()


def needs_bank_details(person: InsuredPerson | None) -> bool:
    """Seed 000: a TNS who pays his contributions directly must give a RIB before anything else."""
    if person is None or not (person.is_tns and person.pays_contributions_directly):
        return False
    return not hasattr(person, "bank_details")


def recent_sign_ins(user, limit: int = 10) -> list:
    """«Mes connexions»: the last sign-ins, newest first."""
    from .models import SignIn

    return list(SignIn.objects.filter(user=user).order_by("-created_at")[:limit])


def active_sign_ins(user) -> list:
    """The sign-ins whose session is still open (in the session store and within its lifetimes)."""
    from django.conf import settings
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from .models import SignIn

    now = timezone.now()
    open_keys = Session.objects.filter(expire_date__gt=now).values("session_key")
    return list(
        SignIn.objects.filter(
            user=user,
            ended_at__isnull=True,
            created_at__gt=now - settings.SESSION_ABSOLUTE_AGE,
            session_key__in=open_keys,
        ).order_by("-created_at")
    )


def rib_pending_verification(person: InsuredPerson | None) -> bool:
    """«RIB en cours de vérification»: no direct debit until an agent confirms it (issue 16 §2)."""
    bank_details = getattr(person, "bank_details", None) if person is not None else None
    return bank_details is not None and bank_details.is_pending_verification


def find_insured_for_signup(*, identifier: str, expiry, birth_date) -> InsuredPerson | None:
    """The one record whose number (9 digits) or CNIE number is `identifier`, with this ID expiry and birth
    date. A document number held by more than one record signs nobody in. The caller answers the same
    way whether or not this finds someone."""
    people = InsuredPerson.objects.select_related("account")
    if identifier.isdigit():
        candidates = list(people.filter(immatriculation_number=identifier))
    else:
        # Across document types: a passport or residence card with the same number makes it ambiguous.
        candidates = list(people.filter(id_document_number=normalize_identity_number(identifier))[:2])
    if len(candidates) != 1:
        return None
    person = candidates[0]
    if not identifier.isdigit() and person.id_document_type != IdentityDocumentType.CNIE:
        return None  # holders of a residence card or a passport sign up with their number
    if person.id_document_expiry != expiry or person.birth_date != birth_date:
        return None
    return person
