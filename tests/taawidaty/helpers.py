import dataclasses

from django.core.files.uploadedfile import SimpleUploadedFile

from macnss.core.antivirus import Verdict
from macnss.core.uploads import check_content
from taawidaty import selectors, services

from .conftest import tiny_pdf, years_ago


def accepted(name="scan.pdf", data=None):
    data = data or tiny_pdf()
    return dataclasses.replace(check_content(data), original_name=name, verdict=Verdict(clean=True, backend="fake"))


def draft_with_documents(person, *, mining=False):
    claim = services.save_draft(person=person, mining=mining, cessation_date=years_ago(1))
    uploads = {doc: accepted(f"piece{doc.pk}.pdf") for doc in selectors.required_documents(mining=mining)}
    services.attach_documents(claim=claim, uploads=uploads)
    return claim


def submitted_claim(person, *, mining=False, capture=None):
    claim = draft_with_documents(person, mining=mining)
    return services.submit_claim(claim=claim)


def upload(name, data, content_type="application/pdf"):
    return SimpleUploadedFile(name, data, content_type)
