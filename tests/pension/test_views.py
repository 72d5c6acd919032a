from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse

from accounts.models import BankDetails
from macnss.core.models import OutboundSms
from pension import services
from pension.models import PensionRequest
from tests.factories import UserFactory

from .conftest import make_rib

START = reverse("pension:start")
MULTIPLIER = reverse("pension:multiplier")
AGE = reverse("pension:age")
RIB = reverse("pension:rib")
CHECK = reverse("pension:check")


@pytest.fixture
def login(client):
    def _login(person):
        client.force_login(person.account)
        return client

    return _login


def text(response) -> str:
    return unescape(response.content.decode())


def rib_answers(person, **extra):
    return {"rib": make_rib(person.pk), "direct_debit_consent": "on", "legal_notice": "on", **extra}


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("pension:home"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("url_name", ["home", "start", "multiplier", "age", "rib", "check", "detail"])
def test_not_a_tns_paying_directly_gets_404(client, make_tns, url_name):
    employee = UserFactory()  # an employee (régime salarié)
    client.force_login(employee)
    assert client.get(reverse(f"pension:{url_name}")).status_code == 404
    tns_via_employer = make_tns(pays_contributions_directly=False)
    client.force_login(tns_via_employer.account)
    assert client.get(reverse(f"pension:{url_name}")).status_code == 404


def test_staff_without_insured_gets_404(client, admin_user):
    client.force_login(admin_user)
    assert client.get(reverse("pension:home")).status_code == 404


def test_home_without_request_offers_new_request(login, make_tns):
    response = login(make_tns()).get(reverse("pension:home"))
    html = text(response)
    assert "<h1>Pension facultative</h1>" in html
    assert "Nouvelle demande" in html
    assert "pas encore introduit" in html


def test_full_journey_under_63(login, make_tns):
    person = make_tns(sub="huissiers")
    client = login(person)
    page = text(client.get(START))
    assert "Huissiers de justice" in page and "537.45 DH" in page
    assert "Augmenter le montant de la cotisation" in page
    # Under 63 the age step is skipped.
    assert f'href="{RIB}"' in page
    assert client.get(AGE)["Location"] == RIB
    assert client.post(RIB, rib_answers(person))["Location"] == CHECK
    check = text(client.get(CHECK))
    assert "537.45 DH" in check and "Modifier" in check and "ajournement" not in check.lower()
    response = client.post(CHECK)
    assert response["Location"] == reverse("pension:confirmation")
    request = PensionRequest.objects.get(insured=person)
    assert request.monthly_amount == Decimal("537.45")
    confirmation = text(client.get(response["Location"]))
    assert request.reference in confirmation
    assert "537.45 DH" in confirmation
    assert request.debit_start_date.strftime("%d/%m/%Y") in confirmation
    assert "panel-success" in confirmation
    assert OutboundSms.objects.filter(to=person.phone, purpose="pension_request").count() == 1
    # The home page now lists it with its status.
    home = text(client.get(reverse("pension:home")))
    assert request.reference in home and "Reçue" in home


def test_multiplier_change_and_back_to_minimum(login, make_tns):
    person = make_tns()
    client = login(person)
    form = text(client.get(MULTIPLIER))
    assert "× 3 — 3394.44 DH par mois" in form
    response = client.post(MULTIPLIER, {"multiplier": "3"})
    assert response["Location"] == START
    page = text(client.get(START))
    assert "3394.44 DH" in page and "× 3" in page
    assert "Revenir à la cotisation minimale" in page
    client.post(START)
    page = text(client.get(START))
    assert "× 1" in page and "Revenir à la cotisation minimale" not in page


@pytest.mark.parametrize("value", ["11", "0", "abc", ""])
def test_multiplier_out_of_range_is_an_error(login, make_tns, value):
    client = login(make_tns())
    response = client.post(MULTIPLIER, {"multiplier": value})
    assert response.status_code == 200
    html = text(response)
    assert "Choisissez un multiplicateur entre 1 et 10." in html
    assert "error-summary" in html


def test_posted_amounts_are_ignored(login, make_tns):
    person = make_tns()
    client = login(person)
    client.post(MULTIPLIER, {"multiplier": "2"})
    client.post(RIB, rib_answers(person))
    client.post(CHECK, {"monthly_amount": "1.00", "multiplier": "10"})
    assert PensionRequest.objects.get(insured=person).monthly_amount == Decimal("2262.96")


def test_ajournement_question_between_63_and_64_9(login, make_tns):
    person = make_tns(age=(63, 6))
    client = login(person)
    assert f'href="{AGE}"' in text(client.get(START))
    # Skipping the question is not possible.
    assert client.get(RIB)["Location"] == AGE
    page = text(client.get(AGE))
    assert "liquidée à l'âge de 65 ans" in page
    response = client.post(AGE, {})
    assert "Indiquez si vous demandez l'ajournement" in text(response)
    assert client.post(AGE, {"ajournement": "oui"})["Location"] == RIB
    client.post(RIB, rib_answers(person))
    assert "Ajournement de la liquidation de la pension" in text(client.get(CHECK))
    client.post(CHECK)
    request = PensionRequest.objects.get(insured=person)
    assert request.ajournement is True and request.droit_supplementaire is None


def test_droit_supplementaire_from_64_9(login, make_tns):
    person = make_tns(age=(64, 10))
    client = login(person)
    page = text(client.get(AGE))
    assert "Je demande la constitution d'un droit supplémentaire" in page
    assert "liquidée à l'âge de 65 ans" in page
    client.post(AGE, {"droit_supplementaire": "on"})
    client.post(RIB, rib_answers(person))
    client.post(CHECK)
    request = PensionRequest.objects.get(insured=person)
    assert request.droit_supplementaire is True and request.ajournement is None


def test_droit_supplementaire_box_may_stay_unticked(login, make_tns):
    person = make_tns(age=(64, 11))
    client = login(person)
    assert client.post(AGE, {})["Location"] == RIB
    client.post(RIB, rib_answers(person))
    client.post(CHECK)
    assert PensionRequest.objects.get(insured=person).droit_supplementaire is False


def test_aged_65_is_refused_with_an_explanation(login, make_tns):
    person = make_tns(age=(65, 0))
    client = login(person)
    page = text(client.get(START))
    assert "Vous ne pouvez pas adhérer au régime facultatif des pensions" in page
    assert "Augmenter le montant" not in page
    for url in (MULTIPLIER, AGE, RIB, CHECK):
        assert client.get(url)["Location"] == START
    assert client.post(CHECK)["Location"] == START
    assert not PensionRequest.objects.exists()


def test_rib_and_both_boxes_are_required(login, make_tns):
    person = make_tns(with_rib=False)
    client = login(person)
    response = client.post(RIB, {"rib": "123"})
    html = text(response)
    assert "Le RIB doit comporter exactement 24 chiffres." in html
    assert "Cochez la case pour autoriser le prélèvement automatique des cotisations." in html
    assert "Cochez la case pour accepter les mentions légales." in html
    assert 'value="123"' in html  # the answer is kept
    assert client.get(CHECK)["Location"] == RIB


def test_rib_step_shows_the_current_rib_and_allows_changing_it(login, make_tns):
    person = make_tns()
    client = login(person)
    page = text(client.get(RIB))
    assert "RIB enregistré" in page and make_rib(person.pk)[-2:] in page
    assert reverse("pension:legal_notice") in page
    new_rib = make_rib(777)
    client.post(RIB, rib_answers(person, rib=new_rib))
    assert "remplacera celui de votre compte" in text(client.get(CHECK))
    client.post(CHECK)
    assert BankDetails.objects.get(insured=person).rib == new_rib


def test_missing_rib_is_entered_in_the_journey(login, make_tns):
    person = make_tns(with_rib=False)
    client = login(person)
    page = text(client.get(RIB))
    assert "RIB enregistré" not in page
    client.post(RIB, rib_answers(person))
    client.post(CHECK)
    assert BankDetails.objects.get(insured=person).rib == make_rib(person.pk)


def test_modifier_links_come_back_to_the_check_page(login, make_tns):
    person = make_tns()
    client = login(person)
    client.post(RIB, rib_answers(person))
    check = text(client.get(CHECK))
    assert f"{MULTIPLIER}?modifier=1" in check and f"{RIB}?modifier=1" in check
    assert client.post(f"{MULTIPLIER}?modifier=1", {"multiplier": "4"})["Location"] == CHECK
    assert "4525.92 DH" in text(client.get(CHECK))
    assert client.post(f"{RIB}?modifier=1", rib_answers(person))["Location"] == CHECK


def test_deep_link_to_check_goes_to_the_first_missing_step(login, make_tns):
    client = login(make_tns(age=(63, 1)))
    assert client.get(CHECK)["Location"] == AGE


def test_legal_notice_is_a_page_of_its_own(client, db):
    response = client.get(reverse("pension:legal_notice"))
    assert response.status_code == 200
    assert "<h1>Mentions légales</h1>" in text(response)


def test_second_new_request_shows_the_error_and_a_link(login, make_tns, submit_kwargs):
    person = make_tns()
    existing = services.submit_pension_request(**submit_kwargs(person))
    client = login(person)
    page = text(client.get(START))
    assert "Vous n'avez le droit d'introduire qu'une seule demande." in page
    assert existing.reference in page and reverse("pension:detail") in page
    assert "Augmenter le montant" not in page
    for url in (MULTIPLIER, AGE, RIB, CHECK):
        assert client.get(url)["Location"] == START
    assert PensionRequest.objects.filter(insured=person).count() == 1


def test_double_submit_gives_one_request_and_the_confirmation(login, make_tns):
    person = make_tns()
    client = login(person)
    client.post(RIB, rib_answers(person))
    first = client.post(CHECK)
    second = client.post(CHECK)
    assert first["Location"] == second["Location"] == reverse("pension:confirmation")
    assert PensionRequest.objects.filter(insured=person).count() == 1


def test_race_lost_shows_the_existing_request(login, make_tns, submit_kwargs, monkeypatch):
    """The other tab recorded the request between the page check and the service: no error page."""
    person = make_tns()
    client = login(person)
    client.post(RIB, rib_answers(person))
    real_submit = services.submit_pension_request

    def other_tab_first(**kwargs):
        real_submit(**submit_kwargs(person))
        return real_submit(**kwargs)

    monkeypatch.setattr(services, "submit_pension_request", other_tab_first)
    response = client.post(CHECK)
    assert response["Location"] == reverse("pension:confirmation")
    assert PensionRequest.objects.filter(insured=person).count() == 1


def test_someone_else_never_sees_my_request(login, make_tns, submit_kwargs):
    mine = services.submit_pension_request(**submit_kwargs(make_tns()))
    other = login(make_tns())
    for name in ("home", "detail", "confirmation"):
        response = other.get(reverse(f"pension:{name}"), follow=True)
        assert mine.reference not in text(response)


def test_detail_shows_rejection_reason(login, make_tns, submit_kwargs):
    person = make_tns()
    request = services.submit_pension_request(**submit_kwargs(person))
    services.reject_request(pension_request=request, reason="Catégorie à vérifier")
    page = text(login(person).get(reverse("pension:detail")))
    assert "Rejetée" in page and "Catégorie à vérifier" in page


def test_dashboard_shows_the_tile_and_the_request(login, make_tns, submit_kwargs):
    person = make_tns()
    client = login(person)
    dashboard = text(client.get(reverse("accounts:dashboard")))
    assert f'href="{reverse("pension:home")}"' in dashboard
    request = services.submit_pension_request(**submit_kwargs(person))
    dashboard = text(client.get(reverse("accounts:dashboard")))
    assert request.reference in dashboard and f'href="{reverse("pension:detail")}"' in dashboard


def test_no_tile_for_an_employee(client, db):
    user = UserFactory()
    client.force_login(user)
    assert reverse("pension:home") not in text(client.get(reverse("accounts:dashboard")))


def test_arabic_pages_render(login, make_tns):
    person = make_tns()
    client = login(person)
    response = client.get("/ar" + START)
    assert response.status_code == 200
    assert 'lang="ar"' in text(response)


@pytest.mark.parametrize("url", [reverse("pension:home"), START, CHECK, reverse("pension:detail")])
def test_pages_run_a_constant_number_of_queries(login, make_tns, submit_kwargs, django_assert_max_num_queries, url):
    person = make_tns()
    client = login(person)
    client.post(RIB, rib_answers(person))
    if url == reverse("pension:detail"):
        services.submit_pension_request(**submit_kwargs(person))
    with django_assert_max_num_queries(12):
        response = client.get(url)
    assert response.status_code in (200, 302)


def test_requests_provider_runs_one_query(make_tns, submit_kwargs, django_assert_num_queries):
    from pension.portal import pension_requests

    person = make_tns()
    with django_assert_num_queries(1):
        assert pension_requests(person) == []
    request = services.submit_pension_request(**submit_kwargs(person))
    with django_assert_num_queries(1):
        [summary] = pension_requests(person)
    assert summary.reference == request.reference and summary.status_label == "Reçue"
    assert summary.url == reverse("pension:detail")


def test_pension_pages_query_count_does_not_depend_on_other_requests(login, make_tns, submit_kwargs, count_queries):
    person = make_tns()
    services.submit_pension_request(**submit_kwargs(person))
    client = login(person)
    client.get(reverse("pension:home"))  # warm-up: the session is refreshed once
    before = {url: count_queries(client, url) for url in (reverse("pension:home"), reverse("pension:detail"))}
    for _ in range(5):
        services.submit_pension_request(**submit_kwargs(make_tns()))
    after = {url: count_queries(client, url) for url in before}
    assert after == before
    assert max(after.values()) <= 8
