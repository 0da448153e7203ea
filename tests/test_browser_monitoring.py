"""Step 3 and Step 4 in Chromium: a point person's check-in with a file, a reflection, the worksheet."""

import re

import pytest
from docx import Document

from portal.plan.models import Benchmark, CheckIn, EvidenceFile, LeadingIndicator, MonitoringPeriod, Reflection
from tests.test_browser import axe, browser, live, sign_in  # noqa: F401  (fixtures)

PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
EVIDENCE = "Make-up session sign-ins: https://drive.example.org/make-up-sign-ins"
NOTES = "The June make-up session brought completion up to 61.5%."
WHAT_WENT_WRONG = "Testing season took the dates of modules 5 and 6."
COURSE_CORRECTION = "Hold every module before March 15 and pay novices a stipend to attend."
NEW_DESCRIPTION = "Second cohort, after the lost spring"


@pytest.fixture(autouse=True)
def evidence_folder(app, tmp_path):
    app.config["EVIDENCE_FOLDER"] = str(tmp_path / "evidence")


@pytest.fixture
def evidence_pdf(tmp_path):
    path = tmp_path / "make-up-sign-ins.pdf"
    path.write_bytes(PDF_BYTES)
    return path


def one_year(model):
    indicator = LeadingIndicator.get(LeadingIndicator.key == "prep-module-attendance")
    period = MonitoringPeriod.get(MonitoringPeriod.key == "1y")
    return model.get((model.indicator == indicator) & (model.period == period))


def test_check_in_reflection_and_worksheet_with_htmx(live, browser, axe, plan, staff, evidence_pdf, tmp_path):
    page = browser.new_context(accept_downloads=True).new_page()
    sign_in(page, live, staff["talent"])
    page.wait_for_url(re.compile(r"/inbox$"))

    page.get_by_role("link", name="Calendar").click()
    page.wait_for_url(re.compile(r"/monitoring/calendar$"))
    page.get_by_role("heading", name="Due from you").wait_for()
    axe.check(page, "calendar")

    page.goto(f"{live.url}/strategies/prep-partnerships")
    axe.check(page, "strategy as a point person")
    page.get_by_role("link", name=re.compile(r"^Check-in\W+Novices completing at least 4 of 6 setting modules, One-year")).click()
    page.wait_for_url(re.compile(r"/check-in\?period=1y$"))
    axe.check(page, "check-in")

    page.get_by_label(re.compile("^How do you know")).fill(EVIDENCE)
    page.get_by_label("Actual value for this period").fill("104")
    page.get_by_label("How much progress have you made toward your goal?").fill(NOTES)
    page.get_by_role("group", name="Do you need to make any adjustments at this time?").get_by_text("Yes", exact=True).click()
    page.get_by_label("Evidence files").set_input_files(str(evidence_pdf))
    page.get_by_role("button", name="Save check-in").click()
    page.get_by_text("104 is more than 100. Enter a percent from 0 to 100").wait_for()
    assert page.get_by_label("How much progress have you made toward your goal?").input_value() == NOTES
    axe.check(page, "check-in with an error")

    page.get_by_label("Actual value for this period").fill("61.5")
    page.get_by_label("Evidence files").set_input_files(str(evidence_pdf))
    page.get_by_role("button", name="Save check-in").click()
    page.get_by_text("Check-in for One-year benchmark saved.").wait_for()
    page.get_by_role("link", name="make-up-sign-ins.pdf").wait_for()
    axe.check(page, "check-in saved")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="make-up-sign-ins.pdf").click()
    download = download_info.value
    assert download.suggested_filename == "make-up-sign-ins.pdf"
    assert open(download.path(), "rb").read() == PDF_BYTES

    page.get_by_role("link", name=re.compile(r"^Record the Step 4 reflection\W+for One-year benchmark")).click()
    page.wait_for_url(re.compile(r"/reflection\?period=1y$"))
    page.get_by_text("Add a second partner program").wait_for()
    axe.check(page, "reflection")
    page.get_by_label("What went wrong?").fill(WHAT_WENT_WRONG)
    page.get_by_role("group", name=re.compile("^Were the planned action steps")).get_by_text("Partially").click()
    page.get_by_role("group", name=re.compile("^Were resources")).get_by_text("No", exact=True).click()
    page.get_by_role("group", name=re.compile("^Was it possible")).get_by_text("Yes", exact=True).click()
    page.get_by_label("What will you do to course-correct?").fill(COURSE_CORRECTION)
    page.get_by_label("New benchmark for Two-year benchmark").fill("80")
    page.get_by_label("What it means for Two-year benchmark").fill(NEW_DESCRIPTION)
    page.get_by_role("button", name="Save reflection").click()
    page.get_by_text("Reflection for One-year benchmark saved.").wait_for()
    page.get_by_role("heading", name="Benchmarks this reflection set").wait_for()
    axe.check(page, "reflection saved")

    page.goto(f"{live.url}/strategies/prep-partnerships")
    page.get_by_text(COURSE_CORRECTION).first.wait_for()
    page.get_by_role("link", name=re.compile("Progress Monitoring Planning Table")).click()
    page.wait_for_url(re.compile(r"/worksheet$"))
    axe.check(page, "worksheet")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download as a Word document").click()
    worksheet_path = tmp_path / "worksheet.docx"
    download_info.value.save_as(worksheet_path)

    [table] = Document(str(worksheet_path)).tables
    text = "\n".join(cell.text for row in table.rows for cell in row.cells)
    for value in (EVIDENCE, NOTES, "Files: make-up-sign-ins.pdf", "Actual: 61.5%", WHAT_WENT_WRONG, COURSE_CORRECTION, f"80%: {NEW_DESCRIPTION}"):
        assert value in text, value

    check_in = one_year(CheckIn)
    reflection = one_year(Reflection)
    assert check_in.actual == 61.5
    assert check_in.adjustments_needed is True
    assert [item.original_name for item in check_in.files] == ["make-up-sign-ins.pdf"]
    assert reflection.resources_sufficient is False
    assert Benchmark.get(Benchmark.reflection == reflection).target == 80.0
    assert axe.pages_checked == 8


