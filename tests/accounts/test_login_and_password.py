from html import unescape

import pytest
from django.urls import reverse

from accounts import services
from accounts.models import User
from macnss.core.models import OutboundSms
from tests.factories import PASSWORD, InsuredPersonFactory, UserFactory

pytestmark = pytest.mark.django_db
LOGIN = "/compte/connexion/"


def _login(client, number, password):
    return client.post(LOGIN, {"username": number, "password": password})


def test_login_with_number_and_password_lands_on_the_private_home(client, insured_user):
    response = _login(client, insured_user.username, PASSWORD)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:dashboard")
    home = client.get(reverse("accounts:dashboard"))
    assert insured_user.insured.immatriculation_number in home.content.decode()


def test_wrong_password_gives_a_message_in_the_summary_and_keeps_the_number(client, insured_user):
    response = _login(client, insured_user.username, "nope")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Il y a un problème" in page
    assert "Numéro d'immatriculation, CIN ou mot de passe incorrect" in unescape(page)
    assert f'value="{insured_user.username}"' in page


def test_number_must_have_nine_digits(client, db):
    page = _login(client, "12345", "x").content.decode()
    assert "comporte 9 chiffres" in page


def test_lockout_after_twenty_failures_in_an_hour(client, insured_user):
    for attempt in range(20):
        data = {"username": insured_user.username, "password": "wrong-password"}
        if attempt >= 5:
            data |= {"captcha_0": "x", "captcha_1": "PASSED"}
        response = client.post(LOGIN, data)
    assert response.status_code == 429  # the twentieth failure locks at once
    response = client.post(
        LOGIN, {"username": insured_user.username, "password": PASSWORD, "captcha_0": "x", "captcha_1": "PASSED"}
    )
    assert response.status_code == 429
    assert "bloquée pendant 30 minutes" in unescape(response.content.decode())
    assert "_auth_user_id" not in client.session


def test_login_with_the_cin_in_any_case_and_spacing(client, insured_user):
    person = insured_user.insured
    typed = " ".join(person.id_document_number.lower())
    response = _login(client, typed, PASSWORD)
    assert response.status_code == 302 and client.session["_auth_user_id"] == str(insured_user.pk)


def test_identifier_that_is_neither_a_number_nor_a_cin_is_a_field_error(client, db):
    response = _login(client, "hello world", "x")
    assert "username" in response.context_data["form"].errors


def test_arabic_login_page_is_rtl_and_translated(client, db):
    page = client.get("/ar" + LOGIN).content.decode()
    assert 'dir="rtl"' in page and 'lang="ar"' in page
    assert "رقم التسجيل" in page


def test_open_account_with_the_chosen_password_sends_no_secret(client, insured):
    password = "une phrase de passe bien longue"
    user = services.open_account(person=insured, password=password)
    assert user.username == insured.immatriculation_number and user.check_password(password)
    sms = OutboundSms.objects.get(to=insured.phone)
    assert sms.purpose == "account_opened" and not sms.sensitive
    assert insured.immatriculation_number in sms.body and password not in sms.body
    assert _login(client, insured.immatriculation_number, password).status_code == 302
    assert client.get(reverse("accounts:dashboard")).status_code == 200


def test_opening_the_account_twice_is_refused_and_sends_one_sms(insured):
    services.open_account(person=insured, password="une phrase de passe bien longue")
    with pytest.raises(services.AccountAlreadyExists):
        services.open_account(person=insured, password="une autre phrase de passe")
    assert User.objects.filter(insured=insured).count() == 1
    assert OutboundSms.objects.filter(purpose="account_opened").count() == 1
    assert not hasattr(services, "create_account_with_temporary_password")


