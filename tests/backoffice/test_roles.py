"""Least privilege (audit H1): every admin URL, as each role."""

import re

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.models import User
from backoffice.roles import ADMINISTRATORS, AGENTS, SUPERVISORS
from tests.factories import InsuredPersonFactory, UserFactory

pytestmark = pytest.mark.django_db

_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")


def registered_models():
    models = {}
    for app in admin.site.get_app_list(_SuperRequest()):
        for model in app["models"]:
            models[f"{app['app_label']}_{model['object_name'].lower()}"] = model["model"]
    return models


class _SuperRequest:
    """A request of a superuser, to ask the admin site for every registered model (public API)."""

    class user:  # noqa: N801
        is_active = True
        is_staff = True
        is_superuser = True

        @staticmethod
        def has_module_perms(app_label):
            return True

        @staticmethod
        def has_perm(perm, obj=None):
            return True

    META = {}
    path = "/admin/"
    resolver_match = None

    def get_full_path(self):
        return self.path


def url_for(name, route, obj_pk):
    kwargs = {}
    for converter, arg in _PARAM.findall(route):
        kwargs[arg] = obj_pk if converter != "int" or str(obj_pk).isdigit() else 1
    return reverse(f"admin:{name}", kwargs=kwargs)


@pytest.fixture
def world(staff):
    person = InsuredPersonFactory()
    insured_account = UserFactory(insured=person)
    return {"person": person, "insured_account": insured_account}


def every_admin_url(world, staff):
    """Each registered model's URLs, with the id of a real object where the model has one."""
    models = registered_models()
    urls = []
    for model in models.values():
        first = model.objects.order_by("pk").first()
        if model is User:
            first = world["insured_account"]
        for name, route in (
            (pattern.name, str(pattern.pattern))
            for pattern in admin.site.get_model_admin(model).urls
            if getattr(pattern, "name", None)
        ):
            needs_object = bool(_PARAM.search(route))
            if needs_object and first is None:
                continue
            urls.append((model, name, url_for(name, route, first.pk if needs_object else None)))
    return urls


def permissions_on(user, model):
    opts = model._meta
    return [a for a in ("view", "change", "add", "delete") if user.has_perm(f"{opts.app_label}.{a}_{opts.model_name}")]


@pytest.mark.parametrize("username", ["agent", "superviseur", "administrateur"])
def test_every_admin_url_answers_by_role(client, world, staff, username):
    user = staff[username]
    client.force_login(user)
    hidden_from_agents = {"auth", "otp_totp", "otp_static", "axes", "django_celery_beat", "captcha"}
    checked = 0
    for model, name, url in every_admin_url(world, staff):
        response = client.get(url)
        opts = model._meta
        perms = permissions_on(User.objects.get(pk=user.pk), model)
        if response.status_code == 200:
            # Nothing is shown to a role without a permission on the model, custom views included.
            assert perms, f"{username} reached {url} without any permission on {opts.label}"
        if username != "administrateur" and (opts.app_label in hidden_from_agents or model is User):
            assert response.status_code == 403, f"{username} got {response.status_code} on {url}"
        if username == "agent" and opts.app_label == "auditlog":
            assert response.status_code == 403, url
        if name.endswith("_delete"):
            assert response.status_code in (403, 302), f"{username} may delete through {url}"
        checked += 1
    assert checked > 60


def test_agents_and_supervisors_have_no_user_or_auth_permission(staff):
    for role in (AGENTS, SUPERVISORS):
        codenames = set(Group.objects.get(name=role).permissions.values_list("content_type__app_label", "codename"))
        assert not {c for c in codenames if c[0] in ("auth", "otp_totp") or c[1].endswith("_user")}, role
    admins = set(Group.objects.get(name=ADMINISTRATORS).permissions.values_list("codename", flat=True))
    assert {"view_user", "change_user", "view_group", "change_group"} <= admins
    assert not {c for c in admins if c.startswith("delete_")}
    assert not any(user.is_superuser for user in staff.values())


@pytest.mark.parametrize("username", ["agent", "superviseur"])
def test_agents_and_supervisors_cannot_open_users_groups_or_passwords(client, world, staff, username):
    client.force_login(staff[username])
    target = staff["administrateur"]
    for url in (
        "/admin/accounts/user/",
        f"/admin/accounts/user/{target.pk}/change/",
        f"/admin/accounts/user/{target.pk}/password/",
        f"/admin/accounts/user/{world['insured_account'].pk}/password/",
        "/admin/auth/group/",
        "/admin/accounts/user/add/",
    ):
        assert client.get(url).status_code == 403, url
    assert client.get("/admin/auth/").status_code in (403, 404)


