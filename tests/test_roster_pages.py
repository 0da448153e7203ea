"""Roster import pages: upload, column mapping and preview, import, result, and every rejected file."""

import datetime
import io
import json
import os
import re

import lxml.html
import openpyxl
import pytest

from portal.audit.models import AuditEvent
from portal.stakeholders import roster
from portal.stakeholders.models import Stakeholder, StakeholderGroup
from portal.stakeholders.roster import MAPPING_FILENAME
from tests.test_roster import HEADER, SAMPLE_REJECTED, SAMPLE_ROSTER, SAMPLE_TAKEN

SAMPLE_BYTES = SAMPLE_ROSTER.read_bytes()
MAPPING_FIELDS = ("name", "first_name", "last_name", "email", "group", "school", "language")
SAMPLE_MAPPING = {
    "name": "",
    "first_name": "First Name",
    "last_name": "Last Name",
    "email": "Email",
    "group": "Stakeholder Group",
    "school": "School",
    "language": "Preferred Language",
}


@pytest.fixture(autouse=True)
def instance_folder(app, tmp_path):
    """Keep uploads and the remembered mapping in the test's own folder, not the repository's instance/."""
    folder = tmp_path / "instance"
    app.instance_path = str(folder)
    return folder


@pytest.fixture
def admin(auth, staff):
    auth.sign_in(staff["admin"])
    return auth.client


