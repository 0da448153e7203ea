"""An administrator builds the plan in Chromium from an empty database, with axe on every page."""

import json
import re

from portal.plan.interchange import export_plan
from portal.plan.models import LeadingIndicator, MonitoringPeriod, Plan, Strategy
from tests.conftest import SAMPLE_PLAN, make_staff
from tests.test_browser import axe, browser, live, sign_in  # noqa: F401  (pytest fixtures)

SAMPLE = json.loads(SAMPLE_PLAN.read_text(encoding="utf-8"))
FIRST = SAMPLE["strategies"][0]


def text(value):
    return "" if value is None else str(value)


def fill(form, values):
    """Fill a form's fields, found by label, with the given values."""
    for label, value in values.items():
        field = form.get_by_label(label, exact=True)
        if field.evaluate("element => element.tagName") == "SELECT":
            field.select_option(label=value)
        else:
            field.fill(text(value))


def submit_and_wait(page, form, button, message):
    form.get_by_role("button", name=button).click()
    page.locator("#flashes").get_by_text(message, exact=False).wait_for()


def people_needed():
    keys = {FIRST["person_responsible"]} | {item["responsible"] for item in FIRST["leading_indicators"]}
    return [person for person in SAMPLE["people"] if person["key"] in keys]


def person_label(key):
    person = next(p for p in SAMPLE["people"] if p["key"] == key)
    return f"{person['name']} ({person['title']})"


def create_plan(page, axe):
    lea, details = SAMPLE["lea"], SAMPLE["plan"]
    page.get_by_role("link", name="Edit plan").click()
    page.get_by_role("heading", name="Create the plan").wait_for()
    axe.check(page, "create the plan")
    form = page.locator("#plan-new")
    values = {
        "District (LEA) name": lea["name"],
        "State": lea["state"],
        "Number of schools": lea["schools"],
        "Number of students": lea["students"],
        "Plan title": details["title"],
        "School years": details["school_years"],
        "Plan starts on": details["starts_on"],
        "Plan ends on": "2025-01-31",
        "Time zone": lea["time_zone"],
        "Monitoring data entered up to": details["today"],
        "How stakeholders stay engaged across the plan": details["stakeholder_engagement"],
        "Technical assistance requested": details["technical_assistance"],
    }
    fill(form, values)
    form.get_by_role("button", name="Create the plan").click()
    page.get_by_text("2025-01-31 is before the plan starts (2025-08-01)").wait_for()
    assert page.locator("#plan-new").get_by_label("Plan title", exact=True).input_value() == details["title"]
    axe.check(page, "create the plan with an error")

    page.locator("#plan-new").get_by_label("Plan ends on", exact=True).fill(details["ends_on"])
    page.locator("#plan-new").get_by_role("button", name="Create the plan").click()
    page.wait_for_url(re.compile(r"/plan/edit$"))
    page.get_by_role("heading", name="Edit the plan").wait_for()
    axe.check(page, "plan editing page")


def add_people_and_periods(page, axe):
    for person in people_needed():
        form = page.locator("#person-new")
        fill(form, {"Key": person["key"], "Name": person["name"], "Job title": person["title"], "Email": person["email"]})
        submit_and_wait(page, form, "Add the person", f"Added the person '{person['name']}'")

    first, *others = SAMPLE["periods"]
    form = page.locator("#period-new")
    fill(form, {"Key": first["key"], "Label": first["label"], "Window starts on": first["starts_on"], "Window ends on": first["ends_on"]})
    submit_and_wait(page, form, "Add the period", f"Added the monitoring period '{first['label']}'")
    form = page.locator("#period-new")
    fill(form, {"Key": "early", "Label": "Too early", "Window starts on": first["starts_on"], "Window ends on": "2025-08-15"})
    form.get_by_role("button", name="Add the period").click()
    page.get_by_text("This window overlaps period 'Three-month benchmark'").wait_for()
    assert page.locator("#period-new").get_by_label("Label", exact=True).input_value() == "Too early"
    axe.check(page, "plan page with a period error")
    for period in others:
        form = page.locator("#period-new")
        fill(form, {"Key": period["key"], "Label": period["label"], "Window starts on": period["starts_on"], "Window ends on": period["ends_on"]})
        submit_and_wait(page, form, "Add the period", f"Added the monitoring period '{period['label']}'")
    assert [p.key for p in MonitoringPeriod.select().order_by(MonitoringPeriod.position)] == ["3m", "6m", "1y", "2y"]


