from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache

from macnss.core.caching import drop_now_and_after_commit

# Every private page needs the account and the person behind it. They are cached per account (one
# cache read instead of a five-table join) and dropped whenever one of their rows is saved or deleted
# (accounts.apps). The TTL bounds what a change made behind the ORM's back (QuerySet.update, SQL)
# can leave stale, such as a renamed professional category.
USER_CACHE_SECONDS = getattr(settings, "ACCOUNTS_USER_CACHE_SECONDS", 120)


def user_cache_key(user_id) -> str:
    return f"accounts:user:{user_id}"


def forget_cached_users(*user_ids) -> None:
    drop_now_and_after_commit([user_cache_key(pk) for pk in user_ids if pk is not None])


class PortalAccountBackend(ModelBackend):
    """Number + password, and the logged-in account read from the cache."""

    def get_user(self, user_id):
        """The account with its person, bank details and category, from the cache or in one query."""
        key = user_cache_key(user_id)
        user = cache.get(key)
        if user is None:
            user = self._load_user(user_id)
            if user is None:
                return None
            cache.set(key, user, USER_CACHE_SECONDS)
        if not self.user_can_authenticate(user):
            return None
        if user.insured_id:
            user._insured_with_details = user.insured  # read by accounts.selectors.insured_for_user
        return user

    @staticmethod
    def _load_user(user_id):
        from .models import User

        return (
            User.objects.select_related("insured__bank_details", "insured__tns_subcategory__category")
            .filter(pk=user_id)
            .first()
        )