def upload(client, name, data):
    return client.post("/roster/import", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def uploaded(client, name="roster.csv", data=SAMPLE_BYTES):
    """Upload a file that must be accepted, and return the mapping page's URL."""
    response = upload(client, name, data)
    assert response.status_code == 303, response.get_data(as_text=True)
    location = response.headers["Location"]
    assert re.fullmatch(r"/roster/import/[A-Za-z0-9_-]{24}", location)
    return location


def page(response):
    return lxml.html.fromstring(response.get_data(as_text=True))


def text(element):
    return " ".join(element.text_content().split())


def table_rows(document, caption_start):
    """Return the rows of the table whose caption starts with caption_start, as {data-label: text}."""
    for table in document.iter("table"):
        caption = table.find("caption")
        if caption is not None and text(caption).startswith(caption_start):
            return [{cell.get("data-label"): text(cell) for cell in row} for row in table.find("tbody")]
    return []


def rejected_reasons(document):
    return {int(row["Row"]): row["Reason"] for row in table_rows(document, "Rejected rows")}


def selected(document, field):
    options = document.xpath(f'//select[@name="{field}"]/option[@selected]')
    return options[0].get("value") if options else ""


def field_errors(document, field):
    """Return the error messages beside the select or input with this name."""
    control = document.xpath(f'//*[@name="{field}"][not(@type="hidden")]')[0]
    ids = (control.get("aria-describedby") or "").split()
    return [text(document.get_element_by_id(name)) for name in ids if "-error-" in name]


def import_with(client, url, mapping):
    return client.post(url, data={field: mapping.get(field, "") for field in MAPPING_FIELDS})


def workbook_bytes(rows):
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload_files(instance_folder):
    folder = instance_folder / "roster-uploads"
    return sorted(path.name for path in folder.iterdir()) if folder.exists() else []


# The sample roster, compared with the import-roster command


def test_sample_preview_matches_cli(admin, runner):
    cli = runner.invoke(args=["portal", "import-roster", str(SAMPLE_ROSTER), "--dry-run"])
    cli_rejected = {int(row): reason for row, reason in re.findall(r"^  row (\d+): (.*)$", cli.output, re.M)}
    url = uploaded(admin)

    response = admin.get(url)
    document = page(response)

    assert response.status_code == 200
    assert cli_rejected == SAMPLE_REJECTED
    assert rejected_reasons(document) == cli_rejected
    assert f"To add: {SAMPLE_TAKEN}" in text(document)
    assert "Already on the roster, left as they are: 0" in text(document)
    assert f"Rejected: {len(SAMPLE_REJECTED)}" in text(document)
    assert Stakeholder.select().count() == 0


def test_sample_mapping_guessed(admin):
    document = page(admin.get(uploaded(admin)))
    for field, header in SAMPLE_MAPPING.items():
        assert selected(document, field) == header, field


def test_preview_rows_normalised(admin):
    document = page(admin.get(uploaded(admin)))
    rows = table_rows(document, "The first 10 of 26 stakeholders to add")
    assert len(rows) == 10
    assert rows[0] == {
        "Row": "2",
        "Email": "rosa.alvarez@mail.example.com",
        "Name": "Rosa Alvarez",
        "Group": "Parent or guardian",
        "School": "Eastport Elementary",
        "Language": "Spanish (es)",
    }
    assert rows[1]["Email"] == "tbrooks@harborcity.example.org"


def test_sample_import_through_pages(admin, instance_folder):
    url = uploaded(admin)
    response = import_with(admin, url, SAMPLE_MAPPING)
    assert response.status_code == 303
    assert response.headers["Location"] == f"{url}/result"

    result = admin.get(response.headers["Location"])
    document = page(result)
    added = table_rows(document, "Stakeholders added")

    assert result.status_code == 200
    assert Stakeholder.select().count() == SAMPLE_TAKEN
    assert len(added) == SAMPLE_TAKEN
    assert {row["Email"] for row in added} == {stakeholder.email for stakeholder in Stakeholder.select()}
    assert rejected_reasons(document) == SAMPLE_REJECTED
    assert "Added: 26" in text(document)
    assert "Imported roster.csv: 26 stakeholders added." in text(document)
    upload_id = url.rsplit("/", 1)[1]
    assert upload_files(instance_folder) == [f"{upload_id}.json", f"{upload_id}.lock"]


def test_rejected_row_values_listed(admin):
    document = page(admin.get(uploaded(admin)))
    rows = {row["Row"]: row for row in table_rows(document, "Rejected rows")}
    assert "Email: jordan.smith@mail" in rows["15"]["Values in the file"]
    assert "Last Name: Lee" in rows["16"]["Values in the file"]
    assert rows["26"]["Values in the file"] == "none"


def test_import_audit_event(admin, staff):
    import_with(admin, uploaded(admin), SAMPLE_MAPPING)
    event = AuditEvent.get(AuditEvent.action == "roster.imported")
    details = json.loads(event.details)
    assert event.actor == f"staff:{staff['admin'].id}"
    assert details["file"] == "roster.csv"
    assert details["taken"] == SAMPLE_TAKEN
    assert details["rejected"] == len(SAMPLE_REJECTED)


def test_second_import_adds_nobody(admin):
    import_with(admin, uploaded(admin), SAMPLE_MAPPING)
    url = uploaded(admin)

    preview = page(admin.get(url))
    response = import_with(admin, url, SAMPLE_MAPPING)
    document = page(admin.get(response.headers["Location"]))

    assert "To add: 0" in text(preview)
    assert f"Already on the roster, left as they are: {SAMPLE_TAKEN}" in text(preview)
    assert "Nothing to add" in text(preview)
    assert preview.xpath('//button[starts-with(normalize-space(), "Import")]') == []
    assert response.status_code == 303
    assert Stakeholder.select().count() == SAMPLE_TAKEN
    assert "Added: 0" in text(document)
    assert f"Already on the roster, left as they are: {SAMPLE_TAKEN}" in text(document)
    assert rejected_reasons(document) == SAMPLE_REJECTED


def test_double_submit_imports_once(admin):
    url = uploaded(admin)
    first = import_with(admin, url, SAMPLE_MAPPING)
    second = import_with(admin, url, SAMPLE_MAPPING)
    document = page(admin.get(second.headers["Location"]))
    assert second.status_code == 303
    assert second.headers["Location"] == first.headers["Location"]
    assert "Added: 26" in text(document)
    assert AuditEvent.select().where(AuditEvent.action == "roster.imported").count() == 1


def test_excel_sample_imports_like_csv(admin):
    import csv

    with open(SAMPLE_ROSTER, encoding="utf-8-sig", newline="") as handle:
        records = list(csv.reader(handle))
    url = uploaded(admin, "roster.xlsx", workbook_bytes(records))
    response = import_with(admin, url, SAMPLE_MAPPING)
    document = page(admin.get(response.headers["Location"]))
    assert Stakeholder.select().count() == SAMPLE_TAKEN
    assert rejected_reasons(document) == SAMPLE_REJECTED


# The mapping


def test_mapping_remembered_for_next_file(admin, instance_folder):
    header = "Nombre,Correo,Tipo,Escuela,Idioma\n"
    mapping = {"name": "Nombre", "email": "Correo", "group": "Tipo", "school": "Escuela", "language": "Idioma"}
    first = uploaded(admin, "primero.csv", (header + "Ana Ortiz,ana@mail.example.com,Padre,Fells Middle,es\n").encode())
    assert selected(page(admin.get(first)), "email") == ""

    import_with(admin, first, mapping)
    second = uploaded(admin, "segundo.csv", (header + "Luis Ortiz,luis@mail.example.com,Estudiante,Fells Middle,en\n").encode())
    document = page(admin.get(second))

    assert json.loads((instance_folder / MAPPING_FILENAME).read_text(encoding="utf-8")) == mapping
    for field in MAPPING_FIELDS:
        assert selected(document, field) == mapping.get(field, ""), field
    assert "To add: 1" in text(document)


def test_mapping_choice_updates_preview(admin):
    url = uploaded(admin)
    response = admin.get(url, query_string={**SAMPLE_MAPPING, "school": "", "first_name": "", "last_name": "", "name": "First Name"})
    rows = table_rows(page(response), "The first 10")
    assert response.status_code == 200
    assert rows[0]["Name"] == "Rosa"
    assert rows[0]["School"] == ""


def test_mapping_preview_for_htmx_is_a_fragment(admin):
    url = uploaded(admin)
    response = admin.get(url, query_string=SAMPLE_MAPPING, headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="mapping">')
    assert "<html" not in body
    assert "HX-Request" in response.headers["Vary"]


def test_mapping_without_email_rejected(admin):
    url = uploaded(admin)
    response = admin.get(url, query_string={**SAMPLE_MAPPING, "email": ""})
    document = page(response)
    errors = field_errors(document, "email")
    assert response.status_code == 422
    assert errors == ["roster.csv has no column for email, and no mapping names one. Every row needs it."]
    assert "The columns need fixing before the import" in text(document)
    assert table_rows(document, "The first") == []


def test_mapping_same_header_twice_rejected(admin):
    url = uploaded(admin)
    response = admin.get(url, query_string={**SAMPLE_MAPPING, "name": "Email"})
    errors = field_errors(page(response), "name")
    assert response.status_code == 422
    assert errors == ["Column 'Email' is already chosen for email. Choose a different column for each field."]


def test_mapping_unknown_header_rejected(admin):
    url = uploaded(admin)
    response = admin.get(url, query_string={**SAMPLE_MAPPING, "school": "Campus"})
    errors = field_errors(page(response), "school")
    assert response.status_code == 422
    assert errors == ["The mapping takes school from column 'Campus', but roster.csv has no such column."]


def test_bad_mapping_import_saves_nothing(admin):
    url = uploaded(admin)
    response = import_with(admin, url, {**SAMPLE_MAPPING, "group": "Email", "email": "Email"})
    document = page(response)
    assert response.status_code == 422
    assert field_errors(document, "group") == [
        "Column 'Email' is already chosen for email. Choose a different column for each field."
    ]
    assert Stakeholder.select().count() == 0
    assert admin.get(url).status_code == 200  # the upload waits for a corrected mapping


def test_file_without_email_column(admin):
    url = uploaded(admin, "names.csv", b"Name,Group\nAna Ortiz,Parent\n")
    response = admin.get(url)
    document = page(response)
    assert response.status_code == 200
    assert field_errors(document, "email") == [
        "names.csv has no column for email, and no mapping names one. Every row needs it."
    ]
    assert document.xpath('//button[starts-with(normalize-space(), "Import")]') == []


# Rejected files


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        (
            "roster.pdf",
            b"%PDF-1.4",
            'roster.pdf is not a CSV or Excel file. Export the roster from the spreadsheet or student information '
            'system as "CSV UTF-8" (.csv) or as an Excel workbook (.xlsx), and upload that.',
        ),
        (
            "roster.xls",
            b"\xd0\xcf\x11\xe0",
            "roster.xls is an Excel 97-2003 workbook (.xls), which the portal cannot read. "
            "Save the sheet as CSV UTF-8 and import that file.",
        ),
        (
            "roster.csv",
            (HEADER + "Ramírez,José,jose@mail.example.com,Parent,,Spanish\n").encode("cp1252"),
            f"roster.csv is not UTF-8 text (invalid byte 0xed at offset {len(HEADER) + len('Ram')}). "
            'Save it from the spreadsheet as "CSV UTF-8" and import that file.',
        ),
        ("roster.csv", b"", "roster.csv is empty. Its first row must hold the column headers."),
        ("roster.csv", b",,,\n", "Row 1 of roster.csv is empty. It must hold the column headers."),
        ("roster.xlsx", b"PK\x03\x04 not a workbook", "Cannot read roster.xlsx as an Excel workbook: File is not a zip file"),
    ],
    ids=["pdf", "xls", "cp1252", "empty", "no-headers", "broken-xlsx"],
)
def test_wrong_file_rejected(admin, instance_folder, name, data, message):
    response = upload(admin, name, data)
    document = page(response)
    assert response.status_code == 422
    assert field_errors(document, "file") == [message]
    assert "The file was not uploaded" in text(document)
    assert upload_files(instance_folder) == []


