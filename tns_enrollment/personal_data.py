"""What TNS onboarding holds about a person («Mes données»), and how long the attempts are kept (Law 09-08)."""

from django.utils.translation import gettext as _

from macnss.core.personal_data import DataSection, records, register_personal_data_provider
from macnss.core.retention import RetentionRule, register_retention_rule

from .models import OnboardingAttempt


def sections(person) -> list[DataSection]:
    attempts = OnboardingAttempt.objects.filter(insured=person).select_related("chosen_category")
    return [
        DataSection(
            "tns_enrollment.onboarding_attempts",
            _("Immatriculation en ligne des travailleurs non salariés"),
            records(attempts, exclude=["insured", "liaison_entry"]),
            _("Vérifier votre identité et ouvrir votre compte."),
        )
    ]


def register() -> None:
    register_personal_data_provider(sections)
    register_retention_rule(
        RetentionRule(
            key="tns_enrollment.onboarding_attempts",
            setting="RETENTION_ONBOARDING_ATTEMPTS_DAYS",
            expired=lambda cutoff: OnboardingAttempt.objects.filter(created_at__lt=cutoff),
        )
    )
