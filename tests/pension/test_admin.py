import csv
import io

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from macnss.core.models import OutboundSms, StatusChange
from pension import services
from pension.models import PensionRequestStatus

CHANGELIST = reverse("admin:pension_pensionrequest_changelist")


@pytest.fixture
def requests_factory(make_tns, submit_kwargs):
    def _make(count=1, **tns):
        return [services.submit_pension_request(**submit_kwargs(make_tns(**tns))) for _ in range(count)]

    return _make


def act(client, action, requests, **extra):
    return client.post(
        CHANGELIST, {"action": action, ACTION_CHECKBOX_NAME: [r.pk for r in requests], **extra}, follow=False
    )


def test_changelist_filters_and_search(admin_client, requests_factory):
    young = requests_factory(sub="huissiers")[0]
    assert admin_client.get(CHANGELIST).status_code == 200
    page = admin_client.get(CHANGELIST, {"age_band": "moins_63"}).content.decode()
    assert young.reference in page
    page = admin_client.get(CHANGELIST, {"q": young.insured.immatriculation_number}).content.decode()
    assert young.reference in page
    category = young.subcategory.category_id
    assert young.reference in admin_client.get(CHANGELIST, {"categorie": category}).content.decode()
    other_category = admin_client.get(CHANGELIST, {"categorie": category + 1}).content.decode()
    assert young.reference not in other_category
    assert young.reference not in admin_client.get(CHANGELIST, {"status": "active"}).content.decode()


@pytest.fixture
def requests_factory_with_age(make_tns, submit_kwargs):
    def _make(age, **answers):
        return services.submit_pension_request(**submit_kwargs(make_tns(age=age), **answers))

    return _make


def test_age_band_filter(admin_client, requests_factory_with_age):
    young = requests_factory_with_age((40, 0))
    middle = requests_factory_with_age((63, 6), ajournement=False)
    old = requests_factory_with_age((64, 10), droit_supplementaire=True)
    page = admin_client.get(CHANGELIST, {"age_band": "63_64_9"}).content.decode()
    assert middle.reference in page and young.reference not in page and old.reference not in page
    page = admin_client.get(CHANGELIST, {"age_band": "64_9_65"}).content.decode()
    assert old.reference in page and middle.reference not in page


def test_changelist_queries_do_not_grow_with_rows(admin_client, requests_factory):
    requests_factory(1)
    admin_client.get(CHANGELIST)  # warm-up: session and permission caches
    with CaptureQueriesContext(connection) as one:
        admin_client.get(CHANGELIST)
    requests_factory(8)
    with CaptureQueriesContext(connection) as many:
        admin_client.get(CHANGELIST)
    assert len(many.captured_queries) == len(one.captured_queries)


def test_validate_then_activate_actions(admin_client, admin_user, requests_factory):
    request = requests_factory()[0]
    act(admin_client, "validate_selected", [request])
    request.refresh_from_db()
    assert request.status == PensionRequestStatus.VALIDATED
    act(admin_client, "activate_selected", [request])
    request.refresh_from_db()
    assert request.status == PensionRequestStatus.ACTIVE
    assert list(StatusChange.objects.filter(object_id=str(request.pk)).values_list("to_status", "changed_by")) == [
        ("active", admin_user.pk),
        ("validee", admin_user.pk),
    ]


def test_action_refuses_an_impossible_transition(admin_client, requests_factory):
    request = requests_factory()[0]
    response = act(admin_client, "activate_selected", [request])
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == PensionRequestStatus.RECEIVED
    assert not StatusChange.objects.filter(object_id=str(request.pk)).exists()


def test_reject_asks_for_a_reason_then_notifies(admin_client, requests_factory):
    request = requests_factory()[0]
    form = act(admin_client, "reject_selected", [request])
    assert form.status_code == 200
    assert "Motif du rejet" in form.content.decode()
    request.refresh_from_db()
    assert request.status == PensionRequestStatus.RECEIVED
    empty = act(admin_client, "reject_selected", [request], apply="1", reason="")
    assert "Indiquez le motif du rejet." in empty.content.decode()
    act(admin_client, "reject_selected", [request], apply="1", reason="Sous-catégorie erronée")
    request.refresh_from_db()
    assert request.status == PensionRequestStatus.REJECTED
    assert request.rejection_reason == "Sous-catégorie erronée"
    assert OutboundSms.objects.filter(to=request.insured.phone, body__contains="Sous-catégorie erronée").exists()


def _rows(response) -> list[list[str]]:
    content = b"".join(response).decode("utf-8-sig") if response.streaming else response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(content), delimiter=";"))


def test_csv_export_of_active_mandates(admin_client, requests_factory):
    active, waiting = requests_factory(2)
    services.validate_request(pension_request=active)
    services.activate_request(pension_request=active)
    insured = active.insured
    insured.last_name = "=HYPERLINK(1)"
    insured.save()
    response = admin_client.get(reverse("admin:pension_pensionrequest_export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = _rows(response)
    assert rows[0][:6] == [
        "reference",
        "numero_immatriculation",
        "nom",
        "montant_mensuel",
        "rib",
        "date_debut_prelevement",
    ]
    assert len(rows) == 2
    assert rows[1][0] == active.reference
    assert rows[1][1] == insured.immatriculation_number
    assert rows[1][2].startswith("'=")  # no formula injection in the bank's spreadsheet
    assert rows[1][3] == f"{active.monthly_amount:.2f}"
    assert rows[1][4] == active.rib
    assert rows[1][5] == active.debit_start_date.strftime("%d/%m/%Y")
    # The action exports only the active ones among the selection.
    rows = _rows(act(admin_client, "export_mandates", [active, waiting]))
    assert [r[0] for r in rows[1:]] == [active.reference]


def test_export_needs_staff(client, make_tns):
    person = make_tns()
    client.force_login(person.account)
    response = client.get(reverse("admin:pension_pensionrequest_export"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_change_page_is_read_only(admin_client, requests_factory):
    request = requests_factory()[0]
    url = reverse("admin:pension_pensionrequest_change", args=[request.pk])
    page = admin_client.get(url).content.decode()
    assert request.reference in page
    assert 'name="monthly_amount"' not in page
