"""A newcomer's first strategy in Chromium: built from an empty database, monitored, exported."""

import re

from docx import Document

from portal.plan.models import Person
from tests.conftest import make_staff
from tests.test_browser import axe, browser, live, sign_in  # noqa: F401  (pytest fixtures)
from tests.test_browser_plan_editing import (
    FIRST,
    add_indicators_and_benchmarks,
    add_people_and_periods,
    add_strategy,
    create_plan,
)

INDICATOR = next(item for item in FIRST["leading_indicators"] if item["key"] == "prep-module-attendance")
EVIDENCE = "Sign-in sheets for modules 1 to 6, spring semester."
NOTES = "Five of six modules ran; the June make-up brought completion to 61.5%."
WHAT_WENT_WRONG = "Testing season took the dates of modules 5 and 6."
COURSE_CORRECTION = "Hold every module before March 15 and pay novices a stipend to attend."


def test_newcomer_builds_monitors_and_exports(live, browser, axe, app, tmp_path):  # noqa: F811
    app.config["EVIDENCE_FOLDER"] = str(tmp_path / "evidence")
    admin = make_staff("builder@district.example.org", "admin")
    office = browser.new_context().new_page()
    sign_in(office, live, admin)
    create_plan(office, axe)
    add_people_and_periods(office, axe)
    add_strategy(office, axe)
    add_indicators_and_benchmarks(office, axe)

    # Staff accounts come from the add-staff command; the person was created in the pages.
    person = Person.get(Person.key == INDICATOR["responsible"])
    point_person = make_staff("talent@district.example.org", "point-person", person)
    page = browser.new_context(accept_downloads=True).new_page()
    sign_in(page, live, point_person)
    page.goto(f"{live.url}/strategies/{FIRST['key']}")
    page.get_by_role("link", name=re.compile(rf"^Check-in\W+{re.escape(INDICATOR['name'])}, One-year")).click()
    page.wait_for_url(re.compile(r"/check-in\?period=1y$"))
    page.get_by_role("group", name=re.compile("^Did your team do what was planned")).get_by_text("Partially").click()
    page.get_by_label(re.compile("^How do you know")).fill(EVIDENCE)
    page.get_by_label("Actual value for this period").fill("61.5")
    page.get_by_label("How much progress have you made toward your goal?").fill(NOTES)
    page.get_by_role("group", name="Do you need to make any adjustments at this time?").get_by_text("Yes", exact=True).click()
    page.get_by_role("button", name="Save check-in").click()
    page.get_by_text("Check-in for One-year benchmark saved.").wait_for()
    axe.check(page, "newcomer's check-in")

    page.get_by_role("link", name=re.compile(r"^Record the Step 4 reflection\W+for One-year benchmark")).click()
    page.get_by_label("What went wrong?").fill(WHAT_WENT_WRONG)
    page.get_by_role("group", name=re.compile("^Were the planned action steps")).get_by_text("Partially").click()
    page.get_by_role("group", name=re.compile("^Were resources")).get_by_text("No", exact=True).click()
    page.get_by_role("group", name=re.compile("^Was it possible")).get_by_text("Yes", exact=True).click()
    page.get_by_label("What will you do to course-correct?").fill(COURSE_CORRECTION)
    page.get_by_label("New benchmark for Two-year benchmark").fill("80")
    page.get_by_role("button", name="Save reflection").click()
    page.get_by_text("Reflection for One-year benchmark saved.").wait_for()
    axe.check(page, "newcomer's reflection")

    page.goto(f"{live.url}/strategies/{FIRST['key']}")
    page.get_by_role("link", name=re.compile("Progress Monitoring Planning Table")).click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download as a Word document").click()
    worksheet = tmp_path / "worksheet.docx"
    download_info.value.save_as(worksheet)

    [table] = Document(str(worksheet)).tables
    text = "\n".join(cell.text for row in table.rows for cell in row.cells)
    entered = [INDICATOR["name"], EVIDENCE, NOTES, "Actual: 61.5%", WHAT_WENT_WRONG, COURSE_CORRECTION, "80%"]
    for item in FIRST["leading_indicators"]:
        entered.append(item["name"])
        for benchmark in item["benchmarks"]:
            entered.append(f"{benchmark['target']:g}%")
    missing = [value for value in entered if value not in text]
    assert missing == []