def test_check_in_and_reflection_without_javascript(live, browser, plan, staff, evidence_pdf):
    # axe needs JavaScript in the page, so the test above checks these same pages.
    page = browser.new_context(java_script_enabled=False).new_page()
    sign_in(page, live, staff["talent"])
    page.goto(f"{live.url}/monitoring/calendar")
    page.get_by_role("link", name=re.compile("^Reflection")).first.wait_for()

    indicator = LeadingIndicator.get(LeadingIndicator.key == "prep-module-attendance")
    page.goto(f"{live.url}/monitoring/indicators/{indicator.id}/check-in?period=1y")
    page.get_by_label("Actual value for this period").fill("-2")
    page.get_by_label("Evidence files").set_input_files(str(evidence_pdf))
    page.get_by_role("button", name="Save check-in").click()
    page.get_by_text("The check-in was not saved").wait_for()
    page.get_by_text("-2 is below zero. Enter zero or more.").first.wait_for()

    page.get_by_label("Actual value for this period").fill("60")
    page.get_by_label("Evidence files").set_input_files(str(evidence_pdf))
    page.get_by_role("button", name="Save check-in").click()
    page.get_by_text("Check-in for One-year benchmark saved.").wait_for()
    assert page.url.endswith(f"/monitoring/indicators/{indicator.id}/check-in?period=1y")
    assert EvidenceFile.select().count() == 1

    page.get_by_role("button", name="Remove make-up-sign-ins.pdf").click()
    page.get_by_text("Removed make-up-sign-ins.pdf.").wait_for()
    assert EvidenceFile.select().count() == 0

    page.get_by_role("link", name=re.compile(r"^Record the Step 4 reflection\W+for One-year benchmark")).click()
    page.get_by_label("What will you do to course-correct?").fill(COURSE_CORRECTION)
    page.get_by_role("group", name=re.compile("^Were the planned action steps")).get_by_text("No", exact=True).click()
    page.get_by_role("button", name="Save reflection").click()
    page.get_by_text("Reflection for One-year benchmark saved.").wait_for()
    assert one_year(Reflection).course_correction == COURSE_CORRECTION
    assert one_year(CheckIn).actual == 60.0
