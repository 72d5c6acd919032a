"""Import of monthly salary declarations (CSV) by a supervisor: preview with per-row errors, then all or nothing.

Columns (header line required, order free, `;` or `,` as separator, UTF-8):

| column | required | content |
|---|---|---|
| numero_immatriculation | yes | the insured person's 9-digit number |
| numero_affiliation | yes | the employer's affiliation number (7 to 10 digits) |
| mois | yes | mm/aaaa (or aaaa-mm) |
| jours | yes | days declared that month, 0 to 26 |
| salaire | yes | salary declared, in dirhams (`4500.00` or `4500,00`) |
| minier | no | `oui` when the days are mining work (default `non`) |

A row is known by (number, employer, month): importing it again updates that month. The person's
totals (`InsuredPerson.declared_days` and `mining_days`) move by the difference each row makes, in the
same transaction, so the journeys that read them never sum the months.
"""

import csv
import hashlib
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import Case, F, IntegerField, Value, When
from django.utils.translation import gettext as _

from accounts.models import InsuredPerson
from accounts.selectors import forget_person_pages

from .models import MAX_DAYS_PER_MONTH, DeclarationImport, SalaryDeclaration

COLUMNS = ["numero_immatriculation", "numero_affiliation", "mois", "jours", "salaire", "minier"]
REQUIRED_COLUMNS = set(COLUMNS) - {"minier"}
MAX_ROWS = 50_000
MAX_SALARY = Decimal("9999999.99")
CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"


@dataclass
class ParsedRow:
    line: int
    values: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)
    action: str = ""

    @property
    def key(self) -> tuple:
        return (self.values.get("insured_id"), self.values.get("employer_number"), self.values.get("month"))


@dataclass
class ParsedFile:
    checksum: str
    rows: list = field(default_factory=list)
    file_errors: list = field(default_factory=list)
    already_imported: DeclarationImport | None = None

    @property
    def is_valid(self) -> bool:
        return not self.file_errors and bool(self.rows) and not any(row.errors for row in self.rows)

    def count(self, action: str) -> int:
        return sum(1 for row in self.rows if row.action == action and not row.errors)

    @property
    def count_create(self) -> int:
        return self.count(CREATE)

    @property
    def count_update(self) -> int:
        return self.count(UPDATE)

    @property
    def count_unchanged(self) -> int:
        return self.count(UNCHANGED)

    @property
    def error_rows(self) -> list:
        return [row for row in self.rows if row.errors]


