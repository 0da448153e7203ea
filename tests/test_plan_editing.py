"""Editing the plan's structure in pages: forms, validation, deletion rules, history, access."""

import html
import json
import re

import pytest

from portal.audit.models import AuditEvent
from portal.feedback.operations import start_thread
from portal.plan.history import history_of
from portal.plan.interchange import import_plan
from portal.plan.models import Benchmark, CheckIn, LeadingIndicator, MonitoringPeriod, Person, Plan, Strategy
from tests.conftest import SAMPLE_PLAN, count_queries, make_staff

HTMX = {"HX-Request": "true"}

PLAN_DETAILS = {
    "lea_name": "Harbor City Public Schools",
    "lea_state": "MD",
    "lea_schools": "38",
    "lea_students": "24150",
    "title": "LEA Equity Plan, Section 4: Ongoing Monitoring and Support",
    "school_years": "SY2025-26 to SY2027-28",
    "starts_on": "2025-08-01",
    "ends_on": "2027-07-31",
    "time_zone": "America/New_York",
    "data_as_of": "",
    "stakeholder_engagement": "Stakeholders comment each period.",
    "technical_assistance": "",
}

PERIOD_3M = {"key": "3m", "label": "Three-month benchmark", "starts_on": "2025-08-01", "ends_on": "2025-10-31"}


def error_at(page, field_id):
    """Return the error messages shown beside the field, checking the field points at them."""
    messages = re.findall(rf'id="{re.escape(field_id)}-error-\d+" role="alert">([^<]*)</span>', page)
    assert messages, f"no error beside {field_id}"
    field = re.search(rf'<(?:input|select|textarea)[^>]*\bid="{re.escape(field_id)}"[^>]*>', page).group(0)
    assert 'aria-invalid="true"' in field
    assert f"{field_id}-error-1" in field
    return " ".join(html.unescape(message) for message in messages)


def typed_value(page, field_id):
    field = re.search(rf'<input[^>]*\bid="{re.escape(field_id)}"[^>]*>', page).group(0)
    return html.unescape(re.search(r'value="([^"]*)"', field).group(1))


@pytest.fixture
def admin(app, auth):
    """A signed-in administrator, on a database that may hold no plan yet."""
    user = make_staff("builder@district.example.org", "admin")
    auth.sign_in(user)
    return user


def period(plan, key):
    return MonitoringPeriod.get((MonitoringPeriod.plan == plan) & (MonitoringPeriod.key == key))


def strategy(plan, key):
    return Strategy.get((Strategy.plan == plan) & (Strategy.key == key))


def indicator(key):
    return LeadingIndicator.get(LeadingIndicator.key == key)


# Creating and editing without JavaScript.


def test_empty_database_offers_create_form(client, admin):
    response = client.get("/plan/edit")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Create the plan" in page
    assert 'action="/plan/create"' in page


def test_create_plan_without_javascript(client, admin):
    response = client.post("/plan/create", data=PLAN_DETAILS)

    assert response.status_code == 303
    assert response.headers["Location"].endswith("/plan/edit")
    plan = Plan.current()
    assert plan.lea_name == "Harbor City Public Schools"
    assert str(plan.ends_on) == "2027-07-31"
    assert plan.lea_schools == 38
    [event] = history_of(plan)
    assert event.action == "plan.create"
    assert event.actor == f"staff:{admin.id}"
    assert event.changes["title"] == [None, PLAN_DETAILS["title"]]


def test_second_plan_is_rejected(client, admin, plan):
    response = client.post("/plan/create", data={**PLAN_DETAILS, "title": "Another"})

    assert response.status_code == 409
    assert "A plan exists already" in response.get_data(as_text=True)
    assert Plan.select().count() == 1


def test_add_and_edit_person_without_javascript(client, admin):
    client.post("/plan/create", data=PLAN_DETAILS)

    response = client.post("/plan/people", data={"key": "talent-manager", "name": "Dana Whitfield", "title": "Manager of Talent", "email": ""})
    assert response.status_code == 303
    person = Person.get(Person.key == "talent-manager")
    assert response.headers["Location"].endswith(f"/plan/edit#person-{person.id}")

    form_page = client.get(f"/plan/people/{person.id}/edit").get_data(as_text=True)
    assert "<html" in form_page
    assert typed_value(form_page, f"person-{person.id}-name") == "Dana Whitfield"
    response = client.post(
        f"/plan/people/{person.id}",
        data={"key": "talent-manager", "name": "Dana Whitfield-Ng", "title": "Manager of Talent", "email": "dana@harborcity.example.org"},
    )
    assert response.status_code == 303
    person = Person.get_by_id(person.id)
    assert person.name == "Dana Whitfield-Ng"
    assert person.email == "dana@harborcity.example.org"