def test_password_change_refuses_short_and_mismatched_passwords(logged_in_client):
    url = reverse("accounts:password_change")
    page = logged_in_client.post(
        url, {"old_password": PASSWORD, "new_password1": "court", "new_password2": "court"}
    ).content.decode()
    assert "12" in page and "Il y a un problème" in page
    page = logged_in_client.post(
        url, {"old_password": PASSWORD, "new_password1": "a" * 8 + "Zx12345!", "new_password2": "other-one-123456"}
    ).content.decode()
    assert "pas identiques" in page


def test_password_change_refuses_the_current_password_and_a_wrong_one(logged_in_client):
    url = reverse("accounts:password_change")
    same = logged_in_client.post(url, {"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD})
    assert same.context_data["form"].errors == {
        "new_password1": ["Choisissez un mot de passe différent du mot de passe actuel."]
    }
    new = "encore une phrase de passe"
    wrong = logged_in_client.post(url, {"old_password": "faux", "new_password1": new, "new_password2": new})
    assert wrong.context_data["form"].errors == {"old_password": ["Le mot de passe est incorrect."]}


def test_the_password_forms_are_djangos():
    from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm

    from accounts.forms import OtpPasswordResetForm, PortalPasswordChangeForm
    from shared_steps.forms import ChoosePasswordForm

    user = User(username="100000001")
    assert isinstance(PortalPasswordChangeForm(user), PasswordChangeForm)
    assert isinstance(ChoosePasswordForm(user), SetPasswordForm)
    reset = OtpPasswordResetForm({"code": "123456", "new_password1": "court", "new_password2": "autre"})
    assert isinstance(reset, SetPasswordForm) and list(reset.fields) == ["code", "new_password1", "new_password2"]
    assert reset.errors["new_password2"] == ["Les deux mots de passe ne sont pas identiques."]
    assert "12" in reset.errors["new_password1"][0]


def test_password_change_notifies_the_insured_by_sms(logged_in_client, insured):
    new = "encore une phrase de passe"
    logged_in_client.post(
        reverse("accounts:password_change"), {"old_password": PASSWORD, "new_password1": new, "new_password2": new}
    )
    assert OutboundSms.objects.filter(to=insured.phone, purpose="password_changed").exists()


def test_logout_is_a_post_and_ends_the_session(logged_in_client):
    logged_in_client.post(reverse("accounts:logout"))
    assert logged_in_client.get(reverse("accounts:dashboard")).status_code == 302


def test_private_home_requires_login(client, db):
    response = client.get(reverse("accounts:dashboard"))
    assert response.status_code == 302 and LOGIN in response["Location"]


def test_session_lasts_thirty_idle_minutes(settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60


def test_idle_session_is_refreshed_while_the_person_is_active(logged_in_client):
    logged_in_client.get(reverse("accounts:dashboard"))
    assert "_last_seen" in logged_in_client.session


def test_staff_without_insured_record_goes_to_the_admin(client, db):
    agent = UserFactory(insured=None, username="agent1", is_staff=True)
    client.force_login(agent)
    assert client.get(reverse("accounts:dashboard"))["Location"].endswith("/admin/")


def test_private_home_query_count_is_small(logged_in_client, count_queries):
    first = count_queries(logged_in_client, reverse("accounts:dashboard"))
    again = count_queries(logged_in_client, reverse("accounts:dashboard"))
    assert again < first <= 9  # the person is read at the first page, then from the cache


def test_another_persons_data_never_shows(logged_in_client):
    other = InsuredPersonFactory(last_name="AUTRE")
    page = logged_in_client.get(reverse("accounts:dashboard")).content.decode()
    assert other.immatriculation_number not in page


def test_new_captcha_image_keeps_the_identifier_typed(client, insured_user):
    for _ in range(5):
        _login(client, insured_user.username, "faux")
    page = client.post(LOGIN, {"username": insured_user.username, "password": "x", "_refresh_captcha": "1"})
    html = page.content.decode()
    assert f'value="{insured_user.username}"' in html and 'name="captcha_1"' in html
    assert "Il y a un problème" not in html
