"""Work queues: the admin home is a work list per role, counts in a constant number of queries,
«Je prends ce dossier», late items, Arabic right to left."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from backoffice.models import Assignment, QueueSetting
from backoffice.queues import all_queues
from taawidaty.models import RefundClaim
from tests.factories import InsuredPersonFactory
from tests.taawidaty.conftest import lists, years_ago  # noqa: F401  (fixture)
from tests.taawidaty.helpers import submitted_claim

pytestmark = pytest.mark.django_db


def claims(n, *, days_ago=0):
    made = []
    for _ in range(n):
        person = InsuredPersonFactory(birth_date=years_ago(61), declared_days=900)
        claim = submitted_claim(person)
        RefundClaim.objects.filter(pk=claim.pk).update(submitted_at=timezone.now() - timedelta(days=days_ago))
        made.append(claim)
    return made


def test_the_journeys_register_their_queues_and_the_back_office_imports_none():
    import ast
    from pathlib import Path

    keys = {q.key for q in all_queues()}
    assert {"taawidaty-deposees", "taawidaty-controle", "coordonnees-a-approuver", "asvi-a-rapprocher"} <= keys
    assert "tns-liaison-a-immatriculer" in keys and "pension-recues" in keys
    for source in Path("backoffice").glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert node.module.split(".")[0] not in {"taawidaty", "pension", "asvi_payment", "tns_enrollment"}


def test_agent_home_is_a_work_list_with_counts_age_and_late_items(as_staff, lists):  # noqa: F811
    claims(2, days_ago=9)
    claims(1, days_ago=1)
    QueueSetting.objects.create(key="taawidaty-deposees", service_days=5)
    page = as_staff("agent").get("/admin/").content.decode()
    assert "TAAWIDATY — déposées à instruire" in page
    assert "<td>3</td>" in page
    assert "depuis 9 jours" in page
    assert "2 en retard (délai : 5 j)" in page
    assert "?file=taawidaty-deposees" in page
    assert "Changements de téléphone/RIB à approuver" not in page  # a supervisor's queue
    assert "Toutes les données" not in page  # agents work from queues
    supervisor_page = as_staff("superviseur").get("/admin/").content.decode()
    assert "Changements de téléphone/RIB à approuver" in supervisor_page
    assert "Toutes les données" in supervisor_page
    assert as_staff("superviseur").get("/admin/donnees/").status_code == 200
    assert as_staff("agent").get("/admin/donnees/").status_code == 403
    admin_page = as_staff("administrateur").get("/admin/").content.decode()
    assert "Aucune file de travail" in admin_page and "/admin/accounts/user/" in admin_page
    assert "Rechercher un assuré" not in admin_page  # administrators manage staff, not insured persons


def test_home_counts_in_a_constant_number_of_queries(as_staff, count_queries, lists):  # noqa: F811
    agent = as_staff("agent")
    claims(1)
    agent.get("/admin/")
    few = count_queries(agent, "/admin/")
    claims(4, days_ago=10)
    assert count_queries(agent, "/admin/") == few


def test_a_queue_list_is_filtered_and_oldest_first(as_staff, lists):  # noqa: F811
    recent, old = claims(1, days_ago=1)[0], claims(1, days_ago=20)[0]
    RefundClaim.objects.filter(pk=recent.pk).update(status="en_instruction")
    newer = claims(1, days_ago=3)[0]
    page = as_staff("agent").get(reverse("admin:taawidaty_refundclaim_changelist") + "?file=taawidaty-deposees")
    html = page.content.decode()
    assert recent.reference not in html
    assert html.index(old.reference) < html.index(newer.reference)


def test_je_prends_ce_dossier(as_staff, lists):  # noqa: F811
    claim = claims(1)[0]
    agent = as_staff("agent")
    url = reverse("admin:taawidaty_refundclaim_change", args=[claim.pk])
    page = agent.get(url).content.decode()
    assert "Je prends ce dossier" in page
    ct = page.split('name="ct" value="')[1].split('"')[0]
    agent.post(reverse("backoffice_admin:take"), {"ct": ct, "id": claim.pk})
    assert Assignment.objects.get().assigned_to.username == "agent"
    assert "Mes dossiers" in agent.get("/admin/").content.decode()
    assert f"/admin/taawidaty/refundclaim/{claim.pk}/change/" in agent.get("/admin/").content.decode()
    # another agent sees who has it and cannot take it over
    from django.contrib.auth.models import Group

    from tests.factories import UserFactory

    other = UserFactory(insured=None, username="agent2", is_staff=True)
    other.groups.set([Group.objects.get(name="Agents")])
    agent.force_login(other)
    page = agent.get(url).content.decode()
    assert "Dossier pris par agent" in page and "Je prends ce dossier" not in page
    agent.post(reverse("backoffice_admin:take"), {"ct": ct, "id": claim.pk})
    assert Assignment.objects.get().assigned_to.username == "agent"
    list_page = agent.get(reverse("admin:taawidaty_refundclaim_changelist") + "?file=taawidaty-deposees")
    assert "pris par" in list_page.content.decode() and ">agent<" in list_page.content.decode()


def test_taken_items_are_in_the_agents_queues(as_staff, lists):  # noqa: F811
    """A request outside the queues opens without a reason once the agent took it."""
    claim = claims(1)[0]
    RefundClaim.objects.filter(pk=claim.pk).update(status="acceptee")
    agent = as_staff("agent")
    url = reverse("admin:taawidaty_refundclaim_change", args=[claim.pk])
    assert agent.get(url).status_code == 302
    from accounts.models import User
    from backoffice import services

    services.take_item(obj=claim, by=User.objects.get(username="agent"))
    assert agent.get(url).status_code == 200


def test_supervisors_edit_service_times(as_staff):
    supervisor = as_staff("superviseur")
    assert supervisor.get(reverse("admin:backoffice_queuesetting_changelist")).status_code == 200
    assert QueueSetting.objects.filter(key="taawidaty-deposees", service_days=5).exists()
    assert as_staff("agent").get(reverse("admin:backoffice_queuesetting_changelist")).status_code == 403


def test_the_work_list_in_arabic_is_right_to_left(as_staff, lists):  # noqa: F811
    claims(1, days_ago=2)
    page = as_staff("agent").get("/ar/admin/").content.decode()
    assert 'dir="rtl"' in page
    assert "قوائم عملي" in page and "طلبات مودعة في انتظار الدراسة" in page
    assert 'href="/admin/"' in page  # the switch back to French