def test_edit_with_htmx_swaps_fragments(client, admin, plan):
    person = Person.get(Person.key == "chief-talent")

    form = client.get(f"/plan/people/{person.id}/edit", headers=HTMX).get_data(as_text=True)
    assert "<html" not in form
    assert f'<form id="person-{person.id}"' in form
    assert f'hx-target="#person-{person.id}"' in form

    saved = client.post(f"/plan/people/{person.id}", data={"key": "chief-talent", "name": "Kwame A. Asante", "title": "Chief Talent Officer"}, headers=HTMX)
    page = saved.get_data(as_text=True)
    assert saved.status_code == 200
    assert "<html" not in page
    assert f'<div id="person-{person.id}"' in page
    assert "Kwame A. Asante" in page
    assert 'id="flashes" hx-swap-oob="true"' in page

    cancelled = client.get(f"/plan/people/{person.id}", headers=HTMX).get_data(as_text=True)
    assert f'<div id="person-{person.id}"' in cancelled


def test_htmx_error_keeps_what_was_typed(client, admin, plan):
    person = Person.get(Person.key == "chief-talent")

    response = client.post(f"/plan/people/{person.id}", data={"key": "chief-talent", "name": "  ", "title": "Typed title"}, headers=HTMX)

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "<html" not in page
    assert "Enter the person&#39;s name" in page or "Enter the person's name" in page
    assert typed_value(page, f"person-{person.id}-title") == "Typed title"
    assert Person.get_by_id(person.id).name == "Kwame Asante"


def test_add_with_htmx_returns_the_section(client, admin, plan):
    response = client.post("/plan/people", data={"key": "new-coach", "name": "Rae Coach"}, headers=HTMX)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in page
    assert '<section id="people"' in page
    assert "Rae Coach" in page
    assert typed_value(page, "person-new-key") == ""
    refreshed = re.search(r'<select[^>]*hx-swap-oob="true"[^>]*>.*?</select>', page, re.S).group(0)
    assert 'id="strategy-new-person_responsible_id"' in refreshed
    assert "Rae Coach" in refreshed


def test_plan_details_update_with_htmx(client, admin, plan):
    response = client.post("/plan/details", data={**PLAN_DETAILS, "school_years": "SY2025-26 to SY2028-29"}, headers=HTMX)

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert '<div id="plan-details"' in page
    assert "SY2025-26 to SY2028-29" in page
    assert Plan.get_by_id(plan.id).school_years == "SY2025-26 to SY2028-29"
    [update, _create] = history_of(plan)
    assert update.changes["school_years"] == ["SY2025-26 to SY2027-28", "SY2025-26 to SY2028-29"]


def test_strategy_with_indicator_and_benchmark(client, admin, plan):
    response = client.post(
        "/plan/strategies",
        data={"key": "grow-your-own", "name": "Grow our own teachers", "person_responsible_id": str(Person.get(Person.key == "hr-director").id), "starts_on": "2025-09-01", "ends_on": "2028-06-30"},
    )
    assert response.status_code == 303
    created = strategy(plan, "grow-your-own")
    assert created.position == 5
    assert created.person_responsible.key == "hr-director"

    response = client.post(
        f"/plan/strategies/{created.id}/indicators",
        data={"key": "paras-enrolled", "name": "Paraprofessionals enrolled", "unit": "count", "direction": "increase", "baseline_value": "4", "target_value": "30"},
    )
    assert response.status_code == 303
    new_indicator = LeadingIndicator.get(LeadingIndicator.key == "paras-enrolled")
    assert new_indicator.target_value == 30

    response = client.post(f"/plan/indicators/{new_indicator.id}/benchmarks", data={"period_id": str(period(plan, "1y").id), "target": "12", "description": "First cohort"})
    assert response.status_code == 303
    benchmark = Benchmark.get(Benchmark.indicator == new_indicator)
    assert benchmark.period.key == "1y"
    assert benchmark.target == 12

    page = client.get(f"/plan/strategies/{created.id}").get_data(as_text=True)
    assert "Paraprofessionals enrolled" in page
    assert "One-year benchmark: 12" in page


