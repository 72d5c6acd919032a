import io
from datetime import date

import pytest
from PIL import Image

from taawidaty.defaults import load_defaults
from taawidaty.models import PhysicalControlRule, RequiredDocument
from tests.factories import InsuredPersonFactory, UserFactory


def tiny_png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, "PNG")
    return buffer.getvalue()


def tiny_jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, "JPEG")
    return buffer.getvalue()


def tiny_pdf() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "white").save(buffer, "PDF")
    return buffer.getvalue()


def years_ago(years: int, *, days: int = 0, today: date | None = None) -> date:
    from datetime import timedelta

    from django.utils import timezone

    today = today or timezone.localdate()
    try:
        day = today.replace(year=today.year - years)
    except ValueError:
        day = today.replace(year=today.year - years, day=28)
    return day - timedelta(days=days)


@pytest.fixture
def lists(db):
    """The default document lists, with physical control switched off unless a test turns it on."""
    load_defaults()
    PhysicalControlRule.objects.update(is_active=False)
    return RequiredDocument.objects.all()


@pytest.fixture
def eligible_person(db):
    # 61 years old: reached 60 after 1 Jan 2023, so the threshold is 1 320 days.
    return InsuredPersonFactory(birth_date=years_ago(61), declared_days=900, mining_days=0)


@pytest.fixture
def eligible_user(eligible_person):
    return UserFactory(insured=eligible_person)


@pytest.fixture
def eligible_client(client, eligible_user):
    client.force_login(eligible_user)
    return client


@pytest.fixture
def miner(db):
    return InsuredPersonFactory(birth_date=years_ago(56), declared_days=700, mining_days=6 * 312)


@pytest.fixture(autouse=True)
def _french_by_default():
    """A request in Arabic leaves Arabic active in the test thread; each test starts in French."""
    from django.utils import translation

    with translation.override("fr"):
        yield
