import re
from html import unescape

import pytest
from django.urls import reverse

from accounts.models import InsuredPerson
from macnss.core.antivirus import EICAR
from macnss.core.models import OutboundSms
from taawidaty.models import ClaimDocument, ClaimStatus, PhysicalControlRule, RefundClaim
from tests.factories import InsuredPersonFactory, UserFactory

from .conftest import tiny_jpeg, tiny_pdf, tiny_png, years_ago
from .helpers import draft_with_documents, submitted_claim, upload

pytestmark = pytest.mark.django_db


def field_names(claim):
    from taawidaty.selectors import required_documents

    return [f"piece_{doc.pk}" for doc in required_documents(mining=claim.mining)]


def test_anonymous_is_sent_to_the_shared_login(client):
    response = client.get(reverse("taawidaty:home"))
    assert response.status_code == 302
    assert response["Location"].startswith("/compte/connexion/?next=/taawidaty/")


def test_home_offers_the_benefit(eligible_client):
    response = eligible_client.get(reverse("taawidaty:home"))
    assert "Remboursement des Cotisations Salariales" in response.content.decode()
    response = eligible_client.get(reverse("taawidaty:benefit"))
    assert "Créer une demande" in response.content.decode()


def test_ineligible_insured_reads_the_reasons(client, lists):
    person = InsuredPersonFactory(birth_date=years_ago(50), declared_days=4000)
    client.force_login(UserFactory(insured=person))
    response = client.get(reverse("taawidaty:create"))
    html = response.content.decode()
    assert "Vous ne pouvez pas déposer de demande" in html
    assert "pas encore 60 ans" in html and "4000 jours" in html
    assert 'name="mining"' not in html
    assert (
        client.post(reverse("taawidaty:create"), {"mining": "non", "cessation_date": "01/01/2020"}).status_code == 200
    )
    assert not RefundClaim.objects.exists()


def test_form_errors_are_shown_and_answers_kept(eligible_client, lists):
    response = eligible_client.post(reverse("taawidaty:create"), {"mining": "non", "cessation_date": "31/02/2020"})
    html = response.content.decode()
    assert "Il y a un problème" in html
    assert "Cette date n'existe pas" in unescape(html)
    assert 'value="non" checked' in html or re.search(r'value="non"[^>]*checked', html)


def test_future_cessation_date_is_refused(eligible_client, lists):
    response = eligible_client.post(reverse("taawidaty:create"), {"mining": "non", "cessation_date": "01/01/2999"})
    assert "ne peut pas être dans le futur" in response.content.decode()


def test_cessation_before_career_is_refused(eligible_client, lists, eligible_person):
    day = eligible_person.birth_date.replace(year=eligible_person.birth_date.year + 10).strftime("%d/%m/%Y")
    response = eligible_client.post(reverse("taawidaty:create"), {"mining": "non", "cessation_date": day})
    assert "après vos 14 ans" in response.content.decode()


def test_mining_yes_without_mining_days_is_refused(eligible_client, lists):
    response = eligible_client.post(reverse("taawidaty:create"), {"mining": "oui", "cessation_date": "01/01/2020"})
    assert "aucun jour de travail minier" in response.content.decode()


def test_young_miner_must_file_a_mining_claim(client, lists, miner):
    client.force_login(UserFactory(insured=miner))
    response = client.post(reverse("taawidaty:create"), {"mining": "non", "cessation_date": "01/01/2020"})
    assert "seule une demande au titre de l'activité minière" in unescape(response.content.decode())