# Rejections: each wrong value returns 422 with a message at its field, and loses nothing saved.


def test_period_outside_plan_rejected(client, admin, plan):
    three_months = period(plan, "3m")

    response = client.post(f"/plan/periods/{three_months.id}", data={**PERIOD_3M, "starts_on": "2025-07-01"})

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "is outside the plan, which runs from 2025-08-01 to 2027-07-31" in error_at(page, f"period-{three_months.id}-starts_on")
    assert typed_value(page, f"period-{three_months.id}-starts_on") == "2025-07-01"
    assert str(MonitoringPeriod.get_by_id(three_months.id).starts_on) == "2025-08-01"


def test_strategy_start_outside_plan_rejected(client, admin, plan):
    response = client.post("/plan/strategies", data={"key": "late", "name": "Late start", "starts_on": "2028-01-01"})

    assert response.status_code == 422
    assert "is outside the plan" in error_at(response.get_data(as_text=True), "strategy-new-starts_on")
    assert not Strategy.select().where(Strategy.key == "late").exists()
    assert Strategy.select().count() == 5


def test_overlapping_periods_rejected(client, admin, plan):
    six_months = period(plan, "6m")

    response = client.post(f"/plan/periods/{six_months.id}", data={"key": "6m", "label": "Six-month benchmark", "starts_on": "2025-10-15", "ends_on": "2026-01-31"})

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "overlaps period 'Three-month benchmark' (2025-08-01 to 2025-10-31)" in error_at(page, f"period-{six_months.id}-starts_on")
    assert str(MonitoringPeriod.get_by_id(six_months.id).starts_on) == "2025-11-01"


def test_new_overlapping_period_rejected(client, admin):
    client.post("/plan/create", data=PLAN_DETAILS)
    client.post("/plan/periods", data=PERIOD_3M)

    response = client.post("/plan/periods", data={"key": "6m", "label": "Six", "starts_on": "2025-10-31", "ends_on": "2026-01-31"})

    assert response.status_code == 422
    assert "overlaps period 'Three-month benchmark'" in error_at(response.get_data(as_text=True), "period-new-starts_on")
    assert [p.key for p in MonitoringPeriod.select()] == ["3m"]


@pytest.mark.parametrize(
    "url, data, field",
    [
        ("/plan/periods", {"key": "x", "label": "X", "starts_on": "2026-03-01", "ends_on": "2026-02-01"}, "period-new-ends_on"),
        ("/plan/strategies", {"key": "x", "name": "X", "starts_on": "2026-03-01", "ends_on": "2026-02-01"}, "strategy-new-ends_on"),
    ],
)
def test_end_before_start_rejected(client, admin, url, data, field):
    client.post("/plan/create", data=PLAN_DETAILS)

    response = client.post(url, data=data)

    assert response.status_code == 422
    assert "2026-02-01 is before the" in error_at(response.get_data(as_text=True), field)
    assert not Strategy.select().exists()
    assert not MonitoringPeriod.select().exists()


def test_plan_end_before_start_rejected(client, admin):
    response = client.post("/plan/create", data={**PLAN_DETAILS, "ends_on": "2025-01-01"})

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "2025-01-01 is before the plan starts (2025-08-01)" in error_at(page, "plan-new-ends_on")
    assert typed_value(page, "plan-new-lea_name") == "Harbor City Public Schools"
    assert "Nothing was saved" in page
    assert Plan.current() is None


def test_plan_dates_that_strand_a_period_rejected(client, admin, plan):
    response = client.post("/plan/details", data={**PLAN_DETAILS, "ends_on": "2027-06-30"})

    assert response.status_code == 422
    assert "period 'Two-year benchmark' ends 2027-07-31" in error_at(response.get_data(as_text=True), "plan-details-ends_on")
    assert str(Plan.get_by_id(plan.id).ends_on) == "2027-07-31"


