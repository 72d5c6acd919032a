"""Audit H4, M5, L3, L7 on the public ASVI payment: a CNSS number and a captcha show nothing personal,
receipts cannot be enumerated, limits fail closed, links expire, and only CMI's approvals pay."""

import re
import subprocess
import time
from decimal import Decimal
from html import unescape

import pytest
from django.core import mail
from django.core.cache.backends.base import BaseCache
from django.db import DatabaseError
from django.urls import reverse
from django.utils import timezone

from accounts.models import Regime
from asvi_payment import cmi, selectors, services
from asvi_payment.models import AsviDue, CallbackRecord, OrderStatus, PaymentOrder
from macnss.core import throttle
from tests.factories import InsuredPersonFactory

STORE_KEY = "TEST1234"
CLIENT_ID = "600000000"
CARD = {"holder": "X", "card_number": "4000000000000010", "expiry_month": "12", "expiry_year": "2030",
        "cvv": "000", "accept": "on"}  # fmt: skip


@pytest.fixture(autouse=True)
def _gateway(settings):
    settings.ASVI_MOCK_CALLBACK_TRANSPORT = "tests.asvi_payment.transport.ClientCallbackTransport"
    settings.CMI_STORE_KEY = STORE_KEY
    settings.CMI_CLIENT_ID = CLIENT_ID
    settings.MOCK_CMI_ENABLED = True


@pytest.fixture
def member(db):
    person = InsuredPersonFactory(
        regime=Regime.ASVI,
        asvi_reference_salary=Decimal("2778.29"),
        last_name="ZEMMOURI",
        first_name="Khadija",
        email="khadija.zemmouri@example.ma",
        phone="+212661998877",
    )
    AsviDue.objects.create(
        insured=person, year=2020, quarter=1, amount=Decimal("1451.10"),
        reference=services.due_reference(person.immatriculation_number, 2020, 1),
    )  # fmt: skip
    return person


def personal_data(person) -> list[str]:
    return [
        person.last_name, person.last_name.title(), person.first_name, person.first_name.upper(),
        person.email, person.email.split("@")[0], person.phone, "0" + person.phone[-9:], person.phone[-9:],
        person.last_name_ar, person.first_name_ar,
    ]  # fmt: skip


def assert_nothing_personal(text: str, person, where: str):
    text = unescape(text)
    for value in personal_data(person):
        assert value not in text, f"{value!r} shown on {where}"


def hidden_fields(html: str) -> dict:
    form = html.split("data-autosubmit", 1)[1].split("</form>", 1)[0]
    return {k: unescape(v) for k, v in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)}


