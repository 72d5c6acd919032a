"""«Retrouver mon numéro d'immatriculation» and «Mot de passe oublié»: nothing is revealed before the SMS code."""

from html import unescape

import pytest
from django.urls import reverse

from accounts.models import OneTimeCode
from macnss.core.models import OutboundSms
from tests.conftest import otp_from_sms
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _identity(person, **overrides):
    data = {
        "id_document_type": person.id_document_type,
        "id_document_number": person.id_document_number,
        "birth_date": person.birth_date.strftime("%d/%m/%Y"),
        "captcha_0": "x",
        "captcha_1": "PASSED",
    }
    return {**data, **overrides}


def test_recover_number_sends_a_code_and_shows_the_number_only_after_it(client, insured):
    start = client.post(reverse("accounts:recover_number"), _identity(insured))
    assert start.status_code == 302
    code_page = client.get(start["Location"]).content.decode()
    assert insured.immatriculation_number not in code_page
    assert client.get(reverse("accounts:recover_number_result")).status_code == 302  # not before the code
    code = otp_from_sms(OutboundSms.objects.get(to=insured.phone).body)
    done = client.post(start["Location"], {"code": code})
    assert done["Location"] == reverse("accounts:recover_number_result")
    assert insured.immatriculation_number in client.get(done["Location"]).content.decode()


def test_unknown_identity_gets_the_same_next_page_and_no_sms(client, insured):
    known = client.post(reverse("accounts:recover_number"), _identity(insured))
    other_client = client.__class__()
    unknown = other_client.post(reverse("accounts:recover_number"), _identity(insured, birth_date="01/01/1950"))
    assert known["Location"] == unknown["Location"]
    assert client.get(known["Location"]).content.decode().count("Renvoyer le code") == 1
    assert other_client.get(unknown["Location"]).status_code == 200
    assert OutboundSms.objects.count() == 1  # only the real person got a text
    page = other_client.post(unknown["Location"], {"code": "123456"}).content.decode()
    assert "incorrect" in page


def test_wrong_code_then_resend(client, insured):
    start = client.post(reverse("accounts:recover_number"), _identity(insured))
    page = client.post(start["Location"], {"code": "000000"}).content.decode()
    assert "Il y a un problème" in page
    client.post(start["Location"], {"resend": "1"})
    assert OutboundSms.objects.filter(to=insured.phone).count() == 2
    newest = otp_from_sms(OutboundSms.objects.filter(to=insured.phone).latest("pk").body)
    assert client.post(start["Location"], {"code": newest})["Location"] == reverse("accounts:recover_number_result")


def test_identity_form_errors_keep_the_other_answers(client, insured):
    page = client.post(
        reverse("accounts:recover_number"), _identity(insured, birth_date="31/02/1980", captcha_1="")
    ).content.decode()
    assert "Cette date n'existe pas" in unescape(page)
    assert f'value="{insured.id_document_number}"' in page
    assert 'href="#id_birth_date"' in page  # the summary links to the field


def test_password_recovery_by_sms_code(client, insured_user):
    start = client.post(
        reverse("accounts:password_recovery"),
        {"number": insured_user.username, "captcha_0": "x", "captcha_1": "PASSED"},
    )
    code = otp_from_sms(OutboundSms.objects.get(purpose="otp:password_recovery").body)
    new = "ma nouvelle phrase secrète"
    done = client.post(start["Location"], {"code": code, "new_password1": new, "new_password2": new})
    assert done["Location"] == reverse("accounts:login")
    insured_user.refresh_from_db()
    assert insured_user.check_password(new) and not insured_user.check_password(PASSWORD)


def test_password_recovery_for_an_unknown_number_looks_the_same(client, db):
    start = client.post(
        reverse("accounts:password_recovery"), {"number": "999999999", "captcha_0": "x", "captcha_1": "PASSED"}
    )
    assert start["Location"] == reverse("accounts:password_recovery_code")
    assert not OutboundSms.objects.exists()
    assert OneTimeCode.objects.filter(phone="").count() == 1


def test_captcha_refresh_keeps_answers_and_shows_no_error(client, insured):
    page = client.post(
        reverse("accounts:recover_number"), {**_identity(insured), "_refresh_captcha": "1"}
    ).content.decode()
    assert "Il y a un problème" not in page
    assert f'value="{insured.id_document_number}"' in page


def test_per_ip_limit_on_recover_number(client, insured):
    for _ in range(10):
        client.post(reverse("accounts:recover_number"), _identity(insured, birth_date="01/01/1950"))
    page = client.post(reverse("accounts:recover_number"), _identity(insured)).content.decode()
    assert "Trop de demandes" in page


def test_otp_page_with_captcha_draws_it_and_refresh_keeps_the_code(client, insured):
    from shared_steps.forms import OtpForm

    form = OtpForm(with_captcha=True)
    from crispy_forms.utils import render_crispy_form

    assert 'name="captcha_1"' in render_crispy_form(form)
