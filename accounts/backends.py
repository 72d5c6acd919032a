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

    def get_user(self, user_id):
        """Each private page needs the person behind the account: load both in one query."""
        from .models import User

        user = (
            User.objects.select_related("insured__bank_details", "insured__tns_subcategory__category")
            .filter(pk=user_id)
            .first()
        )
        if user is None or not self.user_can_authenticate(user):
            return None
        if user.insured_id:
            user._insured_with_details = user.insured  # read by accounts.selectors.insured_for_user
        return user
