"""What accounts holds about a person («Mes données») and how long it keeps one-time codes (Law 09-08)."""

from django.utils.translation import gettext as _

from macnss.core.personal_data import DataSection, readable, records, register_personal_data_provider
from macnss.core.retention import RetentionRule, register_retention_rule

from .models import BankDetails, DirectDebitMandate, InsuredPerson, OneTimeCode, User


def sections(person) -> list[DataSection]:
    identity = InsuredPerson.objects.select_related("tns_subcategory").filter(pk=person.pk)
    account = User.objects.filter(insured=person).only("username", "email", "last_login", "date_joined", "is_active")
    return [
        DataSection(
            "accounts.identity",
            _("Identité et situation à la CNSS"),
            records(identity),
            _("Vous identifier et calculer vos droits."),
        ),
        DataSection(
            "accounts.account",
            _("Compte sur le portail"),
            [
                {
                    _("identifiant"): user.username,
                    _("e-mail"): user.email,
                    _("dernière connexion"): readable(user.last_login),
                    _("compte créé le"): readable(user.date_joined),
                }
                for user in account
            ],
            _("Vous permettre de vous connecter."),
        ),
        DataSection(
            "accounts.bank_details",
            _("RIB et mandats de prélèvement"),
            records(BankDetails.objects.filter(insured=person), exclude=["insured"])
            + records(DirectDebitMandate.objects.filter(insured=person), exclude=["insured"]),
            _("Verser vos prestations et prélever vos cotisations."),
        ),
        DataSection(
            "accounts.one_time_codes",
            _("Codes envoyés par SMS"),
            [
                {
                    _("usage"): code.purpose,
                    _("téléphone"): code.phone,
                    _("envoyé le"): readable(code.created_at),
                    _("valable jusqu'au"): readable(code.expires_at),
                    _("utilisé le"): readable(code.consumed_at),
                }
                for code in (
                    OneTimeCode.objects.filter(phone=person.phone).order_by("-created_at") if person.phone else []
                )
            ],
            _("Vérifier que c'est bien vous (le code lui-même n'est jamais conservé)."),
        ),
    ]


def register() -> None:
    register_personal_data_provider(sections, order=10)
    register_retention_rule(
        RetentionRule(
            key="accounts.one_time_codes",
            setting="RETENTION_OTP_DAYS",
            expired=lambda cutoff: OneTimeCode.objects.filter(created_at__lt=cutoff),
        )
    )
