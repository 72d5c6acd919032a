from django.contrib.auth.backends import ModelBackend


class PortalAccountBackend(ModelBackend):
    """Number + password; a temporary password stops working 48 hours after it was sent."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None and user.temporary_password_expired():
            if request is not None:
                request.temporary_password_expired = True
            return None
        return user
