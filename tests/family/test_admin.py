from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from accounts.demo import seed_agents
from family import rules, services
from family.models import CoverageRule, FamilyMember, MemberStatus
from macnss.core.models import OutboundSms

from .conftest import accepted, child

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_client(client):
    seed_agents()
    from accounts.models import User

    agent = User.objects.get(username="agent")
    assert agent.groups.filter(pk=Group.objects.get(name="Agents").pk).exists()
    client.force_login(agent)
    return client


def declared(parent, **fields):
    answers = child(**fields)
    decision = services.check_declarable(person=parent, answers=answers)
    return services.declare(
        person=parent, answers=answers, uploads={k: accepted() for k in decision.documents}, language="fr"
    )


def test_the_queue_lists_declarations_oldest_first_with_filters(agent_client, parent):
    first = declared(parent, first_name="Ali", age=3)
    second = declared(parent, first_name="Sara", age=4)
    FamilyMember.objects.filter(pk=first.pk).update(submitted_at=timezone.now() - timedelta(days=3))
    page = agent_client.get(reverse("admin:family_familymember_changelist"))
    assert page.status_code == 200
    text = page.content.decode()
    assert text.index(first.reference) < text.index(second.reference)
    filtered = agent_client.get(reverse("admin:family_familymember_changelist") + "?statut=validee")
    assert first.reference not in filtered.content.decode()


def test_the_agent_opens_the_declaration_and_its_document(agent_client, parent):
    member = declared(parent)
    page = agent_client.get(reverse("admin:family_familymember_change", args=[member.pk]))
    assert page.status_code == 200
    document = member.documents.get()
    url = reverse("admin:family_familymember_document", args=[member.pk, document.pk])
    assert url in page.content.decode()
    response = agent_client.get(url)
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")


def test_admin_actions_apply_the_transitions_and_send_sms(agent_client, parent):
    member = declared(parent)
    url = reverse("admin:family_familymember_changelist")
    agent_client.post(url, {"action": "action_validate", "_selected_action": [member.pk]})
    member.refresh_from_db()
    assert member.status == MemberStatus.SUBMITTED  # not allowed from «déposée»: refused, nothing changes
    agent_client.post(url, {"action": "action_start_review", "_selected_action": [member.pk]})
    agent_client.post(url, {"action": "action_validate", "_selected_action": [member.pk]})
    member.refresh_from_db()
    assert member.status == MemberStatus.VALIDATED
    assert "validée" in OutboundSms.objects.filter(to=parent.phone).latest("pk").body


def test_rejection_asks_for_the_reason(agent_client, parent):
    member = declared(parent)
    url = reverse("admin:family_familymember_changelist")
    page = agent_client.post(url, {"action": "action_reject", "_selected_action": [member.pk]})
    assert "Motif du rejet" in page.content.decode()
    agent_client.post(
        url, {"action": "action_reject", "_selected_action": [member.pk], "apply": "1", "reason": "Acte illisible"}
    )
    member.refresh_from_db()
    assert member.status == MemberStatus.REJECTED and member.rejection_reason == "Acte illisible"


def test_children_reaching_the_limit_are_flagged_for_agents(agent_client, parent):
    member = declared(parent, birth_date=rules.add_years(timezone.localdate(), -21) + timedelta(days=1))
    other = declared(parent, first_name="Petit", age=5)
    FamilyMember.objects.filter(pk__in=[member.pk, other.pk]).update(status=MemberStatus.VALIDATED)
    url = reverse("admin:family_familymember_changelist")
    soon = agent_client.get(url + "?limite_age=30").content.decode()
    assert member.reference in soon and other.reference not in soon
    assert member.reference not in agent_client.get(url + "?limite_age=atteinte").content.decode()
    FamilyMember.objects.filter(pk=member.pk).update(coverage_ends_on=timezone.localdate())
    assert member.reference in agent_client.get(url + "?limite_age=atteinte").content.decode()


def test_the_age_limits_are_seeded_and_editable(agent_client):
    rule = CoverageRule.objects.get()
    assert (rule.child_age_limit, rule.student_age_limit, rule.disabled_without_limit) == (21, 26, True)
    page = agent_client.get(reverse("admin:family_coveragerule_change", args=[rule.pk]))
    assert page.status_code == 200