def test_benchmark_for_missing_period_rejected(client, admin, plan):
    intent = indicator("novice-intent-return")

    response = client.post(f"/plan/indicators/{intent.id}/benchmarks", data={"period_id": "999", "target": "80"})

    assert response.status_code == 422
    assert "There is no monitoring period 999" in error_at(response.get_data(as_text=True), f"benchmark-new-{intent.id}-period_id")
    assert Benchmark.select().where(Benchmark.indicator == intent).count() == 3


def test_benchmark_for_other_plans_period_rejected(client, admin, app):
    other = Plan.create(lea_name="Other District", title="Other plan", starts_on="2025-08-01", ends_on="2027-07-31")
    foreign = MonitoringPeriod.create(plan=other, key="3m", label="Other three months", starts_on="2025-08-01", ends_on="2025-10-31")
    import_plan(json.loads(SAMPLE_PLAN.read_text(encoding="utf-8")), "test")
    intent = indicator("novice-intent-return")

    response = client.post(f"/plan/indicators/{intent.id}/benchmarks", data={"period_id": str(foreign.id), "target": "80"})

    assert response.status_code == 422
    assert "belongs to another plan" in error_at(response.get_data(as_text=True), f"benchmark-new-{intent.id}-period_id")
    assert not Benchmark.select().where(Benchmark.period == foreign).exists()


def test_second_benchmark_for_period_rejected(client, admin, plan):
    survey = indicator("prep-survey-agree")

    response = client.post(f"/plan/indicators/{survey.id}/benchmarks", data={"period_id": str(period(plan, "1y").id), "target": "85"})

    assert response.status_code == 422
    assert "already has a benchmark for 'One-year benchmark'" in error_at(response.get_data(as_text=True), f"benchmark-new-{survey.id}-period_id")


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("baseline_value", "101", "101 is above 100, but the indicator is a percent"),
        ("target_value", "150.5", "150.5 is above 100, but the indicator is a percent"),
        ("baseline_value", "-1", "cannot be negative"),
        ("target_value", "lots", "'lots' is not a number"),
    ],
)
def test_indicator_percent_out_of_range_rejected(client, admin, plan, field, value, message):
    survey = indicator("prep-survey-agree")
    data = {"key": survey.key, "name": survey.name, "unit": "percent", "direction": "increase", "baseline_value": "76.3", "target_value": "91.6", field: value}

    response = client.post(f"/plan/indicators/{survey.id}", data=data)

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in error_at(page, f"indicator-{survey.id}-{field}")
    assert typed_value(page, f"indicator-{survey.id}-{field}") == value
    saved = LeadingIndicator.get_by_id(survey.id)
    assert (saved.baseline_value, saved.target_value) == (76.3, 91.6)


@pytest.mark.parametrize("target, message", [("100.5", "100.5 is above 100"), ("-5", "cannot be negative")])
def test_benchmark_percent_out_of_range_rejected(client, admin, plan, target, message):
    survey = indicator("prep-survey-agree")
    benchmark = Benchmark.get((Benchmark.indicator == survey) & (Benchmark.period == period(plan, "3m")))

    response = client.post(f"/plan/benchmarks/{benchmark.id}", data={"period_id": str(benchmark.period_id), "target": target, "description": "Typed"})

    assert response.status_code == 422
    assert message in error_at(response.get_data(as_text=True), f"benchmark-{benchmark.id}-target")
    assert Benchmark.get_by_id(benchmark.id).target == 77.0


def test_unit_change_to_percent_checks_benchmarks(client, admin, plan):
    hours = indicator("mentor-contact-hours")
    Benchmark.update(target=120).where(Benchmark.indicator == hours).execute()

    response = client.post(f"/plan/indicators/{hours.id}", data={"key": hours.key, "name": hours.name, "unit": "percent", "direction": "increase"})

    assert response.status_code == 422
    assert "target 120, above 100" in error_at(response.get_data(as_text=True), f"indicator-{hours.id}-unit")
    assert LeadingIndicator.get_by_id(hours.id).unit == "hours"


