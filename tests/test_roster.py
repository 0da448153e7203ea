"""Roster import: reading files, the column mapping, checking rows, and the import-roster command."""

import json
import pathlib
import shutil

import pytest

from portal.audit.models import AuditEvent
from portal.db import database
from portal.stakeholders import roster
from portal.stakeholders.models import Stakeholder, StakeholderGroup
from portal.stakeholders.roster import MAPPING_FILENAME, RosterError, email_problem, import_roster
from tests.conftest import SHARED_DATA

SAMPLE_ROSTER = SHARED_DATA / "stakeholder-roster.csv"

# Counted by hand in the sample roster: 30 data rows on rows 2-31, of which these 4 are rejected.
SAMPLE_REJECTED = {
    14: "duplicate of row 3 (same email)",  # Terrence Brooks again, email in lower case
    15: "invalid email 'jordan.smith@mail': the domain needs a dot, as in example.org",
    16: "missing email",  # Sam Lee
    26: "blank row",
}
SAMPLE_TAKEN = 26

HEADER = "Last Name,First Name,Email,Stakeholder Group,School,Preferred Language\n"


@pytest.fixture(autouse=True)
def instance_folder(app):
    """The test's own instance folder, where the remembered mapping is kept; every test needs the app."""
    return pathlib.Path(app.instance_path)


@pytest.fixture
def sample(tmp_path):
    path = tmp_path / "roster.csv"
    shutil.copy(SAMPLE_ROSTER, path)
    return path


def write(tmp_path, name, text, encoding="utf-8", newline="\n"):
    path = tmp_path / name
    path.write_bytes(text.replace("\n", newline).encode(encoding))
    return path


def stakeholder(email):
    return Stakeholder.get(Stakeholder.email == email)


def invoke(runner, *args):
    result = runner.invoke(args=["portal", "import-roster", *args])
    database.connect(reuse_if_open=True)
    return result


def reasons(result):
    return {rejected.row: rejected.reason for rejected in result.rejected}


def test_sample_counts(sample):
    result = import_roster(sample)
    assert len(result.taken) == SAMPLE_TAKEN
    assert reasons(result) == SAMPLE_REJECTED
    assert result.unchanged == 0
    assert Stakeholder.select().count() == SAMPLE_TAKEN


def test_sample_rejected_values(sample):
    result = import_roster(sample)
    duplicate = next(rejected for rejected in result.rejected if rejected.row == 14)
    assert duplicate.values["Email"] == "tbrooks@harborcity.example.org"
    assert duplicate.values["Last Name"] == "Brooks"


def test_sample_normalised_values(sample):
    import_roster(sample)
    brooks = stakeholder("tbrooks@harborcity.example.org")
    assert brooks.name == "Terrence Brooks"
    assert brooks.group.key == "teacher"
    assert brooks.language == "en"
    assert stakeholder("tom.begay@mail.example.com").group.key == "parent"  # Grandparent
    assert stakeholder("rosa.alvarez@mail.example.com").group.key == "parent"  # Parent/Guardian
    assert stakeholder("selam.haile@mail.example.com").group.key == "parent"  # parent
    assert stakeholder("siobhan.obrien@harborcity.example.org").group.key == "teacher-leader"
    assert stakeholder("siobhan.obrien@harborcity.example.org").name == "Siobhán O'Brien"
    assert stakeholder("alex.jones@harborcity.example.org").group.key == "paraprofessional"
    assert stakeholder("denise.washington@harborcity.example.org").group.key == "principal-supervisor"
    assert stakeholder("grace.kim@harborboard.example.org").group.key == "board-member"
    assert stakeholder("grace.kim@harborboard.example.org").school == ""
    assert stakeholder("ravi@patelhardware.example.com").group.key == "business-leader"
    assert stakeholder("mae.johnson@mail.example.com").group.key == "community-member"
    assert stakeholder("marco.diaz@students.harborcity.example.org").group.key == "student"
    assert stakeholder("anna.fischer@harborcity.example.org").name == "Anna Fischer"  # spaces trimmed
    assert stakeholder("selam.haile@mail.example.com").school == "Curtis Bay Elementary, Annex"


