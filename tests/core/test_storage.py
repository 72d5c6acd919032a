"""Private files go through Django's storage API: the local disk, or an S3 bucket shared by every node
(issue 20 §1). `make test-files` runs the file-touching suites against a real S3 server (SeaweedFS)."""

import urllib.error
import urllib.request

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages

from taawidaty.models import ClaimDocument

on_s3 = pytest.mark.skipif(
    not settings.STORAGE_S3_ENDPOINT_URL, reason="needs an S3 server: make test-files (CI starts SeaweedFS)"
)


def test_every_private_file_field_uses_the_configured_storages():
    storage = ClaimDocument._meta.get_field("file").storage
    expected = "S3Storage" if settings.STORAGE_S3_ENDPOINT_URL else "FileSystemStorage"
    assert type(storage).__name__ == type(storages["private"]).__name__ == expected
    # "private" rebuilds a file in place (receipts); "default" never overwrites.
    first = storage.save("tests/same-name.txt", ContentFile(b"v1"))
    second = storage.save("tests/same-name.txt", ContentFile(b"v2"))
    try:
        assert first == second
        other = default_storage.save("tests/same-name.txt", ContentFile(b"v3"))
        assert other != first
        default_storage.delete(other)
    finally:
        storage.delete(second)


@on_s3
def test_files_land_in_the_private_bucket_and_no_anonymous_url_serves_them():
    import boto3

    name = default_storage.save("tests/private-check.txt", ContentFile(b"donnee personnelle"))
    try:
        s3 = boto3.client(
            "s3",
            endpoint_url=settings.STORAGE_S3_ENDPOINT_URL,
            aws_access_key_id=settings.STORAGES["default"]["OPTIONS"]["access_key"],
            aws_secret_access_key=settings.STORAGES["default"]["OPTIONS"]["secret_key"],
            region_name="us-east-1",
        )
        bucket = settings.STORAGES["default"]["OPTIONS"]["bucket_name"]
        assert s3.get_object(Bucket=bucket, Key=name)["Body"].read() == b"donnee personnelle"
        anonymous = f"{settings.STORAGE_S3_ENDPOINT_URL}/{bucket}/{name}"
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(anonymous, timeout=5)  # noqa: S310 - loopback test server
        assert refused.value.code in (401, 403)
    finally:
        default_storage.delete(name)
    assert not default_storage.exists(name)


@on_s3
def test_the_private_storage_rebuilds_a_file_in_place():
    private = storages["private"]
    first = private.save("tests/receipt-in-place.pdf", ContentFile(b"v1"))
    second = private.save("tests/receipt-in-place.pdf", ContentFile(b"v2"))
    try:
        assert first == second == "tests/receipt-in-place.pdf"
        with private.open(second) as stored:
            assert stored.read() == b"v2"
    finally:
        private.delete(second)


@on_s3
def test_ensure_storage_creates_a_missing_bucket(settings):
    import io
    import uuid

    from django.core.management import call_command

    fresh = f"macnss-ensure-{uuid.uuid4().hex[:12]}"
    private = settings.STORAGES["private"]
    settings.STORAGES = {
        **settings.STORAGES,
        "private": {**private, "OPTIONS": {**private["OPTIONS"], "bucket_name": fresh}},
    }
    bucket = storages["private"].bucket
    assert bucket.name == fresh and bucket.creation_date is None
    out = io.StringIO()
    call_command("ensure_storage", stdout=out)
    assert f"Created the bucket {fresh}." in out.getvalue()
    try:
        assert storages["private"].bucket.creation_date is not None
        call_command("ensure_storage", stdout=out)
        assert f"The bucket {fresh} exists." in out.getvalue()
    finally:
        storages["private"].bucket.delete()
