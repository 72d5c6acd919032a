"""Who may claim the refund of employee contributions (DOMAIN §3). Pure functions: easy to test at each boundary.

- Legal age: 60; 55 for a miner with at least 5 years of mining work.
- 5 years of mining work = 5 × 312 declared mining days (312 working days make a full year in CNSS
  counting: 26 days a month × 12), i.e. 1 560 days.
- The pension threshold depends on the day the legal age was reached: 3 240 declared days before
  1 January 2023, 1 320 days from that day on (law 02.24, decree 2.25.265). The refund is open only
  below the threshold (with at least the threshold the insured has a right to a pension instead).
- No pension already paid, and no claim already open or already paid (a refund is irrevocable).
"""

from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _

LEGAL_AGE = 60
MINER_LEGAL_AGE = 55
DAYS_PER_YEAR_OF_WORK = 312
MINER_MIN_YEARS = 5
MINER_MIN_MINING_DAYS = MINER_MIN_YEARS * DAYS_PER_YEAR_OF_WORK  # 1 560
REFORM_DATE = date(2023, 1, 1)
THRESHOLD_BEFORE_REFORM = 3240
THRESHOLD_FROM_REFORM = 1320
MIN_WORKING_AGE = 14  # no declared work can end before the 14th birthday


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def qualifies_as_miner(person) -> bool:
    return person.mining_days >= MINER_MIN_MINING_DAYS


def legal_age_for(person) -> int:
    return MINER_LEGAL_AGE if qualifies_as_miner(person) else LEGAL_AGE


def legal_age_date(person) -> date:
    return add_years(person.birth_date, legal_age_for(person))


def pension_threshold(age_reached_on: date) -> int:
    return THRESHOLD_BEFORE_REFORM if age_reached_on < REFORM_DATE else THRESHOLD_FROM_REFORM


@dataclass
class Eligibility:
    reasons: list[str] = field(default_factory=list)
    legal_age: int = LEGAL_AGE
    threshold: int = THRESHOLD_FROM_REFORM
    miner: bool = False
    only_as_miner: bool = False  # eligible through the miners' age only: the claim must be a mining one

    @property
    def eligible(self) -> bool:
        return not self.reasons


def check(person, *, today: date, has_open_claim: bool = False, has_paid_claim: bool = False) -> Eligibility:
    """Every reason that stops the claim, in plain words (several may apply at once)."""
    miner = qualifies_as_miner(person)
    legal_age = legal_age_for(person)
    reached_on = add_years(person.birth_date, legal_age)
    threshold = pension_threshold(reached_on)
    result = Eligibility(legal_age=legal_age, threshold=threshold, miner=miner)
    if today < reached_on:
        if person.mining_days and not miner:
            result.reasons.append(
                _(
                    "Vous n'avez pas encore 60 ans. L'âge de 55 ans ne s'applique qu'aux mineurs ayant au moins "
                    "5 années de travail minier (%(days)s jours) ; votre relevé en compte %(mining)s."
                )
                % {"days": MINER_MIN_MINING_DAYS, "mining": person.mining_days}
            )
        elif miner:
            result.reasons.append(
                _(
                    "Vous n'avez pas encore 55 ans, l'âge légal des mineurs. Vous pourrez déposer votre demande dès le %(date)s."
                )
                % {"date": reached_on.strftime("%d/%m/%Y")}
            )
        else:
            result.reasons.append(
                _(
                    "Vous n'avez pas encore 60 ans, l'âge légal de la retraite. Vous pourrez déposer votre demande dès le %(date)s."
                )
                % {"date": reached_on.strftime("%d/%m/%Y")}
            )
    elif miner and today < add_years(person.birth_date, LEGAL_AGE):
        result.only_as_miner = True
    if person.declared_days >= threshold and today < reached_on:
        result.reasons.append(
            _(
                "Vous avez déjà %(declared)s jours déclarés, soit au moins %(threshold)s jours : à l'âge de la "
                "retraite, vous aurez droit à une pension de vieillesse plutôt qu'au remboursement des cotisations."
            )
            % {"declared": person.declared_days, "threshold": threshold}
        )
    elif person.declared_days >= threshold:
        result.reasons.append(
            _(
                "Vous avez %(declared)s jours déclarés, soit au moins %(threshold)s jours : vous avez droit à une "
                "pension de vieillesse, pas au remboursement des cotisations. Demandez votre pension."
            )
            % {"declared": person.declared_days, "threshold": threshold}
        )
    if person.receives_pension:
        result.reasons.append(
            _("Vous percevez déjà une pension : le remboursement des cotisations n'est pas possible en même temps.")
        )
    if has_paid_claim:
        result.reasons.append(_("Vos cotisations vous ont déjà été remboursées. Ce remboursement est définitif."))
    elif has_open_claim:
        result.reasons.append(
            _("Vous avez déjà une demande de remboursement en cours. Suivez-la dans « Mes demandes ».")
        )
    return result