@pytest.mark.parametrize(
    "url, data, field",
    [
        ("/plan/people", {"key": "talent-manager", "name": "Someone"}, "person-new-key"),
        ("/plan/periods", {"key": "3m", "label": "Again", "starts_on": "2025-08-01", "ends_on": "2025-08-02"}, "period-new-key"),
        ("/plan/strategies", {"key": "early-hiring", "name": "Again"}, "strategy-new-key"),
    ],
)
def test_duplicate_key_rejected(client, admin, plan, url, data, field):
    counts = (Person.select().count(), MonitoringPeriod.select().count(), Strategy.select().count())

    response = client.post(url, data=data)

    assert response.status_code == 422
    assert f"already has the key {data['key']!r}" in error_at(response.get_data(as_text=True), field)
    assert (Person.select().count(), MonitoringPeriod.select().count(), Strategy.select().count()) == counts


def test_duplicate_indicator_key_rejected(client, admin, plan):
    prep = strategy(plan, "prep-partnerships")

    response = client.post(f"/plan/strategies/{prep.id}/indicators", data={"key": "prep-survey-agree", "name": "Again", "unit": "count", "direction": "increase"})

    assert response.status_code == 422
    assert "already has the key 'prep-survey-agree'" in error_at(response.get_data(as_text=True), f"indicator-new-{prep.id}-key")
    assert LeadingIndicator.select().where(LeadingIndicator.strategy == prep).count() == 2


def test_same_indicator_key_in_other_strategy_allowed(client, admin, plan):
    mentoring = strategy(plan, "novice-mentoring")

    response = client.post(f"/plan/strategies/{mentoring.id}/indicators", data={"key": "prep-survey-agree", "name": "Shared key", "unit": "count", "direction": "increase"})

    assert response.status_code == 303


@pytest.mark.parametrize(
    "url, data, field, message",
    [
        ("/plan/people", {"key": "", "name": "Someone"}, "person-new-key", "Enter the key"),
        ("/plan/people", {"key": "someone", "name": " "}, "person-new-name", "Enter the person's name"),
        ("/plan/people", {"key": "Bad Key!", "name": "Someone"}, "person-new-key", "is not a valid key"),
        ("/plan/people", {"key": "someone", "name": "Someone", "email": "not-an-address"}, "person-new-email", "Enter an email address"),
        ("/plan/periods", {"key": "x", "label": "", "starts_on": "2026-02-01", "ends_on": "2026-02-02"}, "period-new-label", "Enter the label"),
        ("/plan/periods", {"key": "x", "label": "X", "starts_on": "", "ends_on": "2026-02-02"}, "period-new-starts_on", "Enter the date the window starts"),
        ("/plan/periods", {"key": "x", "label": "X", "starts_on": "01/02/2026", "ends_on": "2026-02-02"}, "period-new-starts_on", "enter it as YYYY-MM-DD"),
        ("/plan/strategies", {"key": "x", "name": ""}, "strategy-new-name", "Enter the strategy's name"),
    ],
)
def test_blank_or_malformed_field_rejected(client, admin, plan, url, data, field, message):
    response = client.post(url, data=data)

    assert response.status_code == 422
    assert message in error_at(response.get_data(as_text=True), field)
    assert Person.select().count() == 7
    assert MonitoringPeriod.select().count() == 4
    assert Strategy.select().count() == 5


def test_plan_details_rejected_values(client, admin, plan):
    response = client.post("/plan/details", data={**PLAN_DETAILS, "lea_state": "Maryland", "time_zone": "Mars/Olympus", "title": ""})

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "not a two-letter state code" in error_at(page, "plan-details-lea_state")
    assert "'Mars/Olympus' is not an IANA time zone" in error_at(page, "plan-details-time_zone")
    assert "Enter the plan's title" in error_at(page, "plan-details-title")
    assert Plan.get_by_id(plan.id).title == PLAN_DETAILS["title"]


def test_indicator_of_other_plan_not_found(client, admin, plan):
    response = client.get("/plan/indicators/9999/edit")

    assert response.status_code == 404


# Deleting: refused when data depends on the item, confirmed when only plan structure goes with it.


def test_delete_period_with_check_ins_refused(client, admin, plan):
    three_months = period(plan, "3m")
    assert CheckIn.select().where(CheckIn.period == three_months).exists()

    response = client.post(f"/plan/periods/{three_months.id}/delete")

    page = html.unescape(response.get_data(as_text=True))
    assert response.status_code == 409
    assert "This monitoring period cannot be deleted" in page
    assert "Step 3 check-ins:" in page
    assert MonitoringPeriod.get_or_none(MonitoringPeriod.id == three_months.id) is not None
    assert Benchmark.select().where(Benchmark.period == three_months).count() > 0


