"""Roster import: read a CSV or Excel export of stakeholders, check each row and add the new people.

Each data row ends up in one of three states: taken (a new stakeholder), unchanged (its
email is already on the roster, and nothing about that stakeholder is updated) or
rejected with a reason in plain words. Row numbers are the ones a spreadsheet shows, with
the header on row 1.
"""

import csv
import dataclasses
import io
import json
import logging
import os
import pathlib
import unicodedata
import zipfile

import openpyxl
import peewee
from flask import current_app
from openpyxl.utils.exceptions import InvalidFileException

from portal.audit.models import AuditEvent
from portal.db import transaction
from portal.errors import DomainError
from portal.stakeholders.models import Stakeholder, StakeholderGroup
from portal.stakeholders.operations import normalize_email

logger = logging.getLogger(__name__)

# The last column mapping used, stored as JSON in the app's instance folder.
MAPPING_FILENAME = "roster-mapping.json"

FIELDS = ("name", "first_name", "last_name", "email", "group", "school", "language")
REQUIRED_FIELDS = ("email", "group")

DELIMITERS = (",", ";", "\t")
EXCEL_SUFFIXES = (".xlsx", ".xlsm")
ZIP_SIGNATURE = b"PK\x03\x04"  # .xlsx files are ZIP archives

DEFAULT_LANGUAGE = "en"

# Column widths of the Stakeholder model.
EMAIL_MAX_LENGTH = 254
NAME_MAX_LENGTH = 200
SCHOOL_MAX_LENGTH = 200

# Header names recognised for each field, compared case-insensitively. For a field with
# several candidates in one file, the one listed first here wins.
HEADER_NAMES = {
    "email": ("email", "e-mail", "email address", "e-mail address"),
    "group": ("stakeholder group", "group", "role", "stakeholder type"),
    "school": ("school", "school name"),
    "language": ("preferred language", "language", "home language"),
    "first_name": ("first name", "given name"),
    "last_name": ("last name", "surname", "family name"),
    "name": ("name", "full name"),
}

# Group names in rosters that are not a group's key or label, mapped to group keys.
# The labels themselves (English and every translation) come from the database.
GROUP_SYNONYMS = {
    "parent/guardian": "parent",
    "parent / guardian": "parent",
    "parent": "parent",
    "guardian": "parent",
    "grandparent": "parent",
    "mother": "parent",
    "father": "parent",
    "padre": "parent",
    "madre": "parent",
    "tutor": "parent",
    "tutor legal": "parent",
    "para": "paraprofessional",
    "paraeducator": "paraprofessional",
    "teacher aide": "paraprofessional",
    "teaching assistant": "paraprofessional",
    "maestro": "teacher",
    "maestra": "teacher",
    "board": "board-member",
    "school board member": "board-member",
    "community": "community-member",
    "business": "business-leader",
}

# Languages by ISO 639-1 code, with the names rosters write them in: English, native and
# Spanish. Hmong has no ISO 639-1 code, so its ISO 639-2 code "hmn" is used.
LANGUAGE_NAMES = {
    "en": ("english", "inglés"),
    "es": ("spanish", "español", "castellano"),
    "vi": ("vietnamese", "tiếng việt", "vietnamita"),
    "zh": ("chinese", "mandarin", "cantonese", "中文", "chino", "mandarín"),
    "ar": ("arabic", "العربية", "árabe"),
    "ht": ("haitian creole", "haitian", "kreyòl", "kreyòl ayisyen", "créole haïtien", "criollo haitiano"),
    "fr": ("french", "français", "francés"),
    "am": ("amharic", "አማርኛ", "amárico"),
    "ko": ("korean", "한국어", "coreano"),
    "ru": ("russian", "русский", "ruso"),
    "pt": ("portuguese", "português", "portugués"),
    "so": ("somali", "soomaali", "somalí"),
    "tl": ("tagalog", "filipino"),
    "ne": ("nepali", "नेपाली"),
    "my": ("burmese", "မြန်မာ", "birmano"),
    "sw": ("swahili", "kiswahili", "suajili"),
    "ti": ("tigrinya", "ትግርኛ"),
    "ps": ("pashto", "پښتو"),
    "fa": ("persian", "farsi", "dari", "فارسی", "persa"),
    "uk": ("ukrainian", "українська", "ucraniano"),
    "pl": ("polish", "polski", "polaco"),
    "hi": ("hindi", "हिन्दी"),
    "ur": ("urdu", "اردو"),
    "bn": ("bengali", "bangla", "বাংলা"),
    "pa": ("punjabi", "panjabi", "ਪੰਜਾਬੀ"),
    "ja": ("japanese", "日本語", "japonés"),
    "km": ("khmer", "cambodian", "ខ្មែរ", "camboyano"),
    "lo": ("lao", "ລາວ"),
    "de": ("german", "deutsch", "alemán"),
    "it": ("italian", "italiano"),
    "hmn": ("hmong", "hmoob"),
}