def add_strategy(page, axe):
    form = page.locator("#strategy-new")
    fill(
        form,
        {
            "Key": FIRST["key"],
            "Strategy": FIRST["name"],
            "Measures of success": FIRST["measures_of_success"],
            "Person responsible": person_label(FIRST["person_responsible"]),
            "Long-term goal": FIRST["long_term_goal"],
            "Work starts on": FIRST["starts_on"],
            "Work ends on": FIRST["ends_on"],
            "Timing": FIRST["timing"],
            "Stakeholder engagement at each level": FIRST["stakeholder_engagement"],
            "Planned course corrections": FIRST["course_corrections"],
        },
    )
    form.get_by_role("button", name="Add the strategy").click()
    page.locator("#strategies").get_by_role("link", name=FIRST["name"]).click()
    page.get_by_role("heading", name="Edit a strategy").wait_for()
    axe.check(page, "strategy editing page")


def add_indicators_and_benchmarks(page, axe):
    strategy = Strategy.get(Strategy.key == FIRST["key"])
    periods = {period["key"]: period["label"] for period in SAMPLE["periods"]}
    for item in FIRST["leading_indicators"]:
        form = page.locator(f"#indicator-new-{strategy.id}")
        fill(
            form,
            {
                "Key": item["key"],
                "Leading indicator": item["name"],
                "Unit": item["unit"],
                "Direction of improvement": item["direction"],
                "Baseline value": item["baseline"]["value"],
                "Baseline as of": item["baseline"]["as_of"],
                "Baseline source": item["baseline"]["source"],
                "Long-term target": item["target"]["value"],
                "Target to be reached by": item["target"]["by"],
                "Monitoring frequency": item["monitoring_frequency"],
                "Evidence collected": item["evidence"],
                "On track when": item["on_track_when"],
                "Who monitors it": person_label(item["responsible"]),
            },
        )
        submit_and_wait(page, form, "Add the indicator", "Added the leading indicator")
        indicator = LeadingIndicator.get((LeadingIndicator.strategy == strategy) & (LeadingIndicator.key == item["key"]))
        for benchmark in item["benchmarks"]:
            form = page.locator(f"#benchmark-new-{indicator.id}")
            fill(form, {"Monitoring period": periods[benchmark["period"]], "Target": benchmark["target"], "What the benchmark means": benchmark["description"]})
            submit_and_wait(page, form, "Add the benchmark", f"Added the benchmark '{periods[benchmark['period']]}")
    axe.check(page, "strategy page with indicators and benchmarks")
    return strategy


def edit_inline(page, axe, strategy):
    """Edit an indicator in place: a percent above 100 is rejected at the field, then a valid value saves."""
    item = FIRST["leading_indicators"][0]
    indicator = LeadingIndicator.get((LeadingIndicator.strategy == strategy) & (LeadingIndicator.key == item["key"]))
    page.get_by_role("link", name=f"Edit {item['name']}").click()
    form = page.locator(f"form#indicator-{indicator.id}")
    form.wait_for()
    axe.check(page, "indicator form in place")
    form.get_by_label("Long-term target", exact=True).fill("101")
    form.get_by_role("button", name="Save").click()
    page.get_by_text("101 is above 100, but the indicator is a percent").wait_for()
    assert page.locator(f"form#indicator-{indicator.id}").get_by_label("Baseline source", exact=True).input_value() == item["baseline"]["source"]
    axe.check(page, "indicator form with an error")
    page.locator(f"form#indicator-{indicator.id}").get_by_label("Long-term target", exact=True).fill("95")
    page.locator(f"form#indicator-{indicator.id}").get_by_role("button", name="Save").click()
    page.locator(f"div#indicator-{indicator.id}").get_by_text("95% by 2027-04-30").wait_for()

    # Put the sample's value back, so the plan matches the file at the end.
    page.get_by_role("link", name=f"Edit {item['name']}").click()
    page.locator(f"form#indicator-{indicator.id}").get_by_label("Long-term target", exact=True).fill(text(item["target"]["value"]))
    page.locator(f"form#indicator-{indicator.id}").get_by_role("button", name="Save").click()
    page.locator(f"div#indicator-{indicator.id}").get_by_text(f"{item['target']['value']:g}% by").wait_for()
    return indicator


