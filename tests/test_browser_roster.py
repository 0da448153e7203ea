"""Stakeholder groups and the roster import in Chromium on a phone-sized screen, with axe on every page."""

import re
import shutil

import pytest
from playwright.sync_api import expect

from portal.stakeholders.models import Stakeholder, StakeholderGroup
from tests.browser import PHONE, settled
from tests.test_browser import axe, browser, live, sign_in  # noqa: F401  (fixtures)
from tests.test_roster import SAMPLE_REJECTED, SAMPLE_ROSTER, SAMPLE_TAKEN


@pytest.fixture
def files(app, tmp_path):
    """Keep uploads in the test's own instance folder, and return a folder of files to upload."""
    app.instance_path = str(tmp_path / "instance")
    folder = tmp_path / "files"
    folder.mkdir()
    shutil.copy(SAMPLE_ROSTER, folder / "roster.csv")
    (folder / "roster.pdf").write_bytes(b"%PDF-1.4 not a roster")
    return folder


def keys_in_order():
    return [group.key for group in StakeholderGroup.select().order_by(StakeholderGroup.position, StakeholderGroup.id)]


def test_groups_and_import_on_phone(live, browser, axe, staff, files):
    page = browser.new_context(viewport=PHONE).new_page()
    sign_in(page, live, staff["admin"])
    page.wait_for_url(f"{live.url}/")

    page.get_by_role("link", name="Groups").click()
    page.wait_for_url(f"{live.url}/groups")
    axe.check(page, "groups")

    page.get_by_label("Key").fill("After School")
    page.get_by_label("Label in English, for one person").fill("After-school staff member")
    page.get_by_label("Plural label in English").fill("After-school staff")
    page.get_by_label("Label in Spanish, for one person").fill("Personal extraescolar")
    page.get_by_label("Plural label in Spanish").fill("Personal de actividades extraescolares")
    page.get_by_role("button", name="Add group").click()
    page.get_by_text("The group was not added").wait_for()
    axe.check(page, "groups with form errors")
    page.get_by_label("Key").fill("after-school")
    page.get_by_role("button", name="Add group").click()
    page.get_by_text("Added the group After-school staff.").wait_for()
    assert keys_in_order()[-1] == "after-school"

    added = StakeholderGroup.get(StakeholderGroup.key == "after-school")
    page.get_by_role("button", name="Up (move After-school staff up)").click()
    expect(page.locator("#groups tbody tr").nth(9)).to_have_attribute("id", f"group-{added.id}")
    assert keys_in_order()[-2:] == ["after-school", "community-member"]
    assert page.evaluate("document.activeElement.closest('tr').id") == f"group-{added.id}"
    assert page.evaluate("document.activeElement.value") == "up"
    axe.check(page, "groups after moving with htmx")

    page.get_by_role("link", name="Edit After-school staff").click()
    page.wait_for_url(re.compile(r"/groups/\d+/edit$"))
    page.get_by_label("Plural label in English").fill("Teachers")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Nothing was changed").wait_for()
    axe.check(page, "edit group with errors")
    page.get_by_label("Plural label in English").fill("After-school staff")
    page.get_by_label("Label in English, for one person").fill("After-school worker")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Saved the group After-school staff.").wait_for()
    assert StakeholderGroup.get(StakeholderGroup.key == "after-school").label == "After-school worker"
    page.get_by_role("link", name="Edit After-school staff").click()
    page.get_by_text("English label: After-school staff member → After-school worker").wait_for()
    axe.check(page, "edit group with its changes")

    page.get_by_role("link", name="Roster", exact=True).click()
    page.wait_for_url(f"{live.url}/roster")
    page.get_by_text("Nobody matches.").wait_for()
    axe.check(page, "roster, empty")
    page.get_by_role("link", name="importing a roster").click()
    page.wait_for_url(f"{live.url}/roster/import")
    axe.check(page, "roster upload")
    page.get_by_label("Roster file (CSV or Excel .xlsx)").set_input_files(files / "roster.pdf")
    page.get_by_role("button", name="Upload and check the columns").click()
    page.get_by_text("The file was not uploaded").wait_for()
    assert page.evaluate("document.activeElement.classList.contains('portal-error-summary')")
    assert "roster.pdf is not a CSV or Excel file." in page.content()
    axe.check(page, "roster upload with an error")
    page.get_by_label("Roster file (CSV or Excel .xlsx)").set_input_files(files / "roster.csv")
    page.get_by_role("button", name="Upload and check the columns").click()
    page.wait_for_url(re.compile(r"/roster/import/[A-Za-z0-9_-]{24}$"))
    page.get_by_text(f"To add: {SAMPLE_TAKEN}").wait_for()
    for row, reason in SAMPLE_REJECTED.items():
        assert page.locator("tr", has=page.locator(f"th:text-is('{row}')")).get_by_text(reason).count() == 1
    axe.check(page, "roster mapping and preview")

    page.get_by_label("Full name").select_option("Email")
    page.get_by_text("Column 'Email' is already chosen for email.").first.wait_for()
    settled(page)
    assert page.get_by_role("button", name=re.compile("^Import")).count() == 0
    axe.check(page, "roster mapping with an error, after htmx")
    page.get_by_label("School").select_option("")
    # The swap replaces the whole form, and htmx wires up the new form's
    # fields only when the swap settles. A change made before then is lost.
    page.wait_for_url(re.compile(r"school=(&|$)"))
    settled(page)
    page.get_by_label("Full name").focus()
    page.get_by_label("Full name").select_option("")
    page.get_by_text(f"To add: {SAMPLE_TAKEN}").wait_for()
    assert page.evaluate("document.activeElement.id") == "name"
    assert "school=&" in page.url or page.url.endswith("school=")

    page.get_by_role("button", name=f"Import {SAMPLE_TAKEN} stakeholders").click()
    page.wait_for_url(re.compile(r"/result$"))
    page.get_by_text(f"Added: {SAMPLE_TAKEN}", exact=True).wait_for()
    assert Stakeholder.select().count() == SAMPLE_TAKEN
    assert Stakeholder.select().where(Stakeholder.school != "").count() == 0
    axe.check(page, "roster result")

    page.get_by_role("link", name="Roster", exact=True).click()
    page.get_by_label("Email or name contains").fill("alvarez")
    page.get_by_role("button", name="Find").click()
    page.get_by_role("heading", name="1 stakeholder").wait_for()
    axe.check(page, "roster, one found")
    page.get_by_role("link", name="Take off rosa.alvarez@mail.example.com").click()
    page.get_by_role("heading", name="Take rosa.alvarez@mail.example.com off the roster?").wait_for()
    axe.check(page, "taking someone off the roster, asked to confirm")
    page.get_by_role("button", name="Take rosa.alvarez@mail.example.com off the roster").click()
    page.get_by_text("rosa.alvarez@mail.example.com is off the roster").wait_for()
    assert Stakeholder.get(Stakeholder.email == "rosa.alvarez@mail.example.com").removed_at is not None

    page.get_by_role("link", name="Groups").click()
    page.get_by_role("button", name="Delete Teachers").click()
    teachers = Stakeholder.select().join(StakeholderGroup).where(StakeholderGroup.key == "teacher").count()
    page.get_by_text(f"Teachers was not deleted, because {teachers} stakeholders belong to it").wait_for()
    axe.check(page, "groups with a refused deletion")
    page.get_by_role("button", name="Delete After-school staff").click()
    page.get_by_text("Deleted the group After-school staff.").wait_for()
    assert "after-school" not in keys_in_order()
    assert axe.pages_checked == 14


