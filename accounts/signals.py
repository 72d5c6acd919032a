"""Keep the cached accounts of accounts.backends true to the database."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .backends import forget_cached_users
from .models import BankDetails, InsuredPerson, User


@receiver([post_save, post_delete], sender=User, dispatch_uid="accounts.forget_user")
def account_changed(sender, instance, **kwargs):
    forget_cached_users(instance.pk)


@receiver([post_save, post_delete], sender=InsuredPerson, dispatch_uid="accounts.forget_person")
@receiver([post_save, post_delete], sender=BankDetails, dispatch_uid="accounts.forget_bank_details")
def person_changed(sender, instance, **kwargs):
    person_id = instance.pk if sender is InsuredPerson else instance.insured_id
    forget_cached_users(*User.objects.filter(insured_id=person_id).values_list("pk", flat=True))
