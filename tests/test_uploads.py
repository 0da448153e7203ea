"""Evidence files: checked by content, stored outside static/, downloaded by staff only, deletable."""

import io
import os
import zipfile

import pytest

from portal.monitoring import uploads
from portal.plan.history import history_of
from portal.plan.models import CheckIn, EvidenceFile, LeadingIndicator, MonitoringPeriod
from tests.conftest import ROOT

MODULES = "prep-module-attendance"
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG_BYTES = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 40
CSV_BYTES = "School,Attended\r\nHarbor Elementary,12\r\nBayview Middle,9\r\n".encode("utf-8-sig")

TYPED = {
    "period": "1y",
    "implemented": "partially",
    "evidence": "Make-up session sign-ins, June 12.",
    "actual": "59",
    "progress_notes": "The June make-up session added one point.",
    "adjustments_needed": "yes",
}


def docx_bytes():
    from docx import Document

    document = Document()
    document.add_paragraph("Module 5 agenda")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def xlsx_bytes():
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["School", "Attended"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def plain_zip_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "not a Word document")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def evidence_folder(app, tmp_path):
    folder = tmp_path / "evidence"
    app.config["EVIDENCE_FOLDER"] = str(folder)
    return folder


@pytest.fixture
def url(plan):
    return f"/monitoring/indicators/{LeadingIndicator.get(LeadingIndicator.key == MODULES).id}/check-in"


def one_year_check_in():
    indicator = LeadingIndicator.get(LeadingIndicator.key == MODULES)
    period = MonitoringPeriod.get(MonitoringPeriod.key == "1y")
    return CheckIn.get((CheckIn.indicator == indicator) & (CheckIn.period == period))


def upload(client, url, files, **data):
    """Post the check-in form with files, a list of (bytes, name)."""
    form = {**TYPED, **data, "files": [(io.BytesIO(content), name) for content, name in files]}
    return client.post(url, data=form, content_type="multipart/form-data")


def stored_files(folder):
    return sorted(os.listdir(folder)) if folder.exists() else []


@pytest.mark.parametrize(
    "content, name, content_type",
    [
        (PDF_BYTES, "sign-ins.pdf", "application/pdf"),
        (docx_bytes(), "agenda.docx", uploads.DOCX.content_type),
        (xlsx_bytes(), "attendance.xlsx", uploads.XLSX.content_type),
        (CSV_BYTES, "attendance.csv", "text/csv"),
        (PNG_BYTES, "photo.png", "image/png"),
        (JPEG_BYTES, "photo.JPG", "image/jpeg"),
    ],
)
def test_accepted_file_kinds(client, auth, staff, url, evidence_folder, content, name, content_type):
    auth.sign_in(staff["talent"])

    response = upload(client, url, [(content, name)])

    assert response.status_code == 303
    [saved] = list(one_year_check_in().files)
    assert saved.original_name == name
    assert saved.content_type == content_type
    assert saved.size_bytes == len(content)
    assert stored_files(evidence_folder) == [saved.stored_name]
    assert name not in saved.stored_name
    assert (evidence_folder / saved.stored_name).read_bytes() == content


def test_stored_outside_static_in_instance_folder(app, client, auth, staff, url):
    app.config["EVIDENCE_FOLDER"] = ""
    auth.sign_in(staff["talent"])

    upload(client, url, [(PDF_BYTES, "sign-ins.pdf")])

    [saved] = list(one_year_check_in().files)
    path = uploads.stored_path(saved.stored_name)
    try:
        assert os.path.dirname(path) == os.path.join(app.instance_path, "evidence")
        assert not os.path.abspath(path).startswith(str(ROOT / "static"))
        assert os.path.exists(path)
    finally:
        os.remove(path)


@pytest.mark.parametrize(
    "content, name, message",
    [
        (b"These are only my notes.\n", "sign-ins.pdf", "sign-ins.pdf is named like a PDF, but its content is a CSV file"),
        (b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 60, "report.pdf", "report.pdf is named like a PDF, but its content is none of the accepted kinds"),
        (plain_zip_bytes(), "agenda.docx", "agenda.docx is named like a Word document, but its content is none of the accepted kinds"),
        (docx_bytes(), "attendance.xlsx", "attendance.xlsx is named like an Excel workbook, but its content is a Word document"),
        (PDF_BYTES, "photo.png", "photo.png is named like a PNG image, but its content is a PDF"),
        (b"\x00\x01\x02binary", "data.csv", "data.csv is named like a CSV file, but its content is none of the accepted kinds"),
        (PDF_BYTES, "setup.exe", "setup.exe: .exe files are not accepted. Upload a PDF, a Word document (.docx)"),
        (b"plain text", "notes.txt", "notes.txt: .txt files are not accepted."),
        (PDF_BYTES, "README", "README: Files without an extension are not accepted."),
        (b"", "empty.pdf", "empty.pdf is empty. Choose the file again"),
    ],
)
def test_rejected_file_at_field(client, auth, staff, url, evidence_folder, content, name, message):
    auth.sign_in(staff["talent"])
    before = one_year_check_in()

    response = upload(client, url, [(content, name)], actual="61")

    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="files-error-1"' in body
    assert message in body
    assert "Nothing was saved yet: choose the files again." in body
    assert TYPED["progress_notes"] in body  # what was typed is still in the form
    assert 'value="61"' in body
    after = one_year_check_in()
    assert after.actual == before.actual == 58.0
    assert after.progress_notes == before.progress_notes
    assert list(after.files) == []
    assert stored_files(evidence_folder) == []


