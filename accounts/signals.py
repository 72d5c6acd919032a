"""Sign-ins, contact-detail changes, and the cached person of the private pages kept true to the database."""

from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from macnss.core.client_ip import client_ip_or_none

from . import reauth, selectors, services
from .middleware import mark_session_started
from .models import BankDetails, InsuredPerson


@receiver([post_save, post_delete], sender=InsuredPerson, dispatch_uid="accounts.forget_person")
@receiver([post_save, post_delete], sender=BankDetails, dispatch_uid="accounts.forget_bank_details")
def person_changed(sender, instance, **kwargs):
    selectors.forget_person_pages(instance.pk if sender is InsuredPerson else instance.insured_id)


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


@receiver(pre_save, sender=InsuredPerson, dispatch_uid="accounts.remember_contact_details")
def remember_contact_details(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        instance._contact_before = None
        return
    instance._contact_before = InsuredPerson.objects.filter(pk=instance.pk).values("phone", "email").first()


@receiver(post_save, sender=InsuredPerson, dispatch_uid="accounts.contact_details_changed")
def tell_contact_details_changed(sender, instance, created, raw=False, **kwargs):
    before = getattr(instance, "_contact_before", None)
    if raw or created or before is None:
        return
    if before["phone"] != instance.phone or before["email"] != instance.email:
        services.contact_details_changed(person=instance, old_phone=before["phone"], old_email=before["email"])
