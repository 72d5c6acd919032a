import json
import re

from django.urls import reverse

from accounts import reauth


def post_json(client, name, body=None, **extra):
    return client.post(reverse(name), json.dumps(body or {}), content_type="application/json", **extra)


def add_passkey(client, authenticator, **change) -> dict:
    """The add page's ceremony as static/js/passkeys.js runs it; returns the verify answer (JSON)."""
    options = post_json(client, "passkeys:registration_options")
    assert options.status_code == 200, options.content
    response = post_json(client, "passkeys:register", {"credential": authenticator.create(options.json(), **change)})
    return response


def sign_in(client, authenticator, next_url="", **change):
    options = post_json(client, "passkeys:login_options")
    assert options.status_code == 200, options.content
    credential = authenticator.get(options.json(), **change)
    return post_json(client, "passkeys:login", {"credential": credential, "next": next_url}), credential


def make_stale(client) -> None:
    """The session's last proof of identity is older than REAUTH_MAX_AGE."""
    session = client.session
    session[reauth.SESSION_KEY] = 0
    session.save()


def csrf_token_of(html: str) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
