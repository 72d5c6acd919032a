from html import unescape

import pytest
from django.urls import reverse

from accounts.demo import birth_date_for_age
from family import rules
from family.models import FamilyMember, MemberDocument, MemberStatus
from macnss.core.models import OutboundSms
from tests.factories import InsuredPersonFactory, UserFactory

from .conftest import pdf_bytes, upload

pytestmark = pytest.mark.django_db


def member_data(**fields):
    data = {
        "relationship": rules.CHILD,
        "last_name": "Amrani",
        "first_name": "Inès",
        "birth_date": birth_date_for_age(9).strftime("%d/%m/%Y"),
        "sex": "F",
    }
    return {**data, **fields}


def test_anonymous_visitors_are_sent_to_the_login(client):
    response = client.get(reverse("family:members"))
    assert response.status_code == 302 and "/compte/connexion/" in response["Location"]


def test_declaring_a_child_in_two_steps(parent_client, parent):
    response = parent_client.post(reverse("family:add"), member_data())
    assert response.status_code == 302 and response["Location"] == reverse("family:documents")
    assert not FamilyMember.objects.exists()  # nothing filed before the documents
    page = parent_client.get(reverse("family:documents"))
    assert "Extrait d'acte de naissance" in unescape(page.text) and "Acte de mariage" not in page.text
    response = parent_client.post(reverse("family:documents"), {rules.BIRTH_CERTIFICATE: upload("acte.pdf")})
    member = FamilyMember.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("family:detail", kwargs={"public_id": member.public_id})
    assert (member.last_name, member.first_name, member.status) == ("AMRANI", "INÈS", MemberStatus.SUBMITTED)
    detail = parent_client.get(response["Location"])
    assert "Déclaration déposée" in detail.text and member.reference in detail.text
    listing = parent_client.get(reverse("family:members"))
    assert "AMRANI INÈS" in listing.text and "Déposée" in listing.text
    home = parent_client.get(reverse("accounts:dashboard"))
    assert member.reference in home.text  # «Mes demandes»


def test_an_adult_child_without_proof_is_refused_with_the_reason_before_any_document(parent_client):
    response = parent_client.post(
        reverse("family:add"), member_data(birth_date=birth_date_for_age(23).strftime("%d/%m/%Y"))
    )
    assert response.status_code == 400
    assert "ne peut pas être déclarée" in response.text and "certificat de scolarité" in response.text
    assert parent_client.get(reverse("family:documents"))["Location"] == reverse("family:add")


def test_a_student_is_asked_for_the_school_certificate(parent_client):
    parent_client.post(
        reverse("family:add"), member_data(birth_date=birth_date_for_age(23).strftime("%d/%m/%Y"), studying="on")
    )
    page = parent_client.get(reverse("family:documents"))
    assert page.status_code == 200 and "Certificat de scolarité" in page.text


def test_a_spouse_needs_a_cin_and_a_marriage_certificate(parent_client):
    data = member_data(relationship=rules.SPOUSE, birth_date="01/02/1990", first_name="Leila")
    response = parent_client.post(reverse("family:add"), data)
    assert response.status_code == 200 and "Saisissez le numéro de CIN de votre conjoint(e)." in response.text
    response = parent_client.post(reverse("family:add"), {**data, "cin": "bk 123456"})
    assert response.status_code == 302
    page = parent_client.get(reverse("family:documents"))
    assert "Acte de mariage" in page.text


def test_a_bad_file_is_refused_next_to_its_field_and_nothing_is_filed(parent_client):
    parent_client.post(reverse("family:add"), member_data())
    response = parent_client.post(
        reverse("family:documents"), {rules.BIRTH_CERTIFICATE: upload("x.pdf", b"<html><script>")}
    )
    assert response.status_code == 200
    assert "n'est pas un PDF" in unescape(response.text)
    assert not FamilyMember.objects.exists() and not MemberDocument.objects.exists()