def test_delete_strategy_with_threads_refused(client, admin, plan, invite):
    hiring = strategy(plan, "early-hiring")
    CheckIn.delete().where(CheckIn.indicator.in_(LeadingIndicator.select().where(LeadingIndicator.strategy == hiring))).execute()
    invitation, _token = invite()
    start_thread(invitation.stakeholder, hiring, None, "When are offers made?", "en")

    confirm_page = html.unescape(client.get(f"/plan/strategies/{hiring.id}/delete").get_data(as_text=True))
    response = client.post(f"/plan/strategies/{hiring.id}/delete")

    assert "Feedback threads: 1" in confirm_page
    assert "Delete the strategy</button>" not in confirm_page
    assert response.status_code == 409
    assert Strategy.get_or_none(Strategy.id == hiring.id) is not None


def test_delete_strategy_after_confirmation(client, admin, plan):
    created = Strategy.create(plan=plan, key="short-lived", name="Short-lived", position=9)
    first = LeadingIndicator.create(strategy=created, key="one", name="One", unit="count", direction="increase")
    benchmark = Benchmark.create(indicator=first, period=period(plan, "1y"), target=3)

    confirm_page = html.unescape(client.get(f"/plan/strategies/{created.id}/delete").get_data(as_text=True))
    response = client.post(f"/plan/strategies/{created.id}/delete")

    assert "Leading indicators: 1" in confirm_page
    assert "Benchmarks: 1" in confirm_page
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/plan/edit#strategies")
    assert Strategy.get_or_none(Strategy.id == created.id) is None
    assert LeadingIndicator.get_or_none(LeadingIndicator.id == first.id) is None
    [deleted] = history_of(Benchmark(id=benchmark.id))
    assert deleted.action == "plan.delete"
    assert deleted.changes["target"] == [3, None]
    assert deleted.changes["period"] == ["1y", None]
    assert history_of(LeadingIndicator(id=first.id))[0].changes["key"] == ["one", None]
    history = client.get(f"/plan/strategies/{created.id}/history")
    assert history.status_code == 200
    assert "has been deleted" in history.get_data(as_text=True)


def test_delete_person_in_use_refused(client, admin, plan):
    talent = Person.get(Person.key == "talent-manager")

    response = client.post(f"/plan/people/{talent.id}/delete")

    assert response.status_code == 409
    assert "Strategies that name this person as responsible: 1" in html.unescape(response.get_data(as_text=True))
    assert Person.get_or_none(Person.id == talent.id) is not None
    assert Strategy.get(Strategy.key == "prep-partnerships").person_responsible_id == talent.id


def test_delete_unused_person(client, admin, plan):
    spare = Person.create(plan=plan, key="spare", name="Spare Person")

    response = client.post(f"/plan/people/{spare.id}/delete")

    assert response.status_code == 303
    assert Person.get_or_none(Person.id == spare.id) is None
    assert history_of(Person(id=spare.id))[0].changes["name"] == ["Spare Person", None]


# Order and history.


def test_move_strategy_down_and_up(client, admin, plan):
    prep = strategy(plan, "prep-partnerships")

    response = client.post(f"/plan/strategies/{prep.id}/move", data={"direction": "down"})

    assert response.status_code == 303
    order = [s.key for s in Strategy.select().order_by(Strategy.position)]
    assert order[:2] == ["novice-mentoring", "prep-partnerships"]
    overview = client.get("/").get_data(as_text=True)
    assert overview.index("/strategies/novice-mentoring") < overview.index("/strategies/prep-partnerships")
    assert history_of(prep)[0].changes == {"position": [0, 1]}

    client.post(f"/plan/strategies/{prep.id}/move", data={"direction": "up"})
    assert [s.key for s in Strategy.select().order_by(Strategy.position)][0] == "prep-partnerships"


def test_move_first_indicator_up_changes_nothing(client, admin, plan):
    survey = indicator("prep-survey-agree")

    response = client.post(f"/plan/indicators/{survey.id}/move", data={"direction": "up"})

    assert response.status_code == 303
    assert LeadingIndicator.get_by_id(survey.id).position == 0
    assert history_of(survey) == []