def test_too_large_file_rejected_at_field(app, client, auth, staff, url, evidence_folder):
    auth.sign_in(staff["talent"])
    limit = app.config["EVIDENCE_MAX_BYTES"]
    big = PDF_BYTES + b"0" * (limit + 1 - len(PDF_BYTES))

    response = upload(client, url, [(big, "scan.pdf")])

    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f"scan.pdf is {limit + 1:,} bytes; the limit is {limit:,} bytes per file." in body
    assert "Upload a smaller file, or save a link to it in the evidence instead." in body
    assert TYPED["evidence"] in body
    assert stored_files(evidence_folder) == []
    assert one_year_check_in().actual == 58.0


def test_one_bad_file_rejects_the_good_ones_too(client, auth, staff, url, evidence_folder):
    auth.sign_in(staff["talent"])

    response = upload(client, url, [(PDF_BYTES, "good.pdf"), (b"text", "bad.png")])

    assert response.status_code == 422
    assert "bad.png is named like a PNG image" in response.get_data(as_text=True)
    assert EvidenceFile.select().count() == 0
    assert stored_files(evidence_folder) == []


def test_too_many_files_rejected(app, client, auth, staff, url):
    auth.sign_in(staff["talent"])
    count = app.config["EVIDENCE_FILES_PER_UPLOAD"] + 1

    response = upload(client, url, [(PDF_BYTES, f"file-{number}.pdf") for number in range(count)])

    assert response.status_code == 422
    assert f"You chose {count} files; upload at most {count - 1} at a time." in response.get_data(as_text=True)


def test_request_over_max_content_length(app, client, auth, staff, url, evidence_folder):
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    auth.sign_in(staff["talent"])

    response = upload(client, url, [(PDF_BYTES + b"0" * 70 * 1024, "scan.pdf")])

    body = response.get_data(as_text=True)
    assert response.status_code == 413
    assert "The files you chose add up to more than 0.1 MB, so nothing was saved." in body
    assert "Go back to the form, choose fewer or smaller files" in body
    assert one_year_check_in().actual == 58.0
    assert stored_files(evidence_folder) == []


def test_folder_names_in_file_name_are_dropped(client, auth, staff, url):
    auth.sign_in(staff["talent"])

    upload(client, url, [(PDF_BYTES, "../../evil/sign-ins.pdf")])

    [saved] = list(one_year_check_in().files)
    assert saved.original_name == "sign-ins.pdf"