def pay_publicly(client, person, django_capture_on_commit_callbacks):
    """The public journey through the mock gateway; every page it shows, and the gateway form."""
    pages = {}
    lookup = client.post(
        reverse("asvi_payment:lookup"),
        {"number": person.immatriculation_number, "captcha_0": "x", "captcha_1": "PASSED"},
    )
    assert lookup.status_code == 302
    pages["dues"] = client.get(reverse("asvi_payment:dues")).content.decode()
    due = AsviDue.objects.get(insured=person)
    client.post(reverse("asvi_payment:dues"), {"dues": [due.pk], "card_type": "LOC", "accept_terms": "on"})
    pages["transaction"] = client.get(reverse("asvi_payment:transaction")).content.decode()
    token = re.search(r'name="token" value="([^"]+)"', pages["transaction"]).group(1)
    to_gateway = client.post(reverse("asvi_payment:transaction"), {"token": token})
    pages["redirect"] = client.get(to_gateway["Location"]).content.decode()
    fields = hidden_fields(pages["redirect"])
    card_url = client.post(reverse("cmi:mock_gate"), fields)["Location"]
    pages["gateway card page"] = client.get(card_url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        back_page = client.post(card_url, CARD).content.decode()
    back = hidden_fields(back_page)
    result = client.get(client.post(reverse("cmi:ok"), back)["Location"])
    pages["receipt"] = client.get(result["Location"]).content.decode()
    order = PaymentOrder.objects.get(insured=person)
    pages["verify"] = client.post(
        reverse("asvi_payment:verify_receipt"),
        {"reference": order.receipt_number, "paid_on": timezone.localtime(order.paid_at).strftime("%d/%m/%Y")},
    ).content.decode()
    return pages, fields, order


# --- H4 -------------------------------------------------------------------------------------------


def test_h4_no_name_email_or_phone_on_any_public_page_the_pdf_or_the_gateway_form(
    client, member, django_capture_on_commit_callbacks, tmp_path
):
    pages, fields, order = pay_publicly(client, member, django_capture_on_commit_callbacks)
    for where, html in pages.items():
        assert_nothing_personal(html, member, where)
    for where in ("dues", "transaction", "receipt", "verify"):
        assert "Z. K." in pages[where], where
    assert "Une lettre de confirmation est envoyée à l'adresse e-mail enregistrée, s'il y en a une." in unescape(
        pages["receipt"]
    )
    # The signed form that goes through the browser: initials, no e-mail and no phone field.
    assert fields["BillToName"] == "Z K"
    assert not {"email", "tel", "BillToTelVoice"} & {name for name in fields}
    assert_nothing_personal(" ".join(fields.values()), member, "the gateway form")
    assert cmi.verify(fields, STORE_KEY)
    # The receipt PDF prints the initials only.
    order.refresh_from_db()
    pdf = tmp_path / "recu.pdf"
    pdf.write_bytes(order.receipt_pdf.open("rb").read())
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Z. K." in text
    assert_nothing_personal(text, member, "the receipt PDF")
    # The confirmation letter of seed 003 still goes to the address on file.
    assert [m.to for m in mail.outbox] == [[member.email]]


def test_h4_a_member_without_e_mail_gets_the_same_receipt_sentence(client, member, django_capture_on_commit_callbacks):
    member.email = ""
    member.save()
    pages, _fields, _order = pay_publicly(client, member, django_capture_on_commit_callbacks)
    assert "s'il y en a une" in unescape(pages["receipt"])
    assert "Aucune adresse e-mail" not in unescape(pages["receipt"])
    assert not mail.outbox


# --- M5 -------------------------------------------------------------------------------------------


def test_m5_receipt_numbers_are_random_not_sequential(db):
    numbers = {services.new_receipt_number() for _ in range(200)}
    assert len(numbers) == 200
    for number in numbers:
        assert re.fullmatch(r"RA-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}-[2-9A-HJKMNP-TV-Z]{4}", number)


def test_m5_a_paid_order_is_not_numbered_from_its_year_and_id(member, django_capture_on_commit_callbacks):
    due = AsviDue.objects.get(insured=member)
    order = services.create_payment_order(person=member, due_ids=[due.pk], card_type="LOC", idempotency_key="m5")
    services.handle_callback(fields=approved_callback(order))
    order.refresh_from_db()
    assert order.is_paid
    assert order.receipt_number != f"RA{order.paid_at:%Y}{order.pk:07d}"
    assert re.fullmatch(r"RA-\w{4}-\w{4}-\w{4}", order.receipt_number)


class RedisDown(BaseCache):
    def __init__(self, *args, **kwargs):
        super().__init__({})

    def add(self, *args, **kwargs):
        raise ConnectionError("Connection refused")

    incr = add


def check_receipt(client, n):
    return client.post(
        reverse("asvi_payment:verify_receipt"), {"reference": f"RA-2222-2222-{n:04d}", "paid_on": "01/01/2026"}
    ).content.decode()


def test_m5_receipt_check_limit_holds_with_redis_down(client, db, settings):
    settings.CACHES = {**settings.CACHES, "down": {"BACKEND": "tests.security.test_public_asvi.RedisDown"}}
    settings.THROTTLE_CACHE = "down"
    answers = [check_receipt(client, n) for n in range(31)]
    assert all("Trop de vérifications" not in html for html in answers[:30])
    assert "Trop de vérifications" in answers[30]


def test_m5_receipt_check_and_lookup_refuse_when_redis_and_the_database_are_down(client, db, settings, monkeypatch):
    settings.CACHES = {**settings.CACHES, "down": {"BACKEND": "tests.security.test_public_asvi.RedisDown"}}
    settings.THROTTLE_CACHE = "down"

    def database_down(*args, **kwargs):
        raise DatabaseError("the counting table is unreachable")

    monkeypatch.setattr(throttle, "_count_in_database", database_down)
    assert "Trop de vérifications" in check_receipt(client, 1)
    lookup = client.post(
        reverse("asvi_payment:lookup"), {"number": "200000001", "captcha_0": "x", "captcha_1": "PASSED"}
    )
    assert "Trop de recherches" in lookup.content.decode()


def test_m5_the_receipt_check_answers_type_date_amount_initials_and_nothing_more(
    client, member, django_capture_on_commit_callbacks
):
    pages, _fields, order = pay_publicly(client, member, django_capture_on_commit_callbacks)
    answer = unescape(pages["verify"]).split('role="status"', 1)[1].split("</dl>", 1)[0]
    assert "Reçu de règlement des cotisations d'assurance volontaire (ASVI)" in answer
    assert "1467.06" in answer and "Z. K." in answer
    for not_shown in (member.immatriculation_number, order.oid, order.trans_id, order.masked_card, "2020"):
        assert not_shown not in answer


# --- L3 -------------------------------------------------------------------------------------------


def approved_callback(order, **changes):
    _url, request_fields = services.gateway_request(order, absolute=lambda path: f"http://testserver{path}")
    fields = {k: v for k, v in request_fields.items() if k != "HASH"}
    fields.update({"ProcReturnCode": "00", "Response": "Approved", "AuthCode": "123456", "TransId": "T1"})
    fields.update(changes)
    return cmi.sign({k: v for k, v in fields.items() if v is not None}, STORE_KEY)


@pytest.fixture
def order(member):
    due = AsviDue.objects.get(insured=member)
    return services.create_payment_order(person=member, due_ids=[due.pk], card_type="LOC", idempotency_key="l3")


def test_l3_our_own_signed_request_is_not_a_callback(order):
    _url, request_fields = services.gateway_request(order, absolute=lambda path: f"http://testserver{path}")
    outcome = services.handle_callback(fields=dict(request_fields))
    assert outcome.reply == "FAILURE"
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING and order.last_return_code == ""
    assert selectors.last_decline(order) is None  # not shown to the payer as a bank refusal


@pytest.mark.parametrize(
    "changes",
    [
        {"Response": None},
        {"Response": "Declined"},
        {"AuthCode": ""},
        {"AuthCode": None},
        {"TransId": ""},
        {"TransId": None},
        {"clientid": "600000999"},
    ],
)
def test_l3_an_approval_without_response_authcode_transid_or_our_clientid_pays_nothing(order, changes):
    outcome = services.handle_callback(fields=approved_callback(order, **changes))
    assert outcome.reply == "FAILURE"
    order.refresh_from_db()
    assert order.status == OrderStatus.PENDING
    assert AsviDue.objects.get(insured=order.insured).status == "unpaid"


def test_l3_a_complete_approval_still_pays(order):
    assert services.handle_callback(fields=approved_callback(order)).reply == "ACTION=POSTAUTH"
    order.refresh_from_db()
    assert order.is_paid


def test_l3_a_body_with_a_bad_hash_is_stored_as_a_bounded_sample(client, order):
    fields = approved_callback(order)
    fields["HASH"] = "forged"
    fields.update({f"junk{n}": "x" * 5000 for n in range(300)})
    response = client.post(reverse("cmi:callback"), fields)
    assert response.content == b"FAILURE"
    record = CallbackRecord.objects.get()
    assert record.hash_valid is False
    assert len(record.raw_fields) <= 21
    assert all(len(k) <= 40 and len(v) <= 64 for k, v in record.raw_fields.items())
    assert int(record.raw_fields["_fields_received"]) == len(fields)


# --- L7 -------------------------------------------------------------------------------------------


def paid(order):
    services.handle_callback(fields=approved_callback(order))
    order.refresh_from_db()
    return order


def token_made_days_ago(order, days, monkeypatch):
    then = time.time() - days * 86400
    with monkeypatch.context() as patch:
        patch.setattr(time, "time", lambda: then)
        return selectors.order_token(order)


@pytest.mark.parametrize("name", ["receipt", "receipt_pdf", "result"])
def test_l7_a_receipt_link_older_than_30_days_is_refused(client, order, monkeypatch, name):
    order = paid(order)
    old = token_made_days_ago(order, 31, monkeypatch)
    response = client.get(reverse(f"asvi_payment:{name}", kwargs={"token": old}))
    assert response.status_code == 410
    assert "Ce lien a expiré" in response.content.decode()
    assert order.receipt_number not in response.content.decode()
    recent = token_made_days_ago(order, 29, monkeypatch)
    assert client.get(reverse("asvi_payment:receipt", kwargs={"token": recent})).status_code == 200


def test_l7_the_owner_logged_in_still_opens_an_old_link(client, order, monkeypatch):
    from tests.factories import UserFactory

    order = paid(order)
    old = token_made_days_ago(order, 90, monkeypatch)
    someone_else = UserFactory()
    client.force_login(someone_else)
    assert client.get(reverse("asvi_payment:receipt", kwargs={"token": old})).status_code == 410
    client.force_login(UserFactory(insured=order.insured))
    response = client.get(reverse("asvi_payment:receipt", kwargs={"token": old}))
    assert response.status_code == 200
    assert order.receipt_number in response.content.decode()