class RosterError(DomainError):
    """A roster file that cannot be imported at all: unreadable, not UTF-8, or a mapping that does not fit."""


@dataclasses.dataclass
class RosterTable:
    """The cells of a roster file: its headers and its data rows with their spreadsheet row numbers."""

    name: str
    headers: list
    rows: list  # [(row number, [cell, ...]), ...]


@dataclasses.dataclass
class TakenRow:
    """A row that is or would be added as a new stakeholder, with normalised values."""

    row: int
    email: str
    name: str
    group: str  # StakeholderGroup.key
    school: str
    language: str  # ISO 639-1 code, or "hmn"


@dataclasses.dataclass
class RejectedRow:
    """A row left out of the import, with the file's values by header and the reason."""

    row: int
    values: dict
    reason: str


@dataclasses.dataclass
class RosterResult:
    """The outcome of an import or a dry run."""

    taken: list
    rejected: list
    unchanged_rows: list  # row numbers whose email was already on the roster
    mapping: dict
    dry_run: bool

    @property
    def unchanged(self):
        return len(self.unchanged_rows)


# Reading files


def read_roster(path, name=None):
    """Read a roster file into a RosterTable, or raise RosterError when it cannot be read.

    name is the file name that messages and the audit trail show, by default the path's
    own. Its suffix, not the path's, decides whether the file is read as a workbook.
    """
    path = pathlib.Path(path)
    name = name or path.name
    suffix = pathlib.PurePath(name).suffix.lower()
    if suffix == ".xls":
        raise RosterError(
            f"{name} is an Excel 97-2003 workbook (.xls), which the portal cannot read. "
            "Save the sheet as CSV UTF-8 and import that file."
        )
    try:
        data = path.read_bytes()
    except OSError as error:
        raise RosterError(f"Cannot read {path}: {error.strerror}.") from error

    if suffix in EXCEL_SUFFIXES or data.startswith(ZIP_SIGNATURE):
        records = read_excel(data, name)
    else:
        records = split_csv(decode(data, name), name)
    return table_from_records(records, name)


