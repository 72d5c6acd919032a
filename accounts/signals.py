"""Keep the cached accounts of accounts.backends true to the database."""

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from macnss.core.client_ip import client_ip_or_none

from . import reauth, services
from .backends import forget_cached_users
from .middleware import mark_session_started
from .models import BankDetails, InsuredPerson, User


@receiver([post_save, post_delete], sender=User, dispatch_uid="accounts.forget_user")
def account_changed(sender, instance, **kwargs):
    forget_cached_users(instance.pk)


@receiver([post_save, post_delete], sender=InsuredPerson, dispatch_uid="accounts.forget_person")
@receiver([post_save, post_delete], sender=BankDetails, dispatch_uid="accounts.forget_bank_details")
def person_changed(sender, instance, **kwargs):
    person_id = instance.pk if sender is InsuredPerson else instance.insured_id
    forget_cached_users(*User.objects.filter(insured_id=person_id).values_list("pk", flat=True))


@receiver(user_logged_in, dispatch_uid="accounts.sign_in")
def signed_in(sender, request, user, **kwargs):
    """Every login() counts as a recent authentication and opens a row of «Mes connexions»."""
    if request is None or not hasattr(request, "session"):
        return
    reauth.mark_recent(request)
    mark_session_started(request)
    if request.session.session_key is None:
        request.session.save()
    services.record_sign_in(
        user=user,
        session_key=request.session.session_key,
        ip_address=client_ip_or_none(request),
        user_agent=request.META.get("HTTP_USER_AGENT", ""),
        method=getattr(request, "sign_in_method", "password"),
    )


@receiver(user_logged_out, dispatch_uid="accounts.sign_out")
def signed_out(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        services.sign_in_ended(session_key=request.session.session_key)
