"""«Qui a consulté mes données»: one row per consultation (change page, download, export, action), none
for lists and searches; masked lists; a reason outside one's queues; the insured's page."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from accounts.models import InsuredPerson
from backoffice.models import AccessAction, AccessRecord
from taawidaty.models import RefundClaim
from tests.factories import InsuredPersonFactory, UserFactory
from tests.taawidaty.conftest import lists, years_ago  # noqa: F401  (fixture)
from tests.taawidaty.helpers import submitted_claim

pytestmark = pytest.mark.django_db


@pytest.fixture
def claim(lists):  # noqa: F811
    person = InsuredPersonFactory(birth_date=years_ago(61), declared_days=900, phone="+212661234567")
    return submitted_claim(person)


def test_opening_a_queued_request_writes_one_row_with_its_queue(as_staff, claim):
    agent = as_staff("agent")
    agent.get(reverse("admin:taawidaty_refundclaim_changelist"), {"q": claim.reference})
    agent.get(reverse("admin:taawidaty_refundclaim_changelist") + "?file=taawidaty-deposees")
    assert not AccessRecord.objects.exists()  # lists and searches are not consultations
    assert agent.get(reverse("admin:taawidaty_refundclaim_change", args=[claim.pk])).status_code == 200
    record = AccessRecord.objects.get()
    assert (record.staff_username, record.role, record.insured_id) == ("agent", "Agents", claim.insured_id)
    assert record.action == AccessAction.VIEW and not record.outside_queues
    assert record.reason == "TAAWIDATY — déposées à instruire"
    assert record.object_reference == claim.reference


def test_a_record_outside_the_queues_asks_for_a_reason_first(as_staff):
    person = InsuredPersonFactory()
    agent = as_staff("agent")
    url = reverse("admin:accounts_insuredperson_change", args=[person.pk])
    response = agent.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/admin/motif/")
    assert not AccessRecord.objects.exists()
    page = agent.post(response["Location"], {"reason": "autre", "details": ""})
    assert "Précisez le motif" in page.content.decode()
    assert agent.post(response["Location"], {"reason": "autre", "details": "réclamation 42"}).status_code == 302
    assert agent.get(url).status_code == 200
    record = AccessRecord.objects.get()
    assert record.outside_queues and record.reason.endswith("réclamation 42")
    # the reason page only goes back to this site
    evil = agent.get(
        f"/admin/motif/?ct={ContentType.objects.get_for_model(person).pk}&id={person.pk}&next=https://evil.example/"
    )
    assert evil.status_code == 404


def test_downloads_exports_and_actions_write_one_row_per_record(as_staff, claim):
    agent = as_staff("agent")
    doc = claim.documents.first()
    agent.get(reverse("admin:taawidaty_refundclaim_document", args=[claim.pk, doc.pk]))
    assert AccessRecord.objects.get().action == AccessAction.DOWNLOAD
    response = agent.post(
        reverse("admin:taawidaty_refundclaim_changelist"), {"action": "export_csv", "_selected_action": [claim.pk]}
    )
    assert response["Content-Disposition"].startswith("attachment")
    assert AccessRecord.objects.filter(action=AccessAction.EXPORT, object_id=str(claim.pk)).count() == 1
    agent.post(
        reverse("admin:taawidaty_refundclaim_changelist"),
        {"action": "action_start_review", "_selected_action": [claim.pk]},
    )
    assert RefundClaim.objects.get().status == "en_instruction"
    assert AccessRecord.objects.filter(action=AccessAction.ACTION).count() == 1
    # an intermediate form page (reject: the reason) is not yet an action
    agent.post(
        reverse("admin:taawidaty_refundclaim_changelist"), {"action": "action_reject", "_selected_action": [claim.pk]}
    )
    assert AccessRecord.objects.filter(action=AccessAction.ACTION).count() == 1


def LiaisonListEntryFactory(**fields):  # noqa: N802
    from datetime import date

    from accounts.models import ProfessionalCategory
    from tns_enrollment.models import LiaisonListEntry

    category = ProfessionalCategory.objects.create(code="test", name="Test")
    return LiaisonListEntry.objects.create(
        organism="Ordre",
        category=category,
        id_document_expiry=date(2031, 1, 1),
        birth_date=date(1980, 1, 1),
        last_name="LISTEE",
        first_name="Amina",
        **fields,
    )


def test_lists_mask_phones_and_identity_numbers(as_staff):
    person = InsuredPersonFactory(phone="+212661234567", id_document_number="BK778899", last_name="TAZI")
    page = as_staff("agent").get(reverse("admin:accounts_insuredperson_changelist"), {"q": "taz"}).content.decode()
    assert "TAZI" in page
    assert "+212661234567" not in page and "BK778899" not in page
    assert "67" in page and "B•••••99" in page
    entry = LiaisonListEntryFactory(id_document_number="BK112233", phone="+212661112233")
    page = as_staff("agent").get(reverse("admin:tns_enrollment_liaisonlistentry_changelist")).content.decode()
    assert entry.last_name in page and "BK112233" not in page and "+212661112233" not in page
    assert not AccessRecord.objects.filter(insured=person).exists()


def test_the_journal_cannot_be_changed_or_deleted_by_anyone(client, as_staff, claim):
    as_staff("agent").get(reverse("admin:taawidaty_refundclaim_change", args=[claim.pk]))
    record = AccessRecord.objects.get()
    superuser = UserFactory(insured=None, username="root", is_staff=True, is_superuser=True)
    for user in (as_staff("superviseur"), as_staff("administrateur")):
        assert user.get(reverse("admin:backoffice_accessrecord_changelist")).status_code == 200
    client.force_login(superuser)
    for url in (
        reverse("admin:backoffice_accessrecord_delete", args=[record.pk]),
        reverse("admin:backoffice_accessrecord_add"),
    ):
        assert client.get(url).status_code == 403
    client.post(reverse("admin:backoffice_accessrecord_change", args=[record.pk]), {"reason": "effacé"})
    client.post(
        reverse("admin:backoffice_accessrecord_changelist"),
        {"action": "delete_selected", "_selected_action": [record.pk]},
    )
    assert AccessRecord.objects.get().reason == record.reason
    assert as_staff("agent").get(reverse("admin:backoffice_accessrecord_changelist")).status_code == 403


def test_supervisors_see_unusual_reading(settings, as_staff, staff):
    settings.BACKOFFICE_UNUSUAL_READS_PER_HOUR = 3
    person = InsuredPersonFactory()
    ct = ContentType.objects.get_for_model(InsuredPerson)
    common = {
        "staff": staff["agent"],
        "staff_username": "agent",
        "role": "Agents",
        "insured": person,
        "content_type": ct,
    }
    for n in range(4):
        AccessRecord.objects.create(object_id=str(n), action=AccessAction.VIEW, **common)
    AccessRecord.objects.create(
        object_id="9", action=AccessAction.VIEW, outside_queues=True, reason="Appel XYZ", **common
    )
    page = as_staff("superviseur").get(reverse("backoffice_admin:unusual_reading")).content.decode()
    assert "Plus de 3 dossiers ouverts en une heure" in page
    assert "<td>5</td>" in page  # five openings by agent in that hour
    assert "Appel XYZ" in page
    assert as_staff("agent").get(reverse("backoffice_admin:unusual_reading")).status_code == 403


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_insured_reads_his_journal_in_his_language(client, as_staff, claim, language):
    as_staff("agent").get(reverse("admin:taawidaty_refundclaim_change", args=[claim.pk]))
    insured = UserFactory(insured=claim.insured)
    client.force_login(insured)
    prefix = "/ar" if language == "ar" else ""
    page = client.get(f"{prefix}/compte/consultations/").content.decode()
    when = timezone.localtime(AccessRecord.objects.get().at).strftime("%d/%m/%Y %H:%M")
    if language == "fr":
        assert f"{when} — un agent de la CNSS a consulté votre demande TAAWIDATY {claim.reference}" in page
    else:
        assert when in page and claim.reference in page and "اطلع" in page
    assert "agent</" not in page and ">agent<" not in page  # never the agent's name
    # and not another person's rows
    other = UserFactory()
    client.force_login(other)
    assert claim.reference not in client.get("/compte/consultations/").content.decode()
    assert "Qui a consulté mes données" in client.get("/compte/").content.decode() or language == "ar"