def test_full_journey(eligible_client, lists, eligible_person, django_capture_on_commit_callbacks):
    response = eligible_client.post(reverse("taawidaty:create"), {"mining": "non", "cessation_date": "31/12/2024"})
    claim = RefundClaim.objects.get()
    assert response["Location"] == reverse("taawidaty:documents", kwargs={"public_id": claim.public_id})
    names = field_names(claim)
    files = {name: upload(f"doc{i}.pdf", tiny_pdf()) for i, name in enumerate(names)}
    files[names[1]] = upload("cin.jpg", tiny_jpeg(), "image/jpeg")
    files[names[2]] = upload("carte.png", tiny_png(), "image/png")
    response = eligible_client.post(reverse("taawidaty:documents", kwargs={"public_id": claim.public_id}), files)
    assert response["Location"] == reverse("taawidaty:check", kwargs={"public_id": claim.public_id})
    check = eligible_client.get(response["Location"]).content.decode()
    assert "Modifier" in check and "cin.jpg" in check and "31/12/2024" in check
    with django_capture_on_commit_callbacks(execute=True):
        response = eligible_client.post(reverse("taawidaty:check", kwargs={"public_id": claim.public_id}))
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.SUBMITTED
    page = eligible_client.get(response["Location"]).content.decode()
    assert "Demande déposée" in page and claim.reference in page
    assert "Télécharger l'accusé" in page
    pdf = eligible_client.get(reverse("taawidaty:receipt", kwargs={"public_id": claim.public_id}))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith("attachment")
    assert b"".join(pdf.streaming_content).startswith(b"%PDF-")
    # the check page of a submitted claim now leads to the claim itself
    again = eligible_client.get(reverse("taawidaty:check", kwargs={"public_id": claim.public_id}))
    assert again["Location"] == reverse("taawidaty:detail", kwargs={"public_id": claim.public_id})


def test_receipt_in_preparation_page(eligible_client, lists, eligible_person):
    claim = submitted_claim(eligible_person)  # on-commit callbacks not run: no receipt yet
    html = eligible_client.get(reverse("taawidaty:detail", kwargs={"public_id": claim.public_id})).content.decode()
    assert "en cours de préparation" in html and "Actualiser" in html
    assert eligible_client.get(reverse("taawidaty:receipt", kwargs={"public_id": claim.public_id})).status_code == 404


def test_rejected_file_keeps_the_accepted_ones(eligible_client, lists):
    eligible_client.post(reverse("taawidaty:create"), {"mining": "non", "cessation_date": "31/12/2024"})
    claim = RefundClaim.objects.get()
    names = field_names(claim)
    files = {
        names[0]: upload("ok.pdf", tiny_pdf()),
        names[1]: upload("page.pdf", b"<html><body><script>alert(1)</script></body></html>"),
        names[2]: upload("virus.pdf", tiny_pdf().replace(b"%%EOF", EICAR + b"\n%%EOF")),
    }
    response = eligible_client.post(reverse("taawidaty:documents", kwargs={"public_id": claim.public_id}), files)
    html = response.content.decode()
    assert response.status_code == 200
    assert "n'est pas un PDF, un JPEG ou un PNG" in unescape(html)
    assert "contient un virus" in html
    assert "Joignez la pièce" not in html  # the missing-file messages wait until the bad files are fixed
    assert "Déjà déposé : ok.pdf" in html
    assert ClaimDocument.objects.filter(claim=claim).count() == 1


def test_missing_documents_are_named(eligible_client, lists):
    eligible_client.post(reverse("taawidaty:create"), {"mining": "non", "cessation_date": "31/12/2024"})
    claim = RefundClaim.objects.get()
    response = eligible_client.post(reverse("taawidaty:documents", kwargs={"public_id": claim.public_id}), {})
    assert response.content.decode().count("Joignez la pièce") == 2 * 4  # summary + next to each field


def test_physical_control_is_announced_on_the_page(eligible_client, lists, eligible_person):
    PhysicalControlRule.objects.create(name="tous", rate_percent=100)
    claim = draft_with_documents(eligible_person)
    response = eligible_client.post(reverse("taawidaty:check", kwargs={"public_id": claim.public_id}))
    html = eligible_client.get(response["Location"]).content.decode()
    assert "soumise à un contrôle physique" in html
    assert "agence CNSS de votre choix" in html