@pytest.mark.parametrize(
    ("email", "language"),
    [
        ("rosa.alvarez@mail.example.com", "es"),  # Spanish
        ("jl.ramirez@mail.example.com", "es"),  # Español
        ("marco.diaz@students.harborcity.example.org", "es"),  # es
        ("lan.nguyen@mail.example.com", "vi"),  # Vietnamese
        ("selam.haile@mail.example.com", "am"),  # Amharic
        ("miriam.cohen@harborcity.example.org", "en"),  # empty
        ("kofi.mensah@mail.example.com", "fr"),  # French
        ("fatima.ahmed@mail.example.com", "ar"),  # Arabic
        ("claire.moreau@mail.example.com", "ht"),  # Haitian Creole
    ],
)
def test_sample_languages(sample, email, language):
    import_roster(sample)
    assert stakeholder(email).language == language


def test_sample_audit_event(sample):
    import_roster(sample, actor="staff:1")
    events = list(AuditEvent.select().where(AuditEvent.action == "roster.imported"))
    assert len(events) == 1
    assert events[0].actor == "staff:1"
    details = json.loads(events[0].details)
    assert details["taken"] == SAMPLE_TAKEN
    assert details["rejected"] == len(SAMPLE_REJECTED)
    assert details["unchanged"] == 0


def test_second_import_adds_nobody(sample):
    import_roster(sample)
    again = import_roster(sample)
    assert again.taken == []
    assert again.unchanged == SAMPLE_TAKEN
    assert reasons(again) == SAMPLE_REJECTED
    assert Stakeholder.select().count() == SAMPLE_TAKEN


def test_existing_stakeholder_not_updated(tmp_path):
    teacher = StakeholderGroup.get(StakeholderGroup.key == "teacher")
    Stakeholder.create(email="rosa@mail.example.com", name="R. Alvarez", group=teacher, language="en")
    path = write(tmp_path, "roster.csv", HEADER + "Alvarez,Rosa,ROSA@mail.example.com,Parent,Fells Middle,Spanish\n")
    result = import_roster(path)
    assert result.unchanged == 1
    assert result.taken == []
    kept = stakeholder("rosa@mail.example.com")
    assert kept.name == "R. Alvarez"
    assert kept.group.key == "teacher"
    assert kept.language == "en"


def test_dry_run_writes_nothing(sample, instance_folder):
    result = import_roster(sample, dry_run=True)
    assert result.dry_run
    assert len(result.taken) == SAMPLE_TAKEN
    assert reasons(result) == SAMPLE_REJECTED
    assert Stakeholder.select().count() == 0
    assert AuditEvent.select().where(AuditEvent.action == "roster.imported").count() == 0
    assert not (instance_folder / MAPPING_FILENAME).exists()


def test_semicolon_delimiter(tmp_path):
    text = HEADER.replace(",", ";") + "Haile;Selam;selam@mail.example.com;Parent;Curtis Bay Elementary, Annex;am\n"
    result = import_roster(write(tmp_path, "roster.csv", text))
    assert len(result.taken) == 1
    assert result.rejected == []
    assert stakeholder("selam@mail.example.com").school == "Curtis Bay Elementary, Annex"


def test_tab_delimiter(tmp_path):
    text = HEADER.replace(",", "\t") + "Kim\tGrace\tgrace@board.example.org\tBoard\t\tKorean\n"
    result = import_roster(write(tmp_path, "roster.tsv", text))
    assert len(result.taken) == 1
    assert stakeholder("grace@board.example.org").language == "ko"


def test_lf_without_bom(tmp_path):
    text = HEADER + "Nguyễn,Thị Lan,lan@mail.example.com,Parent/Guardian,Fells Middle,Tiếng Việt\n"
    path = write(tmp_path, "roster.csv", text)
    assert not path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert b"\r" not in path.read_bytes()
    result = import_roster(path)
    assert len(result.taken) == 1
    assert stakeholder("lan@mail.example.com").name == "Thị Lan Nguyễn"
    assert stakeholder("lan@mail.example.com").language == "vi"


def test_unknown_group(tmp_path):
    path = write(tmp_path, "roster.csv", HEADER + "Ortiz,Ana,ana@mail.example.com,Volunteer,Fells Middle,English\n")
    result = import_roster(path)
    assert result.taken == []
    assert reasons(result)[2].startswith("unknown group 'Volunteer': use one of Teacher, Teacher leader, ")


