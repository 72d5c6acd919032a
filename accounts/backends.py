from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class PortalAccountBackend(ModelBackend):
    """Number + password (ModelBackend), and the logged-in account read from the database on every request."""

    def get_user(self, user_id):
        """ModelBackend's lookup, joined to what every private page shows (the person, his RIB and category),
        so that the account and its person cost one query and nothing of them is kept in a cache."""
        user = (
            get_user_model()
            .objects.select_related("insured__bank_details", "insured__tns_subcategory__category")
            .filter(pk=user_id)
            .first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None