def test_import_without_javascript(live, browser, staff, files):
    # axe needs JavaScript in the page, so the test above checks these same pages.
    page = browser.new_context(java_script_enabled=False, viewport=PHONE).new_page()
    sign_in(page, live, staff["admin"])
    page.goto(f"{live.url}/roster/import")
    page.get_by_label("Roster file (CSV or Excel .xlsx)").set_input_files(files / "roster.csv")
    page.get_by_role("button", name="Upload and check the columns").click()
    page.wait_for_url(re.compile(r"/roster/import/[A-Za-z0-9_-]{24}$"))

    page.get_by_label("Email (required)").select_option("")
    page.get_by_role("button", name="Update the preview").click()
    assert "has no column for email" in page.content()
    page.get_by_label("Email (required)").select_option("Email")
    page.get_by_role("button", name="Update the preview").click()
    page.get_by_role("button", name=f"Import {SAMPLE_TAKEN} stakeholders").click()
    page.wait_for_url(re.compile(r"/result$"))
    assert f"Added: {SAMPLE_TAKEN}" in page.locator("main").inner_text()
    assert Stakeholder.select().count() == SAMPLE_TAKEN

    page.goto(f"{live.url}/groups")
    page.get_by_role("button", name="Down (move Teachers down)").click()
    page.get_by_text("Moved Teachers down.").wait_for()
    assert keys_in_order()[:2] == ["teacher-leader", "teacher"]