def test_no_file_chosen(admin):
    response = admin.post("/roster/import", data={}, content_type="multipart/form-data")
    assert response.status_code == 422
    assert field_errors(page(response), "file") == ["Choose the roster file to upload."]


def test_file_over_limit(app, admin, instance_folder):
    app.config["ROSTER_UPLOAD_MAX_BYTES"] = 1024
    response = upload(admin, "roster.csv", SAMPLE_BYTES)
    errors = field_errors(page(response), "file")
    assert response.status_code == 422
    assert errors == [
        "roster.csv is 2 KB, which is larger than the limit of 1 KB. Delete the columns the import does not use, "
        "such as phone numbers, or split the roster into several files, and upload again."
    ]
    assert upload_files(instance_folder) == []


@pytest.mark.parametrize("csrf", [False, True], ids=["csrf-off", "csrf-on"])
def test_request_over_limit(app, admin, instance_folder, csrf):
    # With CSRF protection on, the protection is the first to read the form, before the view.
    app.config["WTF_CSRF_ENABLED"] = csrf
    app.config["ROSTER_UPLOAD_MAX_BYTES"] = 1024
    response = upload(admin, "roster.csv", SAMPLE_BYTES * 40)
    errors = field_errors(page(response), "file")
    assert response.status_code == 413
    assert errors == [
        "The file is larger than the limit of 1 KB. Delete the columns the import does not use, "
        "such as phone numbers, or split the roster into several files, and upload again."
    ]
    assert upload_files(instance_folder) == []


