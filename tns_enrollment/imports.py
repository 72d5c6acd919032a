"""Import of a liaison organism's list (CSV) by an agent: preview with per-row errors, then all-or-nothing.

Columns (header line required, order free, `;` or `,` as separator, UTF-8):

| column | required | content |
|---|---|---|
| organisme | yes | the liaison organism that sent the list |
| categorie | yes | the code of the professional category (e.g. `medecins`) |
| sous_categorie | no | the code of the sub-category; it must belong to the category |
| type_piece | yes | `cnie`, `carte_sejour` or `passeport` |
| numero_piece | yes | the identity document number (CNIE: 1–2 letters then digits) |
| date_expiration | yes | jj/mm/aaaa |
| date_naissance | yes | jj/mm/aaaa |
| nom, prenom | yes | in Latin letters |
| nom_ar, prenom_ar | no | in Arabic |
| adresse | no | postal address |
| telephone | no | Moroccan mobile, e.g. 0612345678 |
| email | no | e-mail address |
| eligible | yes | `oui` or `non` |
| motif_non_eligibilite | if `non` | `salarie`, `cnops`, `autre_amo`, `pensionne` or `activite_non_eligible` |
"""

import csv
import hashlib
import io
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import IdentityDocumentType, ProfessionalCategory, ProfessionalSubCategory
from macnss.core.services import apply_transition
from macnss.core.validators import normalize_identity_number, parse_moroccan_mobile, validate_identity_number

from .models import IDENTITY_FIELDS, IDENTITY_KEY, LiaisonImport, LiaisonListEntry, LiaisonStatus, NonEligibilityReason

COLUMNS = [
    "organisme",
    "categorie",
    "sous_categorie",
    "type_piece",
    "numero_piece",
    "date_expiration",
    "date_naissance",
    "nom",
    "prenom",
    "nom_ar",
    "prenom_ar",
    "adresse",
    "telephone",
    "email",
    "eligible",
    "motif_non_eligibilite",
]
REQUIRED_COLUMNS = {
    "organisme",
    "categorie",
    "type_piece",
    "numero_piece",
    "date_expiration",
    "date_naissance",
    "nom",
    "prenom",
    "eligible",
}
MAX_ROWS = 20_000
# Fields an import may set on an entry (the entry's own names), compared to decide "unchanged".
DATA_FIELDS = ["organism", "category_id", "subcategory_id", *(f for f in IDENTITY_FIELDS if f not in IDENTITY_KEY)]

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"


@dataclass
class ParsedRow:
    line: int
    values: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)
    action: str = ""

    @property
    def label(self) -> str:
        return f"{self.values.get('last_name', '')} {self.values.get('first_name', '')}".strip()


@dataclass
class ParsedFile:
    checksum: str
    rows: list = field(default_factory=list)
    file_errors: list = field(default_factory=list)
    already_imported: LiaisonImport | None = None

    @property
    def is_valid(self) -> bool:
        return not self.file_errors and not any(row.errors for row in self.rows) and bool(self.rows)

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


def _parse_date(value: str) -> date | None:
    for fmt in ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, fmt).date()  # noqa: DTZ007 - a calendar date, no time zone
        except ValueError:
            continue
    return None


def _reader(text: str) -> csv.DictReader:
    first_line = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    return csv.DictReader(io.StringIO(text), delimiter=delimiter)


