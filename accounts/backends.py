from django.contrib.auth.backends import ModelBackend


class PortalAccountBackend(ModelBackend):
    """Django's ModelBackend as it is. The class stays because every open session names it
    (BACKEND_SESSION_KEY): removing it would log everyone out at the next deployment. The person behind the
    account comes from accounts.selectors.insured_for_user."""
