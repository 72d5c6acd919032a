import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from accounts.demo import birth_date_for_age
from family import rules
from family.services import MemberAnswers
from macnss.core.uploads import CheckedFile, check_upload
from tests.factories import InsuredPersonFactory, UserFactory


def pdf_bytes(colour="white") -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), colour).save(buffer, "PDF")
    return buffer.getvalue()


def upload(name="scan.pdf", data=None):
    return SimpleUploadedFile(name, data or pdf_bytes(), "application/pdf")


def accepted(data=None, name="scan.pdf") -> CheckedFile:
    """A file through the portal's real checks (the fake antivirus in tests)."""
    return check_upload(upload(name, data))


def child(age=10, **fields) -> MemberAnswers:
    values = {
        "relationship": rules.CHILD,
        "last_name": "AMRANI",
        "first_name": "Ines",
        "birth_date": birth_date_for_age(age),
        "sex": "F",
    }
    return MemberAnswers(**{**values, **fields})


def spouse(cin="BK123456", age=35, **fields) -> MemberAnswers:
    values = {
        "relationship": rules.SPOUSE,
        "last_name": "AMRANI",
        "first_name": "Leila",
        "birth_date": birth_date_for_age(age),
        "sex": "F",
        "cin": cin,
    }
    return MemberAnswers(**{**values, **fields})


@pytest.fixture
def parent(db):
    return InsuredPersonFactory(phone="+212661000999")


@pytest.fixture
def parent_client(client, parent):
    client.force_login(UserFactory(insured=parent))
    return client