def _clean_row(raw: dict, line: int, categories: dict, subcategories: dict) -> ParsedRow:  # noqa: C901
    row = ParsedRow(line=line)
    get = {key: (raw.get(key) or "").strip() for key in COLUMNS}
    errors = row.errors
    for column in sorted(REQUIRED_COLUMNS):
        if not get[column]:
            errors.append(_("La colonne « %(column)s » est vide.") % {"column": column})
    values = row.values
    values["organism"] = get["organisme"]
    values["last_name"] = get["nom"].upper()
    values["first_name"] = get["prenom"]
    values["last_name_ar"] = get["nom_ar"]
    values["first_name_ar"] = get["prenom_ar"]
    values["address"] = get["adresse"]

    category = categories.get(get["categorie"])
    if get["categorie"] and category is None:
        errors.append(_("Catégorie inconnue : « %(code)s ».") % {"code": get["categorie"]})
    values["category_id"] = category.pk if category else None
    values["subcategory_id"] = None
    if get["sous_categorie"]:
        sub = subcategories.get(get["sous_categorie"])
        if sub is None:
            errors.append(_("Sous-catégorie inconnue : « %(code)s ».") % {"code": get["sous_categorie"]})
        elif category is not None and sub.category_id != category.pk:
            errors.append(
                _("La sous-catégorie « %(sub)s » n'appartient pas à la catégorie « %(cat)s ».")
                % {"sub": get["sous_categorie"], "cat": get["categorie"]}
            )
        else:
            values["subcategory_id"] = sub.pk

    doc_type = get["type_piece"].lower()
    if doc_type and doc_type not in IdentityDocumentType.values:
        errors.append(
            _("Type de pièce inconnu : « %(value)s » (attendu : cnie, carte_sejour ou passeport).")
            % {"value": get["type_piece"]}
        )
    values["id_document_type"] = doc_type
    values["id_document_number"] = normalize_identity_number(get["numero_piece"])
    if doc_type in IdentityDocumentType.values and get["numero_piece"]:
        try:
            validate_identity_number(doc_type, get["numero_piece"])
        except ValidationError as exc:
            errors.extend(exc.messages)

    for column, key in (("date_expiration", "id_document_expiry"), ("date_naissance", "birth_date")):
        values[key] = _parse_date(get[column]) if get[column] else None
        if get[column] and values[key] is None:
            errors.append(
                _("« %(column)s » : date impossible ou pas au format jj/mm/aaaa (« %(value)s »).")
                % {"column": column, "value": get[column]}
            )

    values["phone"] = ""
    if get["telephone"]:
        try:
            values["phone"] = parse_moroccan_mobile(get["telephone"])
        except ValidationError:
            errors.append(_("Téléphone mobile marocain invalide : « %(value)s ».") % {"value": get["telephone"]})
    values["email"] = get["email"].lower()
    if values["email"]:
        try:
            validate_email(values["email"])
        except ValidationError:
            errors.append(_("Adresse e-mail invalide : « %(value)s ».") % {"value": get["email"]})

    eligible = get["eligible"].lower()
    if eligible and eligible not in ("oui", "non"):
        errors.append(_("« eligible » doit valoir oui ou non (« %(value)s »).") % {"value": get["eligible"]})
    values["is_eligible"] = eligible != "non"
    reason = get["motif_non_eligibilite"].lower()
    if eligible == "non" and reason not in NonEligibilityReason.values:
        errors.append(
            _("Motif de non-éligibilité manquant ou inconnu (attendu : %(codes)s).")
            % {"codes": ", ".join(NonEligibilityReason.values)}
        )
    values["non_eligibility_reason"] = reason if eligible == "non" else ""
    return row


def parse_liaison_csv(*, raw: bytes, text: str) -> ParsedFile:
    """Check every row and say what importing it would do; writes nothing."""
    parsed = ParsedFile(checksum=checksum_of(raw))
    parsed.already_imported = LiaisonImport.objects.filter(checksum=parsed.checksum).first()
    reader = _reader(text)
    header = {name.strip().lower() for name in (reader.fieldnames or []) if name}
    missing = sorted(REQUIRED_COLUMNS - header)
    if missing:
        parsed.file_errors.append(_("Colonnes manquantes : %(columns)s.") % {"columns": ", ".join(missing)})
        return parsed
    categories = {c.code: c for c in ProfessionalCategory.objects.all()}
    subcategories = {s.code: s for s in ProfessionalSubCategory.objects.all()}
    seen: dict[tuple, int] = {}
    for index, raw_row in enumerate(reader, start=2):
        if index - 1 > MAX_ROWS:
            parsed.file_errors.append(_("Le fichier dépasse %(max)s lignes : découpez-le.") % {"max": MAX_ROWS})
            break
        normalized = {(k or "").strip().lower(): v for k, v in raw_row.items()}
        if not any((v or "").strip() for v in normalized.values() if isinstance(v, str)):
            continue  # blank line
        row = _clean_row(normalized, index, categories, subcategories)
        key = (row.values["id_document_type"], row.values["id_document_number"])
        if key in seen:
            row.errors.append(_("Même pièce d'identité qu'à la ligne %(line)s.") % {"line": seen[key]})
        else:
            seen[key] = index
        parsed.rows.append(row)
    if not parsed.rows and not parsed.file_errors:
        parsed.file_errors.append(_("Le fichier ne contient aucune ligne de données."))
    _plan_actions(parsed)
    return parsed