def test_request_over_limit_from_non_admin(app, client, instance_folder):
    # CSRF protection reads the form, and so meets the limit, before the view checks the role.
    app.config["WTF_CSRF_ENABLED"] = True
    app.config["ROSTER_UPLOAD_MAX_BYTES"] = 1024
    response = upload(client, "roster.csv", SAMPLE_BYTES * 40)
    document = page(response)
    assert response.status_code == 413
    assert document.xpath('//input[@type="file"]') == []
    assert upload_files(instance_folder) == []


def test_wrong_file_keeps_existing_roster(admin):
    import_with(admin, uploaded(admin), SAMPLE_MAPPING)
    upload(admin, "roster.csv", b"")
    upload(admin, "roster.pdf", b"%PDF")
    assert Stakeholder.select().count() == SAMPLE_TAKEN


def test_concurrent_addition_rolls_back(admin, monkeypatch, instance_folder):
    url = uploaded(admin)
    # Hide one email from the check for existing emails, as if another request added it after the check.
    teacher = StakeholderGroup.get(StakeholderGroup.key == "teacher")
    Stakeholder.create(email="rosa.alvarez@mail.example.com", group=teacher)
    monkeypatch.setattr(roster, "existing_emails", lambda emails: set())

    response = import_with(admin, url, SAMPLE_MAPPING)
    document = page(response)

    assert response.status_code == 409
    assert "Nothing was saved. Run the import again." in text(document)
    assert Stakeholder.select().count() == 1
    assert len([name for name in upload_files(instance_folder) if name.endswith(".csv")]) == 1  # the file waits for another try
    monkeypatch.undo()
    assert import_with(admin, url, SAMPLE_MAPPING).status_code == 303
    assert Stakeholder.select().count() == SAMPLE_TAKEN