def test_admin_builds_first_strategy_from_empty_database(live, browser, axe, app):
    admin = make_staff("builder@district.example.org", "admin")
    page = browser.new_context().new_page()
    sign_in(page, live, admin)

    create_plan(page, axe)
    add_people_and_periods(page, axe)
    add_strategy(page, axe)
    strategy = add_indicators_and_benchmarks(page, axe)
    indicator = edit_inline(page, axe, strategy)

    page.goto(f"{live.url}/plan/indicators/{indicator.id}/history")
    page.get_by_role("cell", name="95.0").first.wait_for()
    assert page.get_by_role("cell", name="101").count() == 0
    axe.check(page, "indicator history")
    page.goto(f"{live.url}/plan/strategies/{strategy.id}/delete")
    page.get_by_text("Leading indicators: 2").wait_for()
    axe.check(page, "strategy delete confirmation")
    page.get_by_role("link", name="Cancel").click()
    page.get_by_role("heading", name="Edit a strategy").wait_for()
    page.goto(f"{live.url}/plan/history")
    page.get_by_role("cell", name=SAMPLE["lea"]["name"]).wait_for()
    axe.check(page, "plan history")

    exported = export_plan(Plan.current())
    assert exported["lea"] == SAMPLE["lea"]
    assert exported["plan"] == SAMPLE["plan"]
    assert exported["people"] == people_needed()
    assert exported["periods"] == SAMPLE["periods"]
    [built] = exported["strategies"]
    expected = {**FIRST, "leading_indicators": [{**item, "check_ins": [], "reflections": []} for item in FIRST["leading_indicators"]]}
    assert built == expected
    assert axe.pages_checked >= 11


def check_copy(axe, viewer, page, label):
    """Run axe on a copy of a page from a context without JavaScript, where axe itself cannot run."""
    viewer.goto(page.url)
    viewer.evaluate("markup => { document.documentElement.innerHTML = markup; }", page.content())
    axe.check(viewer, label)


def test_create_and_edit_without_javascript(live, browser, axe, app):
    admin = make_staff("builder@district.example.org", "admin")
    page = browser.new_context(java_script_enabled=False).new_page()
    viewer = browser.new_context().new_page()
    sign_in(page, live, admin)
    sign_in(viewer, live, admin)
    page.goto(f"{live.url}/plan/edit")
    form = page.locator("#plan-new")
    fill(form, {"District (LEA) name": "Harbor City Public Schools", "Plan title": "Section 4", "Plan starts on": "2025-08-01", "Plan ends on": "2027-07-31"})
    form.get_by_role("button", name="Create the plan").click()
    page.get_by_text("Plan created.").wait_for()

    form = page.locator("#person-new")
    fill(form, {"Key": "talent-manager", "Name": "Dana Whitfield"})
    form.get_by_role("button", name="Add the person").click()
    page.get_by_text("Added the person 'Dana Whitfield'.").wait_for()

    page.get_by_role("link", name="Edit Dana Whitfield").click()
    page.get_by_role("heading", name="Edit the person").wait_for()
    check_copy(axe, viewer, page, "person form page")
    page.get_by_label("Name", exact=True).fill("")
    page.get_by_label("Job title", exact=True).fill("Manager of Talent")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Nothing was saved").wait_for()
    assert page.get_by_label("Job title", exact=True).input_value() == "Manager of Talent"
    check_copy(axe, viewer, page, "person form page with an error")
    page.get_by_label("Name", exact=True).fill("Dana Whitfield-Ng")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("Saved the person 'Dana Whitfield-Ng'.").wait_for()
    assert page.url.endswith("/plan/edit#person-1")
    check_copy(axe, viewer, page, "plan page after a save")