def test_move_rejects_unknown_direction(client, admin, plan):
    survey = indicator("prep-survey-agree")

    assert client.post(f"/plan/indicators/{survey.id}/move", data={"direction": "sideways"}).status_code == 400


def test_period_positions_follow_dates(client, admin):
    client.post("/plan/create", data=PLAN_DETAILS)
    client.post("/plan/periods", data={"key": "6m", "label": "Six", "starts_on": "2025-11-01", "ends_on": "2026-01-31"})
    client.post("/plan/periods", data=PERIOD_3M)

    assert [p.key for p in MonitoringPeriod.select().order_by(MonitoringPeriod.position)] == ["3m", "6m"]


def test_history_records_old_and_new_values(client, admin, plan):
    prep = strategy(plan, "prep-partnerships")
    data = {
        "key": prep.key,
        "name": "Partner with preparation programs",
        "measures_of_success": prep.measures_of_success,
        "person_responsible_id": str(Person.get(Person.key == "chief-talent").id),
        "long_term_goal": prep.long_term_goal,
        "starts_on": "2025-08-01",
        "ends_on": "2027-06-30",
        "timing": prep.timing,
        "stakeholder_engagement": prep.stakeholder_engagement,
        "course_corrections": prep.course_corrections,
    }

    assert client.post(f"/plan/strategies/{prep.id}", data=data).status_code == 303

    [event] = history_of(prep)
    assert event.actor == f"staff:{admin.id}"
    assert event.changes == {
        "name": [prep.name, "Partner with preparation programs"],
        "person_responsible": ["talent-manager", "chief-talent"],
    }
    page = html.unescape(client.get(f"/plan/strategies/{prep.id}/history").get_data(as_text=True))
    assert "builder" in page
    assert "Person responsible" in page
    assert "talent-manager" in page
    assert "chief-talent" in page
    assert prep.name in page


def test_saving_unchanged_form_records_nothing(client, admin, plan):
    person = Person.get(Person.key == "chief-talent")

    client.post(f"/plan/people/{person.id}", data={"key": person.key, "name": person.name, "title": person.title, "email": person.email})

    assert history_of(person) == []


def test_import_records_plan_create(plan):
    [event] = history_of(plan)

    assert event.action == "plan.create"
    assert event.actor == "test"
    assert event.changes["lea_name"] == [None, "Harbor City Public Schools"]
    assert AuditEvent.select().where(AuditEvent.action == "plan.imported").count() == 1


# Access.


@pytest.mark.parametrize("role", ["leader", "induction"])
def test_staff_read_history_but_cannot_edit(client, auth, plan, staff, role):
    prep = strategy(plan, "prep-partnerships")
    auth.sign_in(staff[role])

    assert client.get(f"/plan/strategies/{prep.id}/history").status_code == 200
    assert client.get("/plan/history").status_code == 200
    assert client.get("/plan/edit").status_code == 403
    assert client.post(f"/plan/strategies/{prep.id}", data={"key": prep.key, "name": "Changed"}).status_code == 403
    assert Strategy.get_by_id(prep.id).name == prep.name
    assert "Edit plan" not in client.get("/").get_data(as_text=True)


def test_anonymous_is_sent_to_sign_in(client, plan):
    response = client.get("/plan/edit")

    assert response.status_code == 302
    assert "/sign-in" in response.headers["Location"]


def test_admin_sees_edit_link(client, admin, plan):
    page = client.get("/").get_data(as_text=True)

    assert 'href="/plan/edit">Edit plan</a>' in page


# Query counts.


def test_plan_page_queries_do_not_grow_with_strategies(client, admin, plan):
    def queries():
        with count_queries() as counter:
            assert client.get("/plan/edit").status_code == 200
        return counter.count

    before = queries()
    for number in range(6):
        Strategy.create(plan=plan, key=f"extra-{number}", name=f"Extra {number}", position=10 + number, person_responsible=Person.get(Person.key == "hr-director"))
    after = queries()

    assert after == before