def test_unknown_language(tmp_path):
    path = write(tmp_path, "roster.csv", HEADER + "Ortiz,Ana,ana@mail.example.com,Parent,Fells Middle,Klingon\n")
    result = import_roster(path)
    assert result.taken == []
    assert reasons(result)[2].startswith("unknown language 'Klingon'")


def test_row_with_several_problems(tmp_path):
    path = write(tmp_path, "roster.csv", HEADER + "Ortiz,Ana,,Volunteer,Fells Middle,Klingon\n")
    reason = reasons(import_roster(path))[2]
    assert reason.startswith("missing email; unknown group 'Volunteer'")
    assert "unknown language 'Klingon'" in reason


@pytest.mark.parametrize(
    ("value", "code"),
    [("Español", "es"), ("espanol", "es"), ("ES", "es"), ("es-MX", "es"), ("Kreyòl", "ht"), ("Somali", "so"), ("Hmong", "hmn")],
)
def test_language_names(tmp_path, value, code):
    path = write(tmp_path, "roster.csv", HEADER + f"Ortiz,Ana,ana@mail.example.com,Parent,,{value}\n")
    import_roster(path)
    assert stakeholder("ana@mail.example.com").language == code


@pytest.mark.parametrize(
    ("value", "key"),
    [("Madre, padre o tutor", "parent"), ("Docente lider", "teacher-leader"), ("para", "paraprofessional"), ("Teachers", "teacher")],
)
def test_group_names(tmp_path, value, key):
    path = write(tmp_path, "roster.csv", HEADER + f'Ortiz,Ana,ana@mail.example.com,"{value}",,\n')
    import_roster(path)
    assert stakeholder("ana@mail.example.com").group.key == key


@pytest.mark.parametrize(
    ("email", "problem"),
    [
        ("ana@mail.example.com", None),
        ("ana.example.org", "it has no @"),
        ("ana@@example.org", "it has more than one @"),
        ("@example.org", "nothing comes before the @"),
        ("ana@", "nothing comes after the @"),
        ("ana@mail", "the domain needs a dot, as in example.org"),
        ("ana@mail..org", "the domain has an empty part between dots"),
        ("ana@mail.o", "the domain must end in two or more letters, as in .org"),
        ("ana@mail.123", "the domain must end in two or more letters, as in .org"),
        ("ana maria@mail.org", "it contains a space"),
    ],
)
def test_email_problem(email, problem):
    assert email_problem(email) == problem


def test_mapping_missing_header(sample):
    with pytest.raises(RosterError) as raised:
        import_roster(sample, mapping={"email": "Correo"})
    message = raised.value.message
    assert "'Correo'" in message
    assert "Last Name, First Name, Email, Stakeholder Group, School, Preferred Language, Phone" in message


def test_mapping_unknown_field(sample):
    with pytest.raises(RosterError) as raised:
        import_roster(sample, mapping={"phone": "Phone"})
    assert "'phone'" in raised.value.message


def test_no_email_column(tmp_path):
    path = write(tmp_path, "roster.csv", "Name,Group\nAna Ortiz,Parent\n")
    with pytest.raises(RosterError) as raised:
        import_roster(path)
    assert "no column for email" in raised.value.message


def test_mapping_remembered(tmp_path, instance_folder):
    header = "Nombre,Correo,Tipo,Escuela,Idioma\n"
    mapping = {"name": "Nombre", "email": "Correo", "group": "Tipo", "school": "Escuela", "language": "Idioma"}
    first = write(tmp_path, "first.csv", header + "Ana Ortiz,ana@mail.example.com,Parent,Fells Middle,es\n")
    second = write(tmp_path, "second.csv", header + "Luis Ortiz,luis@mail.example.com,Student,Fells Middle,en\n")

    import_roster(first, mapping=mapping)
    stored = json.loads((instance_folder / MAPPING_FILENAME).read_text(encoding="utf-8"))
    assert stored == mapping

    result = import_roster(second)
    assert len(result.taken) == 1
    assert stakeholder("luis@mail.example.com").name == "Luis Ortiz"
    assert stakeholder("luis@mail.example.com").group.key == "student"


def test_remembered_mapping_skipped_when_headers_differ(tmp_path, instance_folder, sample):
    (instance_folder / MAPPING_FILENAME).write_text(json.dumps({"email": "Correo", "group": "Tipo"}), encoding="utf-8")
    result = import_roster(sample)
    assert len(result.taken) == SAMPLE_TAKEN


