from django.contrib.auth.backends import ModelBackend


class PortalAccountBackend(ModelBackend):
    """Number + password; the logged-in account is ModelBackend's, read from the database on every request
    (the person behind it: accounts.selectors.insured_for_user)."""