def read_excel(data, name):
    """Return the first sheet of a workbook's bytes as lists of cell texts."""
    try:
        # A file object, unlike a path, is read whatever its name ends with.
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as error:
        raise RosterError(f"Cannot read {name} as an Excel workbook: {error}") from error
    try:
        sheet = workbook.worksheets[0]
        return [[cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        workbook.close()


def cell_text(value):
    """Return a spreadsheet cell as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def decode(data, name):
    """Decode UTF-8 with or without a byte-order mark, or UTF-16 with one (Excel's "Unicode Text")."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encoding = "utf-16"
    else:
        encoding = "utf-8-sig"
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as error:
        raise RosterError(
            f"{name} is not UTF-8 text (invalid byte 0x{data[error.start]:02x} at offset {error.start}). "
            'Save it from the spreadsheet as "CSV UTF-8" and import that file.'
        ) from error


def split_csv(text, name):
    """Split CSV text into records, taking as delimiter whichever of , ; and tab the header line has most of."""
    header_line = text.split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=header_line.count)
    if header_line.count(delimiter) == 0:
        delimiter = ","
    try:
        # newline="" hands CR LF through to the csv module, which reads CRLF, LF and
        # line breaks inside quoted cells alike.
        return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise RosterError(f"Cannot read {name} as CSV: {error}.") from error


def table_from_records(records, name):
    if not records:
        raise RosterError(f"{name} is empty. Its first row must hold the column headers.")
    headers = [cell.strip() for cell in records[0]]
    if not any(headers):
        raise RosterError(f"Row 1 of {name} is empty. It must hold the column headers.")
    # Every record is one spreadsheet row, blank ones included, so row numbers match.
    rows = [(number, record) for number, record in enumerate(records[1:], start=2)]
    return RosterTable(name=name, headers=headers, rows=rows)


# Column mapping


def lookup_key(text):
    """Return text with whitespace collapsed and case folded, the form that tables here are keyed by."""
    return " ".join(str(text).split()).casefold()


def strip_accents(text):
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def find_header(headers, name):
    """Return the index of the first header equal to name, ignoring case and extra spaces, or None."""
    key = lookup_key(name)
    for index, header in enumerate(headers):
        if lookup_key(header) == key:
            return index
    return None


def guess_mapping(headers):
    """Return a mapping {field: header} built from the common header names in HEADER_NAMES."""
    mapping = {}
    for field, candidates in HEADER_NAMES.items():
        for candidate in candidates:
            index = find_header(headers, candidate)
            if index is not None:
                mapping[field] = headers[index]
                break
    return mapping


def mapping_path():
    return os.path.join(current_app.instance_path, MAPPING_FILENAME)


def load_remembered_mapping():
    """Return the mapping the last import used, or None when there is none or it is unreadable."""
    path = mapping_path()
    try:
        with open(path, encoding="utf-8") as handle:
            mapping = json.load(handle)
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        logger.warning("Ignoring the remembered roster mapping in %s: %s", path, error)
        return None
    if not isinstance(mapping, dict) or not all(isinstance(value, str) for value in mapping.values()):
        logger.warning("Ignoring the remembered roster mapping in %s: it is not a JSON object of strings", path)
        return None
    return mapping


def remember_mapping(mapping):
    """Store the mapping for the next import, replacing the file in one step."""
    path = mapping_path()
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temporary = f"{path}.tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(mapping, handle, ensure_ascii=False, indent=2, sort_keys=True)
    os.replace(temporary, path)


def default_mapping(table):
    """Return the remembered mapping when every header it names is in the file, else the guess from common header names."""
    remembered = load_remembered_mapping()
    if remembered and all(find_header(table.headers, header) is not None for header in remembered.values()):
        return dict(remembered)
    return guess_mapping(table.headers)


def mapping_problems(table, mapping):
    """Return {field: problem} for a mapping {field: header} that does not fit the table.

    The problems are an unknown field, a header the file lacks, a header already chosen for
    another field, and no column for a required field. An empty dict means the mapping fits.
    """
    problems = {}
    field_by_header = {}
    for field, header in mapping.items():
        if field not in FIELDS:
            problems[field] = f"Unknown roster field {field!r}. The fields are: {', '.join(FIELDS)}."
        elif find_header(table.headers, header) is None:
            problems[field] = f"The mapping takes {field} from column {header!r}, but {table.name} has no such column."
        elif lookup_key(header) in field_by_header:
            other = field_by_header[lookup_key(header)]
            problems[field] = (
                f"Column {header!r} is already chosen for {other}. Choose a different column for each field."
            )
        else:
            field_by_header[lookup_key(header)] = field
    for field in REQUIRED_FIELDS:
        if field not in mapping:
            problems[field] = f"{table.name} has no column for {field}, and no mapping names one. Every row needs it."
    return problems


def choose_mapping(table, mapping=None):
    """Return the mapping {field: header} to import table with.

    The base is default_mapping(table). Entries of mapping replace the base's, and an entry
    with an empty header drops that field. Raise RosterError when mapping_problems finds any.
    """
    chosen = default_mapping(table)
    for field, header in (mapping or {}).items():
        if field not in FIELDS:
            raise RosterError(f"Unknown roster field {field!r}. The fields are: {', '.join(FIELDS)}.")
        if header:
            chosen[field] = header
        else:
            chosen.pop(field, None)

    problems = mapping_problems(table, chosen)
    if problems:
        columns = ", ".join(header for header in table.headers if header)
        message = " ".join(problems.values()) + f" Its columns are: {columns}."
        missing = next((field for field in REQUIRED_FIELDS if field not in chosen), None)
        if missing:
            message += f" Map one, as in --column {missing}=HEADER."
        raise RosterError(message)
    return chosen


# Normalising values


def build_lookup(forms_by_value):
    """Return {form: value} over exact and accent-stripped forms. When values share a form, the earlier one keeps it."""
    lookup = {}
    for value, forms in forms_by_value:
        for form in forms:
            key = lookup_key(form)
            lookup.setdefault(key, value)
            lookup.setdefault(strip_accents(key), value)
    return lookup


def find_in(lookup, text):
    key = lookup_key(text)
    return lookup.get(key) or lookup.get(strip_accents(key))


def group_names(group):
    """Return the names a roster may give a group: its key, and its labels in every language."""
    names = [group.key, group.key.replace("-", " "), group.label, group.plural_label]
    for localized in json.loads(group.translations or "{}").values():
        names.extend(name for name in (localized.get("label"), localized.get("plural_label")) if name)
    return names


class GroupNames:
    """The stakeholder groups by every name a roster may give them."""

    def __init__(self):
        groups = list(StakeholderGroup.select().order_by(StakeholderGroup.position, StakeholderGroup.id))
        self.by_key = {group.key: group for group in groups}
        self.labels = [group.label for group in groups]

        forms = [(group.key, group_names(group)) for group in groups]
        for synonym, key in GROUP_SYNONYMS.items():
            if key in self.by_key:
                forms.append((key, [synonym]))
        self.lookup = build_lookup(forms)

    def find(self, text):
        """Return the group key for a name from a roster, or None."""
        return find_in(self.lookup, text)


LANGUAGE_LOOKUP = build_lookup((code, (code, *names)) for code, names in LANGUAGE_NAMES.items())


def find_language(text):
    """Return the language code for a code or name, or None. An empty value means English.

    A code with a region or script subtag (es-MX, zh_Hant) counts as its language.
    """
    if not text.strip():
        return DEFAULT_LANGUAGE
    code = find_in(LANGUAGE_LOOKUP, text)
    if code is None:
        primary = text.strip().replace("_", "-").split("-")[0]
        if primary != text.strip():
            code = LANGUAGE_LOOKUP.get(primary.casefold())
    return code


def email_problem(email):
    """Return why a lower-cased, trimmed email is invalid, or None when it is valid."""
    if any(char.isspace() for char in email):
        return "it contains a space"
    if len(email) > EMAIL_MAX_LENGTH:
        return f"it is longer than {EMAIL_MAX_LENGTH} characters"
    if "@" not in email:
        return "it has no @"
    if email.count("@") > 1:
        return "it has more than one @"
    local, domain = email.split("@")
    if not local:
        return "nothing comes before the @"
    if not domain:
        return "nothing comes after the @"
    if "." not in domain:
        return "the domain needs a dot, as in example.org"
    labels = domain.split(".")
    if not all(labels):
        return "the domain has an empty part between dots"
    top_level = labels[-1]
    if len(top_level) < 2 or not (top_level.isalpha() or top_level.startswith("xn--")):
        return "the domain must end in two or more letters, as in .org"
    return None


def cell(cells, columns, field):
    index = columns.get(field)
    if index is None or index >= len(cells):
        return ""
    return cells[index].strip()


def check_row(number, cells, columns, groups):
    """Return (TakenRow, None) for a row that can be imported, or (None, reason)."""
    if not any(value.strip() for value in cells):
        return None, "blank row"

    problems = []
    raw_email = cell(cells, columns, "email")
    email = normalize_email(raw_email)
    if not email:
        problems.append("missing email")
    else:
        problem = email_problem(email)
        if problem:
            problems.append(f"invalid email {raw_email!r}: {problem}")

    raw_group = cell(cells, columns, "group")
    group = groups.find(raw_group) if raw_group else None
    if not raw_group:
        problems.append(f"missing group: use one of {', '.join(groups.labels)}")
    elif group is None:
        problems.append(f"unknown group {raw_group!r}: use one of {', '.join(groups.labels)}")

    raw_language = cell(cells, columns, "language")
    language = find_language(raw_language)
    if language is None:
        problems.append(
            f"unknown language {raw_language!r}: use a language name such as Spanish or an ISO 639-1 code such as es"
        )

    name = cell(cells, columns, "name")
    if not name:
        name = " ".join(part for part in (cell(cells, columns, "first_name"), cell(cells, columns, "last_name")) if part)
    if len(name) > NAME_MAX_LENGTH:
        problems.append(f"name longer than {NAME_MAX_LENGTH} characters")
    school = cell(cells, columns, "school")
    if len(school) > SCHOOL_MAX_LENGTH:
        problems.append(f"school longer than {SCHOOL_MAX_LENGTH} characters")

    if problems:
        return None, "; ".join(problems)
    return TakenRow(row=number, email=email, name=name, group=group, school=school, language=language), None


# Importing


def existing_emails(emails, batch_size=500):
    """Return which of the emails already belong to a stakeholder."""
    emails = list(emails)
    found = set()
    for start in range(0, len(emails), batch_size):
        batch = emails[start : start + batch_size]
        query = Stakeholder.select(Stakeholder.email).where(Stakeholder.email.in_(batch))
        found.update(row.email for row in query)
    return found


def classify_rows(table, mapping):
    """Sort the table's rows into taken, rejected and unchanged against the current roster."""
    columns = {field: find_header(table.headers, header) for field, header in mapping.items()}
    groups = GroupNames()
    result = RosterResult(taken=[], rejected=[], unchanged_rows=[], mapping=mapping, dry_run=False)

    candidates = []
    first_row_by_email = {}
    for number, cells in table.rows:
        values = {header: (cells[index] if index < len(cells) else "") for index, header in enumerate(table.headers) if header}
        row, reason = check_row(number, cells, columns, groups)
        if row is not None and row.email in first_row_by_email:
            row, reason = None, f"duplicate of row {first_row_by_email[row.email]} (same email)"
        if row is None:
            result.rejected.append(RejectedRow(row=number, values=values, reason=reason))
            continue
        first_row_by_email[row.email] = number
        candidates.append(row)

    on_roster = existing_emails(row.email for row in candidates)
    for row in candidates:
        if row.email in on_roster:
            result.unchanged_rows.append(row.row)
        else:
            result.taken.append(row)
    result.rejected.sort(key=lambda rejected: rejected.row)
    return result, groups


def save_stakeholders(rows, groups):
    Stakeholder.bulk_create(
        [
            Stakeholder(
                email=row.email,
                name=row.name,
                group=groups.by_key[row.group],
                school=row.school,
                language=row.language,
            )
            for row in rows
        ],
        batch_size=100,
    )


def import_roster(path, mapping=None, dry_run=False, actor="cli", name=None):
    """Import the stakeholders of a roster file and return a RosterResult.

    mapping ({field: header}) adjusts the remembered or guessed column mapping, as
    choose_mapping describes. name is the file name to report, as read_roster describes.
    Raise RosterError when the file cannot be read or the mapping does not fit it.
    """
    table = read_roster(path, name)
    chosen = choose_mapping(table, mapping)
    return import_table(table, chosen, dry_run=dry_run, actor=actor)


def import_table(table, chosen, dry_run=False, actor="cli"):
    """Import a read roster with a mapping that fits it (see mapping_problems) and return a RosterResult.

    Without dry_run, the new stakeholders and one roster.imported audit event are saved in
    one transaction, and the mapping is remembered for the next file. Stakeholders already
    on the roster are counted as unchanged and not updated. Raise RosterError when a
    stakeholder with one of the file's emails was added while the import ran.
    """
    if dry_run:
        result, _ = classify_rows(table, chosen)
        result.dry_run = True
        return result

    try:
        with transaction():
            # On SQLite the transaction's write lock keeps other writers out between the
            # check for existing emails and the insert. On PostgreSQL a stakeholder added
            # concurrently can still collide, and the unique index then rolls the import back.
            result, groups = classify_rows(table, chosen)
            save_stakeholders(result.taken, groups)
            AuditEvent.record(
                actor,
                "roster.imported",
                file=table.name,
                taken=len(result.taken),
                rejected=len(result.rejected),
                unchanged=result.unchanged,
            )
    except peewee.IntegrityError as error:
        logger.warning("Roster %s not imported, because a stakeholder was added meanwhile: %s", table.name, error)
        raise RosterError(
            f"{table.name} was not imported, because a stakeholder with one of its emails was added "
            "while it ran. Nothing was saved. Run the import again."
        ) from error
    remember_mapping(chosen)
    logger.info(
        "Roster %s imported by %s: %d taken, %d rejected, %d already on the roster",
        table.name,
        actor,
        len(result.taken),
        len(result.rejected),
        result.unchanged,
    )
    return result