def test_download_is_attachment_for_staff(app, client, auth, staff, url, invite):
    auth.sign_in(staff["talent"])
    upload(client, url, [(PDF_BYTES, "Sign-ins, June.pdf")])
    [saved] = list(one_year_check_in().files)
    download_url = f"/monitoring/evidence/{saved.id}"

    readers = {}
    for role in ("talent", "induction", "leader", "admin"):
        reader = app.test_client()
        reader.post("/sign-in", data={"email": staff[role].email, "password": "correct horse battery staple"})
        readers[role] = reader.get(download_url)
    anonymous = app.test_client().get(download_url)
    stakeholder_client = app.test_client()
    _invitation, token = invite()
    stakeholder_client.post(f"/invitation/{token}")
    as_stakeholder = stakeholder_client.get(download_url)

    for role, response in readers.items():
        assert response.status_code == 200, role
        assert response.data == PDF_BYTES
        assert response.headers["Content-Type"] == "application/pdf"
        assert response.headers["Content-Disposition"].startswith("attachment;")
        assert "Sign-ins, June.pdf" in response.headers["Content-Disposition"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response.headers["Content-Security-Policy"]
    assert anonymous.status_code == 302
    assert as_stakeholder.status_code == 302
    assert "/sign-in" in as_stakeholder.headers["Location"]


def test_missing_file_on_disk_is_404(client, auth, staff, url, evidence_folder):
    auth.sign_in(staff["talent"])
    upload(client, url, [(PDF_BYTES, "sign-ins.pdf")])
    [saved] = list(one_year_check_in().files)
    os.remove(evidence_folder / saved.stored_name)

    assert client.get(f"/monitoring/evidence/{saved.id}").status_code == 404
    assert client.get("/monitoring/evidence/9999").status_code == 404


def test_delete_file(app, client, auth, staff, url, evidence_folder):
    auth.sign_in(staff["talent"])
    upload(client, url, [(PDF_BYTES, "sign-ins.pdf"), (CSV_BYTES, "attendance.csv")])
    first, second = list(one_year_check_in().files.order_by(EvidenceFile.id))

    other = app.test_client()
    other.post("/sign-in", data={"email": staff["induction"].email, "password": "correct horse battery staple"})
    refused = other.post(f"/monitoring/evidence/{first.id}/delete")
    response = client.post(f"/monitoring/evidence/{first.id}/delete")

    assert refused.status_code == 403
    assert response.status_code == 303
    assert [item.id for item in one_year_check_in().files] == [second.id]
    assert stored_files(evidence_folder) == [second.stored_name]
    latest = history_of(one_year_check_in())[0]
    assert latest.changes == {
        "files": [
            [f"sign-ins.pdf (file {first.id})", f"attendance.csv (file {second.id})"],
            [f"attendance.csv (file {second.id})"],
        ]
    }


def test_delete_file_with_htmx_returns_fragment(client, auth, staff, url):
    auth.sign_in(staff["talent"])
    upload(client, url, [(PDF_BYTES, "sign-ins.pdf")])
    [saved] = list(one_year_check_in().files)

    response = client.post(f"/monitoring/evidence/{saved.id}/delete", headers={"HX-Request": "true"})

    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<div id="check-in">' in body
    assert "Removed sign-ins.pdf." in body
    assert "No files uploaded for this period." in body


def test_upload_history_lists_files(client, auth, staff, url):
    auth.sign_in(staff["talent"])

    upload(client, url, [(PDF_BYTES, "sign-ins.pdf")])

    [saved] = list(one_year_check_in().files)
    [event] = history_of(one_year_check_in())
    assert event.changes["files"] == [[], [f"sign-ins.pdf (file {saved.id})"]]
    page = client.get(f"{url}?period=1y").get_data(as_text=True)
    assert f"sign-ins.pdf (file {saved.id})" in page


@pytest.mark.parametrize(
    "data, kind",
    [
        (PDF_BYTES, uploads.PDF),
        (PNG_BYTES, uploads.PNG),
        (JPEG_BYTES, uploads.JPEG),
        (CSV_BYTES, uploads.CSV),
        ("Escuela,Asistió\r\nBahía,12\r\n".encode("cp1252"), uploads.CSV),
        (docx_bytes(), uploads.DOCX),
        (xlsx_bytes(), uploads.XLSX),
        (plain_zip_bytes(), None),
        (b"PK\x03\x04 broken zip", None),
        (b"\x1b[31mterminal codes\x1b[0m", None),
        (b"   \r\n", None),
    ],
)
def test_detect_kind(data, kind):
    assert uploads.detect_kind(data) is kind


def test_stored_path_refuses_other_folders(app):
    with pytest.raises(ValueError):
        uploads.stored_path("../portal.sqlite3")
    with pytest.raises(ValueError):
        uploads.stored_path(".hidden")


def test_closed_period_files_kept(app, client, auth, staff, url, evidence_folder):
    auth.sign_in(staff["talent"])
    upload(client, url, [(PDF_BYTES, "sign-ins.pdf")])
    [saved] = list(one_year_check_in().files)
    period = MonitoringPeriod.get(MonitoringPeriod.key == "1y")
    period.state = "closed"
    period.save()

    refused = client.post(f"/monitoring/evidence/{saved.id}/delete")

    assert refused.status_code == 409
    assert "The One-year benchmark period is closed, so only an administrator can remove its files." in refused.get_data(as_text=True)
    assert [item.id for item in one_year_check_in().files] == [saved.id]
    assert stored_files(evidence_folder) == [saved.stored_name]
    admin = app.test_client()
    admin.post("/sign-in", data={"email": staff["admin"].email, "password": "correct horse battery staple"})
    assert admin.post(f"/monitoring/evidence/{saved.id}/delete").status_code == 303
    assert stored_files(evidence_folder) == []


def test_clean_filename():
    assert uploads.clean_filename("C:\\Users\\pat\\Sign-ins.pdf") == "Sign-ins.pdf"
    assert uploads.clean_filename(" report\x07.pdf ") == "report.pdf"
    assert len(uploads.clean_filename("a" * 300 + ".xlsx")) == 255
    assert uploads.clean_filename("a" * 300 + ".xlsx").endswith(".xlsx")


def test_good_file_chosen_again_after_other_error(client, auth, staff, url, evidence_folder):
    auth.sign_in(staff["talent"])

    response = upload(client, url, [(PDF_BYTES, "sign-ins.pdf")], actual="140")

    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The 1 file(s) you chose were not saved because of the errors above: choose them again." in body
    assert stored_files(evidence_folder) == []