# Stored uploads


def test_upload_stored_under_random_name(admin, instance_folder, app):
    url = uploaded(admin)
    upload_id = url.rsplit("/", 1)[1]
    assert upload_files(instance_folder) == sorted([f"{upload_id}.csv", f"{upload_id}.json"])
    assert (instance_folder / "roster-uploads" / f"{upload_id}.csv").read_bytes() == SAMPLE_BYTES
    assert not any(upload_id in name for _root, _dirs, names in os.walk(app.static_folder) for name in names)


def test_cancel_deletes_upload(admin, instance_folder):
    url = uploaded(admin)
    response = admin.post(f"{url}/cancel")
    assert response.status_code == 303
    assert response.headers["Location"] == "/roster/import"
    assert upload_files(instance_folder) == []
    assert admin.get(url).status_code == 404
    assert Stakeholder.select().count() == 0


def test_upload_expires_after_a_day(admin, instance_folder):
    url = uploaded(admin)
    info = next((instance_folder / "roster-uploads").glob("*.json"))
    record = json.loads(info.read_text(encoding="utf-8"))
    record["uploaded_at"] = (datetime.datetime.fromisoformat(record["uploaded_at"]) - datetime.timedelta(days=1, minutes=1)).isoformat()
    info.write_text(json.dumps(record), encoding="utf-8")

    response = admin.get(url)
    assert response.status_code == 404
    assert "Uploads are deleted once imported or cancelled, and after one day. Upload the file again." in text(page(response))
    assert upload_files(instance_folder) == []


def test_stale_files_deleted_by_next_upload(admin, instance_folder):
    uploaded(admin)
    day_ago = (datetime.datetime.now() - datetime.timedelta(days=1, minutes=1)).timestamp()
    for path in (instance_folder / "roster-uploads").iterdir():
        os.utime(path, (day_ago, day_ago))
    fresh = uploaded(admin).rsplit("/", 1)[1]
    assert upload_files(instance_folder) == sorted([f"{fresh}.csv", f"{fresh}.json"])


def test_other_admin_cannot_open_upload(app, admin, staff):
    from tests.conftest import Auth, make_staff

    url = uploaded(admin)
    other = Auth(app.test_client())
    other.sign_in(make_staff("second-admin@district.example.org", "admin"))
    assert other.client.get(url).status_code == 404
    assert other.client.post(url, data=SAMPLE_MAPPING).status_code == 404
    assert Stakeholder.select().count() == 0


@pytest.mark.parametrize("upload_id", ["..%2F..%2Fportal", "x" * 23, "x" * 24])
def test_unknown_upload_id(admin, upload_id):
    assert admin.get(f"/roster/import/{upload_id}").status_code == 404


# Without JavaScript, through the plain forms


def test_whole_import_without_javascript(app, staff, instance_folder):
    from tests.conftest import PASSWORD

    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    sign_in_page = page(client.get("/sign-in"))
    token = sign_in_page.xpath('//input[@name="csrf_token"]/@value')[0]
    client.post("/sign-in", data={"email": staff["admin"].email, "password": PASSWORD, "csrf_token": token})

    form_page = page(client.get("/roster/import"))
    token = form_page.xpath('//form[@id="upload"]//input[@name="csrf_token"]/@value')[0]
    response = client.post(
        "/roster/import",
        data={"csrf_token": token, "file": (io.BytesIO(SAMPLE_BYTES), "roster.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    mapping_page = page(client.get(response.headers["Location"]))

    confirm = mapping_page.xpath('//form[@method="post"][.//button[starts-with(normalize-space(), "Import 26")]]')[0]
    fields = {element.get("name"): element.get("value") for element in confirm.xpath(".//input")}
    response = client.post(confirm.get("action"), data=fields)
    assert response.status_code == 303
    assert Stakeholder.select().count() == SAMPLE_TAKEN
    assert "Added: 26" in text(page(client.get(response.headers["Location"])))