def test_another_insured_gets_404_everywhere(client, lists, eligible_person):
    claim = submitted_claim(eligible_person)
    from taawidaty import services

    services.build_receipt(claim.pk)
    draft_owner = InsuredPersonFactory(birth_date=years_ago(62), declared_days=10)
    draft = draft_with_documents(draft_owner)
    doc = claim.documents.first()
    draft_doc = draft.documents.first()
    intruder = UserFactory(insured=InsuredPersonFactory(birth_date=years_ago(63), declared_days=10))
    client.force_login(intruder)
    urls = [
        reverse("taawidaty:detail", kwargs={"public_id": claim.public_id}),
        reverse("taawidaty:receipt", kwargs={"public_id": claim.public_id}),
        reverse("taawidaty:documents", kwargs={"public_id": claim.public_id}),
        reverse("taawidaty:check", kwargs={"public_id": claim.public_id}),
        reverse("taawidaty:document", kwargs={"public_id": claim.public_id, "document_id": doc.pk}),
        reverse("taawidaty:documents", kwargs={"public_id": draft.public_id}),
        reverse("taawidaty:check", kwargs={"public_id": draft.public_id}),
        reverse("taawidaty:document", kwargs={"public_id": draft.public_id, "document_id": draft_doc.pk}),
        # the owner's claim id with someone else's document id
        reverse("taawidaty:document", kwargs={"public_id": draft.public_id, "document_id": doc.pk}),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("taawidaty:check", kwargs={"public_id": draft.public_id})).status_code == 404
    draft.refresh_from_db()
    assert draft.is_draft


def test_owner_downloads_a_document_as_attachment(client, lists, eligible_person, eligible_user):
    claim = draft_with_documents(eligible_person)
    doc = claim.documents.first()
    client.force_login(eligible_user)
    response = client.get(reverse("taawidaty:document", kwargs={"public_id": claim.public_id, "document_id": doc.pk}))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Type"] == "application/pdf"


def test_media_is_not_served_by_url(client):
    assert client.get("/media-not-served/taawidaty/pieces/x.pdf").status_code == 404


def test_benefit_page_queries_do_not_grow(client, lists, django_assert_max_num_queries):
    person = InsuredPersonFactory(birth_date=years_ago(61), declared_days=10)
    client.force_login(UserFactory(insured=person))
    submitted_claim(person)
    with django_assert_max_num_queries(8) as one:
        client.get(reverse("taawidaty:benefit"))
    RefundClaim.objects.filter(insured=person).update(status=ClaimStatus.REJECTED)
    for _ in range(5):
        submitted_claim(person)
        RefundClaim.objects.filter(insured=person, status=ClaimStatus.SUBMITTED).update(status=ClaimStatus.REJECTED)
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(reverse("taawidaty:benefit"))


def test_my_requests_lists_claims_with_constant_queries(client, lists, django_assert_max_num_queries):
    person = InsuredPersonFactory(birth_date=years_ago(61), declared_days=10)
    client.force_login(UserFactory(insured=person))
    first = submitted_claim(person)
    with django_assert_max_num_queries(30) as one:
        html = client.get(reverse("accounts:my_requests")).content.decode()
    assert first.reference in html and "Déposée" in html
    RefundClaim.objects.filter(insured=person).update(status=ClaimStatus.REJECTED)
    for _ in range(5):
        submitted_claim(person)
        RefundClaim.objects.filter(insured=person, status=ClaimStatus.SUBMITTED).update(status=ClaimStatus.REJECTED)
    with django_assert_max_num_queries(len(one.captured_queries)):
        html = client.get(reverse("accounts:my_requests")).content.decode()
    assert html.count("RCS-") >= 6


def test_dashboard_shows_the_tile(client, lists):
    person = InsuredPersonFactory(birth_date=years_ago(61), declared_days=10)
    client.force_login(UserFactory(insured=person))
    html = client.get(reverse("accounts:dashboard")).content.decode()
    assert reverse("taawidaty:home") in html