def test_cli_lists_rejected_rows(runner, sample):
    result = invoke(runner, str(sample))
    assert result.exit_code == 0, result.output
    assert f"Took {SAMPLE_TAKEN} rows." in result.output
    assert "Already on the roster, left unchanged: 0 rows." in result.output
    assert f"Rejected {len(SAMPLE_REJECTED)} rows:" in result.output
    for row, reason in SAMPLE_REJECTED.items():
        assert f"  row {row}: {reason}\n" in result.output


def test_cli_second_run(runner, sample):
    invoke(runner, str(sample))
    result = invoke(runner, str(sample))
    assert result.exit_code == 0, result.output
    assert "Took 0 rows." in result.output
    assert f"Already on the roster, left unchanged: {SAMPLE_TAKEN} rows." in result.output
    assert Stakeholder.select().count() == SAMPLE_TAKEN


def test_cli_dry_run(runner, sample):
    result = invoke(runner, str(sample), "--dry-run")
    assert result.exit_code == 0, result.output
    assert f"Would take {SAMPLE_TAKEN} rows; nothing was saved (dry run)." in result.output
    assert "  row 16: missing email\n" in result.output
    assert Stakeholder.select().count() == 0


def test_cli_column_option(runner, tmp_path):
    path = write(tmp_path, "roster.csv", "Correo,Group,Phone\nana@mail.example.com,Parent,410-555-0101\n")
    result = invoke(runner, str(path), "--column", "email=Correo")
    assert result.exit_code == 0, result.output
    assert "Took 1 row." in result.output


def test_cli_bad_column_option(runner, sample):
    result = invoke(runner, str(sample), "--column", "phone")
    assert result.exit_code == 2
    assert "FIELD=HEADER" in result.output


def test_cli_not_utf8(runner, tmp_path):
    path = write(tmp_path, "roster.csv", HEADER + "Ramírez,José,jose@mail.example.com,Parent,,Spanish\n", encoding="cp1252")
    result = invoke(runner, str(path))
    assert result.exit_code == 1
    assert "is not UTF-8 text (invalid byte 0xed" in result.output
    assert 'Save it from the spreadsheet as "CSV UTF-8"' in result.output
    assert Stakeholder.select().count() == 0


def test_excel_roster_imports_like_csv(runner, tmp_path):
    import csv

    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    with open(SHARED_DATA / "stakeholder-roster.csv", encoding="utf-8-sig", newline="") as handle:
        for record in csv.reader(handle):
            sheet.append(record)
    path = tmp_path / "roster.xlsx"
    workbook.save(path)

    result = runner.invoke(args=["portal", "import-roster", str(path)])
    assert result.exit_code == 0, result.output
    assert Stakeholder.select().count() == 26


def test_broken_excel_file_rejected(runner, tmp_path):
    path = tmp_path / "roster.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    result = runner.invoke(args=["portal", "import-roster", str(path)])
    assert result.exit_code != 0
    assert "Cannot read roster.xlsx as an Excel workbook" in result.output


def test_cli_missing_file(runner, tmp_path):
    result = invoke(runner, str(tmp_path / "nowhere.csv"))
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_cli_empty_file(runner, tmp_path):
    result = invoke(runner, str(write(tmp_path, "roster.csv", "")))
    assert result.exit_code == 1
    assert "is empty" in result.output


def test_concurrent_insert_rolls_back(tmp_path, monkeypatch):
    # Hide ana from the check for existing emails, as if another process added her after the check.
    monkeypatch.setattr(roster, "existing_emails", lambda emails: set())
    teacher = StakeholderGroup.get(StakeholderGroup.key == "teacher")
    Stakeholder.create(email="ana@mail.example.com", group=teacher)
    text = HEADER + "Ortiz,Luis,luis@mail.example.com,Parent,,\nOrtiz,Ana,ana@mail.example.com,Parent,,\n"
    with pytest.raises(RosterError) as raised:
        import_roster(write(tmp_path, "roster.csv", text))
    assert "Nothing was saved" in raised.value.message
    assert Stakeholder.select().count() == 1
    assert AuditEvent.select().where(AuditEvent.action == "roster.imported").count() == 0
