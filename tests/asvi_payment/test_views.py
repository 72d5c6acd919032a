"""The public journey, the mock gateway and the merchant endpoints, through the test client."""

import re
from decimal import Decimal
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Regime
from asvi_payment import cmi, selectors
from asvi_payment.models import AsviDue, CallbackRecord, DueStatus, MockCmiPayment, OrderStatus, PaymentOrder
from macnss.core.portal import requests_for, services_for
from tests.factories import InsuredPersonFactory

from . import transport
from .conftest import callback_fields, make_due

NEUTRAL = "Aucune cotisation d'assurance volontaire n'est à payer en ligne pour ce numéro"


def lookup(client, number):
    return client.post(reverse("asvi_payment:lookup"), {"number": number, "captcha_0": "x", "captcha_1": "PASSED"})


def hidden_fields(html: str) -> dict:
    """The fields of the auto-submitted form (not the header's CSRF-protected forms)."""
    form = html.split("data-autosubmit", 1)[1].split("</form>", 1)[0]
    return dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form))


def to_transaction(client, member, dues, card_type="LOC"):
    assert lookup(client, member.immatriculation_number).status_code == 302
    response = client.post(
        reverse("asvi_payment:dues"),
        {"dues": [d.pk for d in dues], "card_type": card_type, "accept_terms": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return client.get(reverse("asvi_payment:transaction"))


def to_gateway(client, member, dues):
    page = to_transaction(client, member, dues)
    token = re.search(r'name="token" value="([^"]+)"', page.content.decode()).group(1)
    response = client.post(reverse("asvi_payment:transaction"), {"token": token})
    assert response.status_code == 303
    redirect_page = client.get(response["Location"])
    fields = {k: unescape(v) for k, v in hidden_fields(redirect_page.content.decode()).items()}
    return redirect_page, fields


def test_start_page_offers_the_three_choices(client):
    html = client.get(reverse("asvi_payment:start")).content.decode()
    for label in ("AFFILIÉ", "EMPLOYEUR DE MAISON", "ASSURÉ ASVI"):
        assert label in html
    assert reverse("asvi_payment:lookup") in html


@pytest.mark.django_db
def test_unknown_and_non_asvi_numbers_get_the_same_answer(client):
    employee = InsuredPersonFactory(regime=Regime.EMPLOYEE)
    unknown = lookup(client, "999999999")
    non_asvi = lookup(client, employee.immatriculation_number)
    assert unknown.status_code == non_asvi.status_code == 200
    assert NEUTRAL in unescape(unknown.content.decode())
    assert NEUTRAL in unescape(non_asvi.content.decode())
    assert "asvi_payment" not in client.session


@pytest.mark.django_db
def test_lookup_validates_number_and_captcha(client):
    response = client.post(reverse("asvi_payment:lookup"), {"number": "12", "captcha_0": "x", "captcha_1": "NOPE"})
    html = response.content.decode()
    assert "Le numéro d'immatriculation comporte 9 chiffres." in unescape(html)
    assert "Le code de vérification ne correspond pas" not in html  # checked once the number is right
    assert 'class="error-summary"' in html
    assert 'value="12"' in html  # the answer is kept
    response = client.post(
        reverse("asvi_payment:lookup"), {"number": "100000001", "captcha_0": "x", "captcha_1": "NOPE"}
    )
    assert "Le code de vérification ne correspond pas" in response.content.decode()


@pytest.mark.django_db
def test_lookup_is_rate_limited_per_ip(client):
    for _ in range(20):
        lookup(client, "999999999")
    response = lookup(client, "999999999")
    assert "Trop de recherches depuis votre connexion" in response.content.decode()


def test_dues_page_lists_only_this_persons_unpaid_quarters(client, member, due_2020_t1):
    other = InsuredPersonFactory(regime=Regime.ASVI)
    make_due(other, 2019, 4, "999.99")
    paid = make_due(member, 2019, 3, "888.88")
    AsviDue.objects.filter(pk=paid.pk).update(status=DueStatus.PAID)
    lookup(client, member.immatriculation_number)
    html = client.get(reverse("asvi_payment:dues")).content.decode()
    assert "1451.10" in html
    assert "999.99" not in html and "888.88" not in html
    assert "Nombre total d'articles impayés" in html
    assert "BPC pour encaissements ASVI" in html


def test_dues_page_needs_the_lookup_first(client, due_2020_t1):
    assert client.get(reverse("asvi_payment:dues"))["Location"] == reverse("asvi_payment:lookup")


def test_recalculate_works_without_javascript(client, member, due_2020_t1):
    make_due(member, 2026, 1, "100.00")
    lookup(client, member.immatriculation_number)
    response = client.post(
        reverse("asvi_payment:dues"), {"dues": [due_2020_t1.pk], "card_type": "LOC", "recalculate": "1"}
    )
    html = response.content.decode()
    assert re.search(r'id="dues-total"[^>]*>1451.10<', html)
    assert "error-summary" not in html


def test_dues_form_errors_are_shown_and_answers_kept(client, member, due_2020_t1):
    lookup(client, member.immatriculation_number)
    response = client.post(reverse("asvi_payment:dues"), {"card_type": "INT"})
    html = response.content.decode()
    assert "Cochez au moins un trimestre à payer." in html
    assert "Cochez la case pour accepter les conditions générales de paiement." in html
    assert 'href="#id_dues_0"' in html
    assert re.search(r'value="INT"[^>]*checked', html)


@pytest.mark.parametrize("count", [1, 40])
def test_dues_page_runs_a_constant_number_of_queries(client, member, count, django_assert_max_num_queries):
    for i in range(count):
        make_due(member, 1990 + i // 4, i % 4 + 1, "100.00")
    lookup(client, member.immatriculation_number)
    with django_assert_max_num_queries(6):
        response = client.get(reverse("asvi_payment:dues"))
    assert response.content.decode().count('name="dues"') == count


def test_transaction_page_shows_the_fee_as_quarter_five(client, member, due_2020_t1):
    html = to_transaction(client, member, [due_2020_t1]).content.decode()
    assert "1467.06" in html
    assert "15.96" in html
    assert "Frais de traitement" in html
    assert "LOC" in html
    assert re.search(r"<td>5</td>\s*<td[^>]*>15.96<", html)


def test_double_valider_makes_one_order_and_a_signed_gateway_form(client, member, due_2020_t1):
    page = to_transaction(client, member, [due_2020_t1])
    token = re.search(r'name="token" value="([^"]+)"', page.content.decode()).group(1)
    first = client.post(reverse("asvi_payment:transaction"), {"token": token})
    second = client.post(reverse("asvi_payment:transaction"), {"token": token})
    assert first["Location"] == second["Location"]
    assert PaymentOrder.objects.count() == 1
    html = client.get(first["Location"]).content.decode()
    assert 'action="http://testserver/mock-cmi/fim/est3Dgate"' in html
    assert "autosubmit.js" in html
    fields = {k: unescape(v) for k, v in hidden_fields(html).items()}
    assert fields["amount"] == "1467.06"
    assert fields["callbackUrl"] == "http://testserver/paiement/cmi/callback/"
    assert fields["itemCode2"] == "202005"
    assert cmi.verify(fields, "TEST1234")


def test_gateway_redirect_page_is_only_for_the_looked_up_person(client, member, due_2020_t1, order):
    url = reverse("asvi_payment:redirect_to_gateway", kwargs={"token": selectors.order_token(order)})
    other = InsuredPersonFactory(regime=Regime.ASVI)
    make_due(other, 2020, 2)
    lookup(client, other.immatriculation_number)
    assert client.get(url).status_code == 404
    assert client.get(url.replace(":", "x", 1)).status_code == 404


def test_full_journey_through_the_mock_with_an_approved_card(
    client, member, due_2020_t1, django_capture_on_commit_callbacks
):
    _page, fields = to_gateway(client, member, [due_2020_t1])
    gate = client.post(reverse("cmi:mock_gate"), fields)
    assert gate.status_code == 302
    card_url = gate["Location"]
    html = client.get(card_url).content.decode()
    for label in ("DÉTAIL DE LA COMMANDE", "DÉTAIL MARCHAND", "INFORMATIONS DU CLIENT", "202001", "202005", "1467.06"):
        assert label in html
    with django_capture_on_commit_callbacks(execute=True):  # the worker builds the receipt after commit
        response = client.post(
            card_url,
            {"holder": "Salma Bennani", "card_number": "4000 0000 0000 0010", "expiry_month": "12",
             "expiry_year": str(2030), "cvv": "000", "accept": "on"},
        )  # fmt: skip
    html = response.content.decode()
    assert "Paiement accepté" in html
    mock = MockCmiPayment.objects.get()
    assert mock.callback_reply == "ACTION=POSTAUTH"
    order = PaymentOrder.objects.get()
    assert order.is_paid
    back = {k: unescape(v) for k, v in hidden_fields(html).items()}
    assert back["ProcReturnCode"] == "00"
    assert cmi.verify(back, "TEST1234")
    ok = client.post(reverse("cmi:ok"), back)
    assert ok.status_code == 303
    result = client.get(ok["Location"])
    assert result.status_code == 303
    receipt = client.get(result["Location"])
    assert "Reçu de règlement" in receipt.content.decode()
    assert order.receipt_number in receipt.content.decode()
    pdf = client.get(reverse("asvi_payment:receipt_pdf", kwargs={"token": selectors.order_token(order)}))
    assert b"".join(pdf.streaming_content).startswith(b"%PDF")
    # the quarter is no longer unpaid
    dues_html = client.get(reverse("asvi_payment:dues")).content.decode()
    assert "Vous n'avez aucun trimestre à payer" in dues_html


def test_three_d_secure_card_needs_code_123(client, member, due_2020_t1):
    _page, fields = to_gateway(client, member, [due_2020_t1])
    card_url = client.post(reverse("cmi:mock_gate"), fields)["Location"]
    step = client.post(
        card_url,
        {"holder": "S B", "card_number": "5191630100004896", "expiry_month": "12", "expiry_year": "2030",
         "cvv": "000", "accept": "on"},
    )  # fmt: skip
    assert step.status_code == 302
    wrong = client.post(step["Location"], {"code": "999"})
    assert "Code d'authentification incorrect" in unescape(wrong.content.decode())
    assert not PaymentOrder.objects.get().is_paid
    right = client.post(step["Location"], {"code": "123"})
    assert "Paiement accepté" in right.content.decode()
    assert PaymentOrder.objects.get().is_paid
    assert transport.calls[-1]["mdStatus"] == "1"


@pytest.mark.parametrize(("card", "code"), [("4000000000000002", "05"), ("4000000000009995", "51")])
def test_declining_cards(client, member, due_2020_t1, card, code):
    _page, fields = to_gateway(client, member, [due_2020_t1])
    card_url = client.post(reverse("cmi:mock_gate"), fields)["Location"]
    response = client.post(
        card_url,
        {
            "holder": "S B",
            "card_number": card,
            "expiry_month": "12",
            "expiry_year": "2030",
            "cvv": "000",
            "accept": "on",
        },
    )
    html = response.content.decode()
    assert "Paiement refusé" in html
    assert 'action="http://testserver/paiement/cmi/fail/"' in html
    assert MockCmiPayment.objects.get().callback_reply == "APPROVED"
    back = {k: unescape(v) for k, v in hidden_fields(html).items()}
    result = client.get(client.post(reverse("cmi:fail"), back)["Location"])
    assert "Paiement refusé" in result.content.decode()
    assert code in result.content.decode()
    due_2020_t1.refresh_from_db()
    assert due_2020_t1.status == DueStatus.UNPAID


def test_card_form_validation(client, member, due_2020_t1):
    _page, fields = to_gateway(client, member, [due_2020_t1])
    card_url = client.post(reverse("cmi:mock_gate"), fields)["Location"]
    html = client.post(
        card_url, {"holder": "", "card_number": "1234", "expiry_month": "01", "expiry_year": "2020", "cvv": "1"}
    ).content.decode()
    for message in (
        "Saisissez le nom du porteur",
        "Le numéro de carte comporte 16 chiffres.",
        "Le code de vérification comporte 3 chiffres.",
        "Cochez la case pour accepter",
    ):
        assert message in html
    unknown = client.post(
        card_url,
        {
            "holder": "S B",
            "card_number": "4111111111111111",
            "expiry_month": "12",
            "expiry_year": "2030",
            "cvv": "000",
            "accept": "on",
        },
    ).content.decode()
    assert "cartes de test" in unknown
    assert not transport.calls or transport.calls[-1].get("oid") != fields["oid"]


def test_cancel_returns_to_the_shop_without_paying(client, member, due_2020_t1):
    _page, fields = to_gateway(client, member, [due_2020_t1])
    token = client.post(reverse("cmi:mock_gate"), fields)["Location"].rstrip("/").split("/")[-1]
    response = client.post(reverse("cmi:mock_cancel", kwargs={"token": token}))
    assert response["Location"] == fields["shopurl"]
    assert MockCmiPayment.objects.get().result == "cancelled"
    assert not CallbackRecord.objects.exists()
    assert PaymentOrder.objects.get().status == OrderStatus.PENDING


def test_mock_refuses_a_tampered_request(client, member, due_2020_t1):
    _page, fields = to_gateway(client, member, [due_2020_t1])
    fields["amount"] = "1.00"
    response = client.post(reverse("cmi:mock_gate"), fields)
    assert response.status_code == 400
    assert "HASH" in response.content.decode()
    assert not MockCmiPayment.objects.exists()


def test_mock_never_calls_another_host(client, member, due_2020_t1, settings):
    _page, fields = to_gateway(client, member, [due_2020_t1])
    fields["callbackUrl"] = "http://169.254.169.254/latest/"
    fields = cmi.sign(fields, "TEST1234")
    card_url = client.post(reverse("cmi:mock_gate"), fields)["Location"]
    before = len(transport.calls)
    client.post(
        card_url,
        {
            "holder": "S B",
            "card_number": "4000000000000010",
            "expiry_month": "12",
            "expiry_year": "2030",
            "cvv": "000",
            "accept": "on",
        },
    )
    assert len(transport.calls) == before
    assert "refusée" in MockCmiPayment.objects.get().callback_error
    assert not PaymentOrder.objects.get().is_paid


def test_mock_is_off_when_disabled(client, settings):
    settings.MOCK_CMI_ENABLED = False
    assert client.post(reverse("cmi:mock_gate"), {}).status_code == 404


def test_callback_endpoint_is_post_only_and_csrf_exempt(client, order):
    assert client.get(reverse("cmi:callback")).status_code == 405
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(reverse("cmi:callback"), callback_fields(order))
    assert response.content == b"ACTION=POSTAUTH"
    assert response["Content-Type"].startswith("text/plain")


def test_ok_url_refuses_bad_hash_and_shows_pending_until_callback(client, order):
    fields = callback_fields(order)
    assert client.post(reverse("cmi:ok"), {**fields, "amount": "1.00"}).status_code == 400
    result = client.get(client.post(reverse("cmi:ok"), fields)["Location"])
    assert result.status_code == 200
    assert "Paiement en cours de confirmation" in result.content.decode()
    assert "Actualiser" in result.content.decode()
    assert not PaymentOrder.objects.get().is_paid  # the browser return never pays


def test_ok_url_sends_arabic_orders_to_arabic_pages(client, member, due_2020_t1):
    from asvi_payment import services

    order = services.create_payment_order(
        person=member, due_ids=[due_2020_t1.pk], card_type="LOC", idempotency_key="ar", language="ar"
    )
    assert client.post(reverse("cmi:ok"), callback_fields(order))["Location"].startswith("/ar/paiement/")


def test_receipt_needs_a_valid_token_and_a_paid_order(client, order):
    token = selectors.order_token(order)
    assert client.get(reverse("asvi_payment:receipt", kwargs={"token": token})).status_code == 404
    assert client.get(reverse("asvi_payment:receipt", kwargs={"token": "forged"})).status_code == 404


def test_verify_receipt_page(client, order):
    from asvi_payment import services

    services.handle_callback(fields=callback_fields(order))
    order.refresh_from_db()
    url = reverse("asvi_payment:verify_receipt")
    paid_on = timezone.localtime(order.paid_at).strftime("%d/%m/%Y")  # Casablanca's date, not UTC's
    prefilled = client.get(url, {"reference": order.receipt_number, "date": paid_on})
    assert order.receipt_number in prefilled.content.decode()
    good = client.post(url, {"reference": order.receipt_number.lower(), "paid_on": paid_on})
    html = good.content.decode()
    assert "Ce reçu est authentique." in html
    assert f"{order.insured.last_name[0]}. {order.insured.first_name[0]}." in html
    assert order.insured.last_name not in html
    bad = client.post(url, {"reference": order.receipt_number, "paid_on": "01/01/2001"})
    assert "Aucun reçu ne correspond" in bad.content.decode()


def test_portal_tile_and_my_requests(member, order):
    from asvi_payment import services

    employee = InsuredPersonFactory(regime=Regime.EMPLOYEE)
    assert "asvi_payment" in [s.key for s in services_for(member)]
    assert "asvi_payment" not in [s.key for s in services_for(employee)]
    services.handle_callback(fields=callback_fields(order))
    order.refresh_from_db()
    summaries = [r for r in requests_for(member) if r.reference == order.receipt_number]
    assert len(summaries) == 1
    assert summaries[0].url.startswith("/paiement/recu/")


def test_demo_seed_is_idempotent(db):
    from asvi_payment import demo

    demo.seed()
    demo.seed()
    member = AsviDue.objects.get(year=2020, quarter=1).insured
    assert AsviDue.objects.filter(insured=member).count() == 3
    assert AsviDue.objects.get(year=2020, quarter=1).amount == Decimal("1451.10")
    assert selectors.find_asvi_member(demo.NON_ASVI_NUMBER) is None
    assert selectors.find_asvi_member(demo.ASVI_NUMBER) == member


def test_management_commands(member, rate, order):
    from datetime import timedelta

    from django.core.management import call_command
    from django.utils import timezone

    call_command("asvi_generate_dues", year=2026, quarter=3)
    call_command("asvi_generate_dues", year=2026, quarter=3)
    assert AsviDue.objects.filter(insured=member, year=2026, quarter=3).count() == 1
    PaymentOrder.objects.filter(pk=order.pk).update(created_at=timezone.now() - timedelta(minutes=90))
    call_command("asvi_reconcile_payments", minutes=60)
    order.refresh_from_db()
    assert order.status == OrderStatus.EXPIRED


def test_receipt_pdf_is_never_built_in_the_request(client, member, due_2020_t1):
    from decimal import Decimal

    from django.utils import timezone

    order = PaymentOrder.objects.create(
        oid="ASVI-T-1", insured=member, idempotency_key="k1", selection_key="1", card_type="LOC",
        quarters_amount=Decimal("1451.10"), fee_amount=Decimal("15.96"), amount=Decimal("1467.06"),
        status="paid", paid_at=timezone.now(), receipt_number="RA-T-1",
    )  # fmt: skip
    token = selectors.order_token(order)
    page = client.get(reverse("asvi_payment:receipt", kwargs={"token": token})).content.decode()
    assert "en cours de préparation" in page
    response = client.get(reverse("asvi_payment:receipt_pdf", kwargs={"token": token}))
    assert response.status_code == 302
    order.refresh_from_db()
    assert not order.receipt_pdf


def test_a_journey_started_before_the_number_was_kept_still_shows_the_dues(client, member):
    from asvi_payment.views import SESSION_KEY

    make_due(member, 2020, 1)
    session = client.session
    session[SESSION_KEY] = {"insured": member.pk}  # as stored before the number was kept too
    session.save()
    response = client.get(reverse("asvi_payment:dues"))
    assert response.status_code == 200
    assert member.immatriculation_number in response.content.decode()
    assert client.session[SESSION_KEY]["number"] == member.immatriculation_number