def _plan_actions(parsed: ParsedFile) -> None:
    numbers = {row.values["id_document_number"] for row in parsed.rows}
    existing = {
        (e.id_document_type, e.id_document_number): e
        for e in LiaisonListEntry.objects.filter(id_document_number__in=numbers)
    }
    for row in parsed.rows:
        entry = existing.get((row.values["id_document_type"], row.values["id_document_number"]))
        if entry is None:
            row.action = CREATE
            continue
        if entry.status == LiaisonStatus.REGISTERED and not row.values["is_eligible"]:
            row.errors.append(
                _("Cette personne est déjà immatriculée : la liste ne peut plus la déclarer non éligible.")
            )
        row.action = UPDATE if _differs(entry, row.values) else UNCHANGED


def _differs(entry: LiaisonListEntry, values: dict) -> bool:
    if any(getattr(entry, name) != values[name] for name in DATA_FIELDS):
        return True
    if entry.status == LiaisonStatus.REGISTERED:
        return False
    return (
        entry.is_eligible != values["is_eligible"] or entry.non_eligibility_reason != values["non_eligibility_reason"]
    )


class ImportRejected(Exception):
    def __init__(self, parsed: ParsedFile):
        super().__init__("invalid liaison file")
        self.parsed = parsed


@transaction.atomic
def apply_liaison_import(*, raw: bytes, text: str, file_name: str, by=None) -> tuple[LiaisonImport, bool]:
    """Save the whole file or nothing. The same file twice: the first import is returned, nothing changes."""
    checksum = checksum_of(raw)
    previous = LiaisonImport.objects.select_for_update().filter(checksum=checksum).first()
    if previous is not None:
        return previous, False
    parsed = parse_liaison_csv(raw=raw, text=text)
    if not parsed.is_valid:
        raise ImportRejected(parsed)
    try:
        with transaction.atomic():  # a savepoint, so that this transaction goes on if the insert fails
            batch = LiaisonImport.objects.create(
                checksum=checksum, file_name=file_name[:255], imported_by=by if getattr(by, "pk", None) else None
            )
    except IntegrityError:
        # Another agent imported the same file at the same moment: PostgreSQL held this insert until that
        # import committed, then refused it. Theirs is the import, as for a file imported before.
        return LiaisonImport.objects.get(checksum=checksum), False
    existing = {
        (e.id_document_type, e.id_document_number): e
        for e in LiaisonListEntry.objects.select_for_update().filter(
            id_document_number__in={row.values["id_document_number"] for row in parsed.rows}
        )
    }
    created = updated = unchanged = 0
    for row in parsed.rows:
        values = row.values
        entry = existing.get((values["id_document_type"], values["id_document_number"]))
        if entry is None:
            LiaisonListEntry.objects.create(
                **values,
                status=LiaisonStatus.PENDING if values["is_eligible"] else LiaisonStatus.NOT_ELIGIBLE,
                import_batch=batch,
            )
            created += 1
            continue
        if not _differs(entry, values):
            unchanged += 1
            continue
        for name in DATA_FIELDS:
            setattr(entry, name, values[name])
        entry.import_batch = batch
        entry.save()
        note = _("Import « %(file)s »") % {"file": batch.file_name}
        if entry.status == LiaisonStatus.PENDING and not values["is_eligible"]:
            apply_transition(entry, "declare_not_eligible", by=by, note=note, reason=values["non_eligibility_reason"])
        elif entry.status == LiaisonStatus.NOT_ELIGIBLE and values["is_eligible"]:
            apply_transition(entry, "declare_eligible", by=by, note=note)
        elif entry.status == LiaisonStatus.NOT_ELIGIBLE:
            entry.non_eligibility_reason = values["non_eligibility_reason"]
            entry.save(update_fields=["non_eligibility_reason", "updated_at"])
        updated += 1
    batch.rows_total = len(parsed.rows)
    batch.rows_created, batch.rows_updated, batch.rows_unchanged = created, updated, unchanged
    batch.save(update_fields=["rows_total", "rows_created", "rows_updated", "rows_unchanged"])
    return batch, True