def checksum_of(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def _parse_month(value: str) -> date | None:
    match = re.fullmatch(r"(\d{1,2})[/-](\d{4})", value) or None
    if match:
        month, year = int(match[1]), int(match[2])
    elif match := re.fullmatch(r"(\d{4})-(\d{1,2})", value):
        year, month = int(match[1]), int(match[2])
    else:
        return None
    if not (1 <= month <= 12 and 1950 <= year <= 2100):
        return None
    return date(year, month, 1)


def _clean_row(get: dict, line: int, people: dict, today: date) -> ParsedRow:
    row = ParsedRow(line=line)
    errors, values = row.errors, row.values
    for column in COLUMNS:
        if column in REQUIRED_COLUMNS and not get[column]:
            errors.append(_("La colonne « %(column)s » est vide.") % {"column": column})
    number = get["numero_immatriculation"]
    values["number"] = number
    values["insured_id"] = people.get(number)
    if number and values["insured_id"] is None:
        errors.append(_("Aucun assuré ne porte le numéro « %(value)s ».") % {"value": number})
    employer = get["numero_affiliation"]
    values["employer_number"] = employer
    if employer and not re.fullmatch(r"\d{7,10}", employer):
        errors.append(_("Numéro d'affiliation invalide : « %(value)s » (7 à 10 chiffres).") % {"value": employer})
    values["month"] = _parse_month(get["mois"]) if get["mois"] else None
    if get["mois"] and values["month"] is None:
        errors.append(_("« mois » : attendu mm/aaaa (« %(value)s »).") % {"value": get["mois"]})
    elif values["month"] and values["month"] > today:
        errors.append(_("« mois » : %(value)s est un mois à venir.") % {"value": get["mois"]})
    values["days"] = None
    if get["jours"]:
        if get["jours"].isdigit() and int(get["jours"]) <= MAX_DAYS_PER_MONTH:
            values["days"] = int(get["jours"])
        else:
            errors.append(
                _("« jours » : un nombre entier de 0 à %(max)s (« %(value)s »).")
                % {"max": MAX_DAYS_PER_MONTH, "value": get["jours"]}
            )
    values["salary"] = None
    if get["salaire"]:
        try:
            salary = Decimal(get["salaire"].replace(" ", "").replace(",", "."))
        except InvalidOperation:
            salary = None
        if (
            salary is None
            or not salary.is_finite()
            or salary < 0
            or salary > MAX_SALARY
            or salary.as_tuple().exponent < -2
        ):
            errors.append(
                _("« salaire » : un montant en dirhams, par exemple 4500.00 (« %(value)s »).")
                % {"value": get["salaire"]}
            )
        else:
            values["salary"] = salary.quantize(Decimal("0.01"))
    mining = get["minier"].lower() or "non"
    if mining not in ("oui", "non"):
        errors.append(_("« minier » doit valoir oui ou non (« %(value)s »).") % {"value": get["minier"]})
    values["mining"] = mining == "oui"
    return row


def _reader(text: str) -> csv.DictReader:
    first_line = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    return csv.DictReader(io.StringIO(text), delimiter=delimiter)


def parse_declarations_csv(*, raw: bytes, text: str, today: date | None = None) -> ParsedFile:
    """Check every row and say what importing it would do; writes nothing. Three queries in all."""
    from django.utils import timezone

    today = today or timezone.localdate()
    parsed = ParsedFile(checksum=checksum_of(raw))
    parsed.already_imported = DeclarationImport.objects.filter(checksum=parsed.checksum).first()
    reader = _reader(text)
    header = {(name or "").strip().lower() for name in (reader.fieldnames or [])}
    missing = sorted(REQUIRED_COLUMNS - header)
    if missing:
        parsed.file_errors.append(_("Colonnes manquantes : %(columns)s.") % {"columns": ", ".join(missing)})
        return parsed
    raw_rows = []
    for index, raw_row in enumerate(reader, start=2):
        if len(raw_rows) >= MAX_ROWS:
            parsed.file_errors.append(_("Le fichier dépasse %(max)s lignes : découpez-le.") % {"max": MAX_ROWS})
            break
        get = {(k or "").strip().lower(): (v or "").strip() for k, v in raw_row.items() if isinstance(v, str)}
        if any(get.values()):
            raw_rows.append((index, {column: get.get(column, "") for column in COLUMNS}))
    numbers = {get["numero_immatriculation"] for _index, get in raw_rows}
    people = dict(
        InsuredPerson.objects.filter(immatriculation_number__in=numbers).values_list("immatriculation_number", "pk")
    )
    seen: dict[tuple, int] = {}
    for index, get in raw_rows:
        row = _clean_row(get, index, people, today)
        if not row.errors:
            if row.key in seen:
                row.errors.append(_("Même assuré, employeur et mois qu'à la ligne %(line)s.") % {"line": seen[row.key]})
            else:
                seen[row.key] = index
        parsed.rows.append(row)
    if not parsed.rows and not parsed.file_errors:
        parsed.file_errors.append(_("Le fichier ne contient aucune ligne de données."))
    existing = _existing(parsed.rows)
    for row in parsed.rows:
        if row.errors:
            continue
        current = existing.get(row.key)
        row.action = CREATE if current is None else (UPDATE if _differs(current, row.values) else UNCHANGED)
    return parsed


def _existing(rows, *, lock: bool = False) -> dict:
    insured_ids = {row.values["insured_id"] for row in rows if not row.errors}
    months = {row.values["month"] for row in rows if not row.errors}
    if not insured_ids:
        return {}
    queryset = SalaryDeclaration.objects.filter(insured_id__in=insured_ids, month__in=months)
    if lock:
        queryset = queryset.select_for_update()
    return {(d.insured_id, d.employer_number, d.month): d for d in queryset}


def _differs(declaration: SalaryDeclaration, values: dict) -> bool:
    return (declaration.days, declaration.salary, declaration.mining) != (
        values["days"],
        values["salary"],
        values["mining"],
    )


class ImportRejected(Exception):
    def __init__(self, parsed: ParsedFile):
        super().__init__("invalid declarations file")
        self.parsed = parsed


@transaction.atomic
def apply_declarations_import(*, raw: bytes, text: str, file_name: str, by=None) -> tuple[DeclarationImport, bool]:
    """Save the whole file or nothing, and move each person's totals by what his rows changed. The same file
    twice: the first import is returned and nothing changes."""
    checksum = checksum_of(raw)
    previous = DeclarationImport.objects.select_for_update().filter(checksum=checksum).first()
    if previous is not None:
        return previous, False
    parsed = parse_declarations_csv(raw=raw, text=text)
    if not parsed.is_valid:
        raise ImportRejected(parsed)
    try:
        with transaction.atomic():
            batch = DeclarationImport.objects.create(
                checksum=checksum, file_name=file_name[:255], imported_by=by if getattr(by, "pk", None) else None
            )
    except IntegrityError:  # the same file imported at the same moment by another supervisor
        return DeclarationImport.objects.get(checksum=checksum), False
    existing = _existing(parsed.rows, lock=True)
    days_delta: dict[int, int] = defaultdict(int)
    mining_delta: dict[int, int] = defaultdict(int)
    to_create, to_update = [], []
    unchanged = 0
    for row in parsed.rows:
        values = row.values
        current = existing.get(row.key)
        if current is not None and not _differs(current, values):
            unchanged += 1
            continue
        person = values["insured_id"]
        days_delta[person] += values["days"]
        mining_delta[person] += values["days"] if values["mining"] else 0
        if current is None:
            to_create.append(
                SalaryDeclaration(
                    insured_id=person,
                    employer_number=values["employer_number"],
                    month=values["month"],
                    days=values["days"],
                    salary=values["salary"],
                    mining=values["mining"],
                    import_batch=batch,
                )
            )
            continue
        days_delta[person] -= current.days
        mining_delta[person] -= current.days if current.mining else 0
        current.days, current.salary, current.mining, current.import_batch = (
            values["days"],
            values["salary"],
            values["mining"],
            batch,
        )
        to_update.append(current)
    SalaryDeclaration.objects.bulk_create(to_create, batch_size=2000)
    SalaryDeclaration.objects.bulk_update(to_update, ["days", "salary", "mining", "import_batch"], batch_size=2000)
    move_totals(days_delta, mining_delta)
    batch.rows_total = len(parsed.rows)
    batch.rows_created, batch.rows_updated, batch.rows_unchanged = len(to_create), len(to_update), unchanged
    batch.save(update_fields=["rows_total", "rows_created", "rows_updated", "rows_unchanged"])
    return batch, True


def move_totals(days_delta: dict, mining_delta: dict, *, chunk: int = 500) -> None:
    """Add each person's change to his declared and mining days: one UPDATE per chunk of persons."""
    changed = sorted(pk for pk in days_delta if days_delta[pk] or mining_delta.get(pk))
    for start in range(0, len(changed), chunk):
        ids = changed[start : start + chunk]

        def delta_of(deltas, ids=ids):
            return Case(
                *(When(pk=pk, then=Value(deltas.get(pk, 0))) for pk in ids),
                default=Value(0),
                output_field=IntegerField(),
            )

        InsuredPerson.objects.filter(pk__in=ids).update(
            declared_days=F("declared_days") + delta_of(days_delta),
            mining_days=F("mining_days") + delta_of(mining_delta),
        )
    # QuerySet.update() sends no signal: the cached persons of the private pages go by hand.
    forget_person_pages(*changed)