# --- Public authenticity page -------------------------------------------------------------------


def test_verify_valid_receipt_shows_only_initials(client, lists, eligible_person):
    claim = submitted_claim(eligible_person)
    page = client.get(reverse("taawidaty:verify") + f"?reference={claim.reference}").content.decode()
    assert f'value="{claim.reference}"' in page
    day = claim.submitted_at.astimezone().strftime("%d/%m/%Y")
    from django.utils import timezone

    day = timezone.localtime(claim.submitted_at).strftime("%d/%m/%Y")
    html = client.post(
        reverse("taawidaty:verify"), {"reference": claim.reference.lower(), "submitted_on": day}
    ).content.decode()
    assert "Accusé authentique" in html
    person = InsuredPerson.objects.get(pk=eligible_person.pk)
    assert f"{person.last_name[0]}. {person.first_name[0]}." in html
    assert person.last_name not in html and person.immatriculation_number not in html


def test_verify_wrong_date_and_unknown_reference_get_the_same_answer(client, lists, eligible_person):
    claim = submitted_claim(eligible_person)
    wrong_date = client.post(reverse("taawidaty:verify"), {"reference": claim.reference, "submitted_on": "01/01/2020"})
    unknown = client.post(reverse("taawidaty:verify"), {"reference": "RCS-2026-ZZZZZZZZ", "submitted_on": "01/01/2020"})
    for response in (wrong_date, unknown):
        assert "Aucun accusé ne correspond" in response.content.decode()
    assert "Accusé authentique" not in wrong_date.content.decode()


def test_verify_bad_reference_format(client):
    html = client.post(reverse("taawidaty:verify"), {"reference": "abc", "submitted_on": ""}).content.decode()
    assert "Il y a un problème" in html and "RCS-2026-7KQ4M2XD" in html


def test_verify_is_rate_limited(client, lists):
    for _ in range(30):
        client.post(reverse("taawidaty:verify"), {"reference": "RCS-2026-ZZZZZZZZ", "submitted_on": "01/01/2020"})
    html = client.post(
        reverse("taawidaty:verify"), {"reference": "RCS-2026-ZZZZZZZZ", "submitted_on": "01/01/2020"}
    ).content.decode()
    assert "Trop de vérifications" in html
    assert "Aucun accusé ne correspond" not in html


def test_arabic_pages(eligible_client, lists):
    response = eligible_client.get("/ar/taawidaty/remboursement-cotisations-salariales/nouvelle-demande/")
    html = response.content.decode()
    assert 'dir="rtl"' in html
    assert "نشاط منجمي" in html
    assert "Activité minière" not in html
    assert OutboundSms.objects.count() == 0


def test_a_storage_outage_refuses_the_upload_and_keeps_nothing(eligible_client, lists, monkeypatch):
    """Issue 20 §1: the storage does not take the third file; the first two are removed again, no row is
    left, and the person reads why (the local disk here, the S3 bucket under make test-files)."""
    from django.core.files.storage import storages

    storage = storages["private"]
    real_save, written = storage.save, []

    def save_then_fail(name, content, max_length=None):
        if len(written) == 2:
            raise OSError("storage unreachable")
        written.append(real_save(name, content, max_length=max_length))
        return written[-1]

    monkeypatch.setattr(storage, "save", save_then_fail)
    eligible_client.post(reverse("taawidaty:create"), {"mining": "non", "cessation_date": "31/12/2024"})
    claim = RefundClaim.objects.get()
    files = {name: upload(f"doc{i}.pdf", tiny_pdf()) for i, name in enumerate(field_names(claim))}
    response = eligible_client.post(reverse("taawidaty:documents", kwargs={"public_id": claim.public_id}), files)
    assert response.status_code == 200
    assert "Le stockage des documents est momentanément indisponible" in unescape(response.content.decode())
    assert not ClaimDocument.objects.filter(claim=claim).exists()
    assert len(written) == 2 and not any(storage.exists(name) for name in written)
