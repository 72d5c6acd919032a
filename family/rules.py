"""Who can be declared as an «ayant droit» and with which documents (DOMAIN §7, Law 65-00 art. 5).

Pure functions of the person's answers, the day and the age limits (agents' data, `CoverageRule`):
no database access, so the rules are tested exhaustively (tests/family/test_rules.py)."""

from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext_lazy as _

SPOUSE = "conjoint"
CHILD = "enfant"

MARRIAGE_CERTIFICATE = "acte_mariage"
BIRTH_CERTIFICATE = "acte_naissance"
SCHOOL_CERTIFICATE = "certificat_scolarite"
DISABILITY_PROOF = "justificatif_handicap"

ADULT_AGE = 18  # a spouse of this age or older shows his CIN


@dataclass(frozen=True)
class AgeLimits:
    child: int = 21
    student: int = 26
    disabled_without_limit: bool = True


@dataclass(frozen=True)
class Decision:
    allowed: bool
    documents: tuple[str, ...] = ()
    reasons: list = field(default_factory=list)
    # The birthday on which the coverage stops unless a new proof is filed (None: no limit).
    coverage_ends_on: date | None = None


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a common year: the day after 28 February
        return day.replace(year=day.year + years, month=3, day=1)


def age_on(birth_date: date, today: date) -> int:
    years = today.year - birth_date.year
    if (today.month, today.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def spouse_decision(*, birth_date: date, today: date) -> Decision:
    if birth_date > today:
        return Decision(False, reasons=[_("La date de naissance ne peut pas être dans le futur.")])
    return Decision(True, documents=(MARRIAGE_CERTIFICATE,))


def child_decision(
    *, birth_date: date, today: date, limits: AgeLimits, studying: bool, married: bool, disabled: bool
) -> Decision:
    """A child is covered up to `limits.child`; up to `limits.student` while studying and unmarried;
    without limit when disabled (if the agents' rule says so). Each case names its proofs."""
    if birth_date > today:
        return Decision(False, reasons=[_("La date de naissance ne peut pas être dans le futur.")])
    age = age_on(birth_date, today)
    if age < limits.child:
        return Decision(True, documents=(BIRTH_CERTIFICATE,), coverage_ends_on=add_years(birth_date, limits.child))
    if disabled and limits.disabled_without_limit:
        return Decision(True, documents=(BIRTH_CERTIFICATE, DISABILITY_PROOF), coverage_ends_on=None)
    values = {"child": limits.child, "student": limits.student}
    if age < limits.student and studying and not married:
        return Decision(
            True,
            documents=(BIRTH_CERTIFICATE, SCHOOL_CERTIFICATE),
            coverage_ends_on=add_years(birth_date, limits.student),
        )
    if age < limits.student and studying and married:
        reason = _(
            "Un enfant de %(child)d ans ou plus n'est couvert pendant ses études que s'il n'est pas marié. "
            "Un enfant marié ne peut pas être déclaré, sauf s'il est en situation de handicap."
        )
    elif age < limits.student:
        reason = _(
            "Un enfant de %(child)d ans ou plus n'est couvert que s'il poursuit des études (jusqu'à %(student)d "
            "ans, avec un certificat de scolarité) ou s'il est en situation de handicap (avec un justificatif)."
        )
    else:
        reason = _(
            "Un enfant de %(student)d ans ou plus n'est couvert que s'il est en situation de handicap "
            "(avec une carte d'invalidité ou un certificat médical)."
        )
    return Decision(False, reasons=[reason % values])


def coverage_end(*, birth_date: date, limits: AgeLimits, studying: bool, disabled: bool) -> date | None:
    """The birthday on which a validated child's coverage stops (None: without limit)."""
    if disabled and limits.disabled_without_limit:
        return None
    return add_years(birth_date, limits.student if studying else limits.child)
