"""django-axes hooks."""

MAX_LOGGED_USERNAME = 150


def username_for_lockout(request, credentials):
    """The username axes counts failures for, cut to the account model's length: a hostile overlong
    value must neither reach the lockout log's column whole nor escape the count."""
    username = (credentials or {}).get("username")
    if username is None and request is not None:
        username = request.POST.get("username", "")
    return str(username or "")[:MAX_LOGGED_USERNAME]