def test_form_errors_are_in_french_and_in_arabic(parent_client):
    add = reverse("family:add")
    response = parent_client.post(add, {})
    assert "Indiquez le lien de parenté" in response.text
    response = parent_client.post("/ar" + add, {})
    assert "حددوا صلة القرابة" in response.text


def test_an_arabic_declaration_gets_its_sms_in_arabic(parent_client, parent):
    add, documents = reverse("family:add"), reverse("family:documents")
    parent_client.post("/ar" + add, member_data())
    parent_client.post("/ar" + documents, {rules.BIRTH_CERTIFICATE: upload()})
    member = FamilyMember.objects.get()
    assert member.language == "ar"
    assert OutboundSms.objects.get(to=parent.phone).language == "ar"


def _declared(parent_client):
    parent_client.post(reverse("family:add"), member_data())
    parent_client.post(reverse("family:documents"), {rules.BIRTH_CERTIFICATE: upload(data=pdf_bytes())})
    return FamilyMember.objects.get()


def test_documents_are_downloaded_by_their_owner_only(parent_client, client):
    member = _declared(parent_client)
    document = member.documents.get()
    url = reverse("family:document", kwargs={"public_id": member.public_id, "document_id": document.pk})
    response = parent_client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF")

    stranger = UserFactory(insured=InsuredPersonFactory())
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    assert client.get(reverse("family:detail", kwargs={"public_id": member.public_id})).status_code == 404
    assert client.get(reverse("family:school_certificate", kwargs={"public_id": member.public_id})).status_code == 404


def test_an_agent_without_insured_record_gets_404(client):
    client.force_login(UserFactory(insured=None, username="agent", is_staff=True))
    assert client.get(reverse("family:members")).status_code == 404


def test_the_tile_is_on_the_private_home(parent_client):
    page = parent_client.get(reverse("accounts:dashboard"))
    assert reverse("family:members") in page.text and "Mes ayants droit" in page.text


def test_posting_no_file_says_which_document_is_missing(parent_client):
    parent_client.post(reverse("family:add"), member_data())
    response = parent_client.post(reverse("family:documents"), {})
    assert response.status_code == 200
    assert "Joignez ce document" in unescape(response.text)
    assert not FamilyMember.objects.exists()


def test_school_certificate_for_a_validated_child(parent_client, parent):
    from family import services

    member = _declared(parent_client)
    FamilyMember.objects.filter(pk=member.pk).update(status=MemberStatus.VALIDATED)
    url = reverse("family:school_certificate", kwargs={"public_id": member.public_id})
    assert "Joignez ce document" in unescape(parent_client.post(url, {}).text)
    response = parent_client.post(url, {"certificate": upload("scolarite.pdf")})
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.studying
    assert member.coverage_ends_on == rules.add_years(member.birth_date, services.selectors.current_limits().student)


def test_an_infected_file_is_refused_by_the_antivirus(parent_client):
    from macnss.core.antivirus import EICAR

    parent_client.post(reverse("family:add"), member_data())
    infected = pdf_bytes().replace(b"%%EOF", EICAR + b"\n%%EOF")
    response = parent_client.post(reverse("family:documents"), {rules.BIRTH_CERTIFICATE: upload("x.pdf", infected)})
    assert "contient un virus" in unescape(response.text)
    assert not MemberDocument.objects.exists()


def test_the_list_costs_the_same_with_one_or_many_members(parent_client, parent):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from family import services

    from .conftest import accepted, child

    def declare(first_name):
        answers = child(first_name=first_name, age=3)
        services.declare(person=parent, answers=answers, uploads={"acte_naissance": accepted()}, language="fr")

    declare("Un")
    url = reverse("family:members")
    parent_client.get(url)  # the first request also refreshes the session
    with CaptureQueriesContext(connection) as one:
        assert parent_client.get(url).status_code == 200
    for name in ("Deux", "Trois", "Quatre"):
        declare(name)
    with CaptureQueriesContext(connection) as many:
        assert parent_client.get(url).status_code == 200
    assert len(many.captured_queries) == len(one.captured_queries)