def test_nobody_sets_an_insured_persons_password_not_even_a_superuser(client, world, staff):
    superuser = UserFactory(insured=None, username="root", is_staff=True, is_superuser=True)
    for user in (staff["administrateur"], superuser):
        client.force_login(user)
        url = f"/admin/accounts/user/{world['insured_account'].pk}/password/"
        assert client.get(url).status_code == 403
        response = client.post(url, {"password1": "Pirate-2026-xyz!", "password2": "Pirate-2026-xyz!"})
        assert response.status_code == 403
    world["insured_account"].refresh_from_db()
    assert world["insured_account"].check_password("Un-mot-de-passe-solide-2026")


def test_administrators_manage_staff_but_cannot_make_a_superuser(client, staff):
    client.force_login(staff["administrateur"])
    agent = staff["agent"]
    assert client.get("/admin/accounts/user/").status_code == 200
    assert client.get(f"/admin/accounts/user/{agent.pk}/password/").status_code == 200
    response = client.post(
        f"/admin/accounts/user/{agent.pk}/change/",
        {
            "username": "agent",
            "first_name": "",
            "last_name": "",
            "email": "",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "groups": [Group.objects.get(name=SUPERVISORS).pk],
        },
    )
    assert response.status_code == 302
    agent.refresh_from_db()
    assert not agent.is_superuser
    assert set(agent.groups.values_list("name", flat=True)) == {SUPERVISORS}
    # … and not his own roles
    me = staff["administrateur"]
    client.post(
        f"/admin/accounts/user/{me.pk}/change/",
        {"username": me.username, "is_active": "on", "is_staff": "on", "groups": [Group.objects.get(name=AGENTS).pk]},
    )
    assert set(me.groups.values_list("name", flat=True)) == {ADMINISTRATORS}


def test_staff_accounts_are_disabled_not_deleted_and_totp_reset_is_logged(client, staff):
    from django.contrib.admin.models import LogEntry
    from django_otp.plugins.otp_totp.models import TOTPDevice

    agent = staff["agent"]
    TOTPDevice.objects.create(user=agent, name="téléphone perdu", confirmed=True)
    client.force_login(staff["administrateur"])
    assert client.get(f"/admin/accounts/user/{agent.pk}/delete/").status_code == 403
    client.post("/admin/accounts/user/", {"action": "reset_totp", "_selected_action": [agent.pk]})
    assert not TOTPDevice.objects.filter(user=agent).exists()
    assert LogEntry.objects.filter(object_id=str(agent.pk), change_message__contains="TOTP").exists()
    client.post("/admin/accounts/user/", {"action": "disable_accounts", "_selected_action": [agent.pk]})
    agent.refresh_from_db()
    assert not agent.is_active
    assert User.objects.filter(pk=agent.pk).exists()


def test_changes_are_recorded_field_by_field_never_a_password(client, world, staff):
    from auditlog.models import LogEntry

    client.force_login(staff["agent"])
    assert client.get("/admin/auditlog/logentry/").status_code == 403
    client.force_login(staff["administrateur"])
    agent = staff["agent"]
    client.post(
        f"/admin/accounts/user/{agent.pk}/change/",
        {"username": "agent", "is_active": "on", "is_staff": "on", "groups": [Group.objects.get(name=SUPERVISORS).pk]},
    )
    client.post(
        f"/admin/accounts/user/{agent.pk}/password/",
        {"password1": "Nouveau-mot-2026-xyz", "password2": "Nouveau-mot-2026-xyz"},
    )
    entries = LogEntry.objects.get_for_object(agent)
    assert entries.filter(actor=staff["administrateur"]).exists()
    assert any("groups" in (e.changes_dict or {}) for e in entries)
    assert not any("password" in (e.changes_dict or {}) for e in entries)
    client.force_login(staff["superviseur"])
    assert client.get("/admin/auditlog/logentry/").status_code == 200


def test_the_roles_exist_after_migrate_without_demo_data():
    from backoffice.roles import ROLES

    groups = Group.objects.filter(name__in=ROLES)
    assert groups.count() == 3
    assert Group.objects.get(name=AGENTS).permissions.filter(codename="view_refundclaim").exists()
    assert not Group.objects.get(name=AGENTS).permissions.filter(codename="change_user").exists()