def test_strategy_page_queries_do_not_grow_with_indicators(client, admin, plan):
    prep = strategy(plan, "prep-partnerships")

    def queries():
        with count_queries() as counter:
            assert client.get(f"/plan/strategies/{prep.id}").status_code == 200
        return counter.count

    before = queries()
    for number in range(4):
        extra = LeadingIndicator.create(strategy=prep, key=f"extra-{number}", name=f"Extra {number}", unit="count", direction="increase", position=5 + number)
        Benchmark.create(indicator=extra, period=period(plan, "1y"), target=number)
    after = queries()

    assert after == before


def test_strategy_summaries_saved_by_language(client, admin, plan):
    item = strategy(plan, "novice-mentoring")
    form = client.get(f"/plan/strategies/{item.id}/edit").get_data(as_text=True)
    assert "Plain-language summary for families, in Spanish" in form
    data = {
        "key": item.key,
        "name": item.name,
        "person_responsible_id": str(item.person_responsible_id),
        "summary_en": "New teachers get a mentor who meets them every week.",
        "summary_es": "Los maestros nuevos tienen un mentor que se reúne con ellos cada semana.",
    }
    assert client.post(f"/plan/strategies/{item.id}", data=data).status_code == 303
    saved = Strategy.get_by_id(item.id)
    assert json.loads(saved.summaries) == {"en": data["summary_en"], "es": data["summary_es"]}
    changes = history_of(saved)[0].changes
    assert "summaries" in changes
    assert "Los maestros nuevos" in client.get(f"/plan/strategies/{item.id}/edit").get_data(as_text=True)

    data["summary_es"] = ""
    client.post(f"/plan/strategies/{item.id}", data=data)
    assert json.loads(Strategy.get_by_id(item.id).summaries) == {"en": data["summary_en"]}


def test_spanish_translation_saved_and_kept(client, admin, plan):
    prep = strategy(plan, "prep-partnerships")
    prep.translations = json.dumps({"vi": {"name": "Hợp tác"}})
    prep.save()
    data = {
        "key": prep.key,
        "name": prep.name,
        "name_es": " Colaborar con los programas de formación docente ",
        "measures_of_success": prep.measures_of_success,
        "measures_of_success_es": "",
        "person_responsible_id": str(prep.person_responsible_id),
        "long_term_goal": prep.long_term_goal,
        "starts_on": "2025-08-01",
        "ends_on": "2027-06-30",
        "timing": prep.timing,
        "stakeholder_engagement": prep.stakeholder_engagement,
        "course_corrections": prep.course_corrections,
    }

    assert client.post(f"/plan/strategies/{prep.id}", data=data).status_code == 303

    saved = strategy(plan, "prep-partnerships")
    assert json.loads(saved.translations) == {"es": {"name": "Colaborar con los programas de formación docente"}, "vi": {"name": "Hợp tác"}}
    [event] = history_of(saved)
    assert list(event.changes) == ["translations"]
    history = html.unescape(client.get(f"/plan/strategies/{prep.id}/history").get_data(as_text=True))
    assert "es, name: Colaborar con los programas de formación docente; vi, name: Hợp tác" in history
    assert '{"es"' not in history
    form = html.unescape(client.get(f"/plan/strategies/{prep.id}/edit").get_data(as_text=True))
    assert "Strategy, in Spanish" in form
    assert "Colaborar con los programas de formación docente</textarea>" in form
    assert "Spanish-speaking stakeholders read this. When it is empty, they see the English text." in form

    client.post(f"/plan/strategies/{prep.id}", data={**data, "name_es": ""})
    assert json.loads(strategy(plan, "prep-partnerships").translations) == {"vi": {"name": "Hợp tác"}}


def test_period_label_translated_in_spanish_pages(client, admin, plan, invite):
    two_years = period(plan, "2y")
    data = {"key": "2y", "label": two_years.label, "label_es": "Meta de dos años", "starts_on": two_years.starts_on.isoformat(), "ends_on": two_years.ends_on.isoformat()}

    assert client.post(f"/plan/periods/{two_years.id}", data=data).status_code == 303

    _invitation, token = invite(email="rosa@mail.example.com", group="parent", language="es")
    client.post(f"/invitation/{token}")
    page = html.unescape(client.get("/strategies/prep-partnerships").get_data(as_text=True))
    assert "Meta de dos años" in page
    assert '<span lang="en">Meta de dos años</span>' not in page
    # A label without a Spanish translation is shown in English, marked as English for screen readers.
    assert '<span lang="en">Six-month benchmark</span>' in page
