"""Step 3 check-ins, Step 4 reflections, new benchmarks, history, access and the calendar."""

import datetime
import re

import pytest

from portal.audit.models import AuditEvent
from portal.plan.status import plan_today
from portal.monitoring import calendar as monitoring_calendar
from portal.plan.history import history_of
from portal.plan.models import Benchmark, CheckIn, EvidenceFile, LeadingIndicator, MonitoringPeriod, Reflection, Strategy
from portal.plan.status import OFF_TRACK, ON_TRACK, progress_for
from tests.conftest import count_queries, make_staff


@pytest.fixture(autouse=True)
def evidence_folder(app, tmp_path):
    folder = tmp_path / "evidence"
    app.config["EVIDENCE_FOLDER"] = str(folder)
    return folder


def indicator(key):
    return LeadingIndicator.get(LeadingIndicator.key == key)


def period(key):
    return MonitoringPeriod.get(MonitoringPeriod.key == key)


def check_in_url(key):
    return f"/monitoring/indicators/{indicator(key).id}/check-in"


def reflection_url(key):
    return f"/monitoring/indicators/{indicator(key).id}/reflection"


def check_in_of(indicator_key, period_key):
    return CheckIn.get_or_none((CheckIn.indicator == indicator(indicator_key)) & (CheckIn.period == period(period_key)))


# The talent manager's indicator in the sample plan's first strategy.
MODULES = "prep-module-attendance"

CHECK_IN = {
    "period": "2y",
    "implemented": "partially",
    "evidence": "Sign-in sheets for the fall modules: https://drive.example.org/fall-sign-ins",
    "actual": "61.5",
    "progress_notes": "Two schools have not scheduled their modules.",
    "adjustments_needed": "yes",
}

REFLECTION = {
    "period": "1y",
    "what_went_wrong": "Modules 5 and 6 fell in testing season.",
    "implemented": "partially",
    "evidence_of_implementation": "Module calendars and cancellation emails.",
    "factors": "State testing took the April dates.",
    "resources_sufficient": "no",
    "realistic_to_measure": "yes",
    "revisit_course_corrections": "Paid after-school time would avoid testing season.",
    "course_correction": "Move modules 5 and 6 to February with a stipend.",
}


def new_benchmark(period_key, target, description=""):
    number = period(period_key).id
    return {f"benchmark_{number}-target": target, f"benchmark_{number}-description": description}


def test_check_in_created_without_javascript(client, auth, staff):
    auth.sign_in(staff["talent"])

    response = client.post(check_in_url(MODULES), data=CHECK_IN)

    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{check_in_url(MODULES)}?period=2y")
    saved = check_in_of(MODULES, "2y")
    assert saved.implemented == "partially"
    assert saved.actual == 61.5
    assert saved.evidence == CHECK_IN["evidence"]
    assert saved.progress_notes == CHECK_IN["progress_notes"]
    assert saved.adjustments_needed is True
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Check-in for Two-year benchmark saved." in page
    assert '<a href="https://drive.example.org/fall-sign-ins" rel="noopener noreferrer">' in page


def test_check_in_update_records_history(client, auth, staff):
    auth.sign_in(staff["talent"])
    existing = check_in_of(MODULES, "1y")

    response = client.post(check_in_url(MODULES), data={**CHECK_IN, "period": "1y", "actual": "60"})

    assert response.status_code == 303
    assert check_in_of(MODULES, "1y").id == existing.id
    [event] = history_of(existing)
    assert event.actor == f"staff:{staff['talent'].id}"
    assert event.changes["actual"] == [58.0, 60.0]
    assert event.changes["evidence"] == [existing.evidence, CHECK_IN["evidence"]]
    assert "adjustments_needed" not in event.changes
    page = client.get(f"{check_in_url(MODULES)}?period=1y").get_data(as_text=True)
    assert "History" in page
    assert "talent" in page  # the actor's name
    assert "58.0" in page
    assert "60.0" in page


def test_check_in_with_htmx_returns_fragment(client, auth, staff):
    auth.sign_in(staff["talent"])

    response = client.post(check_in_url(MODULES), data=CHECK_IN, headers={"HX-Request": "true"})

    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="check-in">')
    assert "<html" not in body
    assert 'hx-swap-oob="true"' in body
    assert "Check-in for Two-year benchmark saved." in body
    assert check_in_of(MODULES, "2y") is not None


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"actual": "104"}, "actual", "104 is more than 100. Enter a percent from 0 to 100"),
        ({"actual": "-3"}, "actual", "-3 is below zero"),
        ({"actual": "about sixty"}, "actual", "&#39;about sixty&#39; is not a number. Enter a number such as 82.5."),
        ({"actual": "7,5"}, "actual", "&#39;7,5&#39; has a comma that is not a thousands separator. Write decimals with a point, such as 7.5."),
        ({"actual": "70,5%"}, "actual", "&#39;70,5%&#39; has a comma that is not a thousands separator."),
        ({"period": "9y"}, "period", "There is no monitoring period &#39;9y&#39; in this plan. Choose one of the listed periods."),
        ({"period": ""}, "period", "Choose the monitoring period."),
        ({"implemented": ""}, "implemented", "Choose yes, partially or no."),
        ({"adjustments_needed": "maybe"}, "adjustments_needed", "&#39;maybe&#39; is not one of the answers. Choose one of the listed answers."),
        ({"evidence": "x" * 10001}, "evidence", "Shorten this answer to at most 10000 characters."),
    ],
)
def test_check_in_rejected_at_field(client, auth, staff, changes, field, message):
    auth.sign_in(staff["talent"])
    before = check_in_of(MODULES, "1y")
    data = {**CHECK_IN, "period": "1y", **changes}

    response = client.post(check_in_url(MODULES), data=data)

    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error-1"' in body
    assert message in body
    assert re.search(f'aria-describedby="[^"]*{field}-error-1"', body)
    assert "The check-in was not saved" in body  # the summary at the top
    assert CHECK_IN["progress_notes"] in body  # nothing typed is lost
    if field != "evidence":
        assert "https://drive.example.org/fall-sign-ins" in body
    after = check_in_of(MODULES, "1y")
    assert after.actual == before.actual == 58.0
    assert after.evidence == before.evidence
    assert AuditEvent.select().where(AuditEvent.object_type == "CheckIn").count() == 0


def test_count_indicator_takes_whole_numbers(client, auth, staff, plan):
    admin = staff["admin"]
    auth.sign_in(admin)
    url = check_in_url("residents-enrolled")

    rejected = client.post(url, data={**CHECK_IN, "actual": "14.5"})
    accepted = client.post(url, data={**CHECK_IN, "actual": "1,214"})

    assert rejected.status_code == 422
    assert "14.5 is not a whole number. Enter a count such as 14." in rejected.get_data(as_text=True)
    assert accepted.status_code == 303
    assert check_in_of("residents-enrolled", "2y").actual == 1214


def test_check_in_period_not_started(client, auth, staff):
    two_years = period("2y")
    two_years.starts_on = datetime.date.today() + datetime.timedelta(days=30)
    two_years.ends_on = two_years.starts_on + datetime.timedelta(days=300)
    two_years.save()
    auth.sign_in(staff["talent"])

    response = client.post(check_in_url(MODULES), data=CHECK_IN)

    assert response.status_code == 422
    assert "Record its check-ins once it has started." in response.get_data(as_text=True)
    assert check_in_of(MODULES, "2y") is None


def test_closed_period_only_admins_edit(client, auth, staff, app):
    one_year = period("1y")
    one_year.state = "closed"
    one_year.save()
    auth.sign_in(staff["talent"])

    refused = client.post(check_in_url(MODULES), data={**CHECK_IN, "period": "1y"})

    assert refused.status_code == 422
    assert "The One-year benchmark period is closed" in refused.get_data(as_text=True)
    assert check_in_of(MODULES, "1y").actual == 58.0

    admin_client = app.test_client()
    from tests.conftest import Auth

    Auth(admin_client).sign_in(staff["admin"])
    accepted = admin_client.post(check_in_url(MODULES), data={**CHECK_IN, "period": "1y"})
    assert accepted.status_code == 303
    assert check_in_of(MODULES, "1y").actual == 61.5


@pytest.mark.parametrize("role, status", [("induction", 403), ("leader", 403), ("admin", 303), ("talent", 303)])
def test_check_in_edit_access(client, auth, staff, role, status):
    auth.sign_in(staff[role])

    response = client.post(check_in_url(MODULES), data=CHECK_IN)

    assert response.status_code == status
    assert (check_in_of(MODULES, "2y") is not None) == (status == 303)


def test_check_in_page_read_only_for_others(client, auth, staff):
    auth.sign_in(staff["leader"])

    response = client.get(f"{check_in_url(MODULES)}?period=1y")

    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Only this indicator's point person and administrators can change its check-ins." in body
    assert "Modules 5 and 6 cancelled" in body
    assert "Save check-in" not in body


def test_unlinked_point_person_cannot_edit(client, auth, staff):
    loose = make_staff("loose@district.example.org", "point-person")
    auth.sign_in(loose)

    response = client.post(check_in_url(MODULES), data=CHECK_IN)

    assert response.status_code == 403


def test_stakeholder_and_anonymous_denied(client, app, auth, invite, plan):
    _invitation, token = invite()
    auth.open_invitation(token)

    as_stakeholder = client.get(f"{check_in_url(MODULES)}?period=1y")
    posted = client.post(check_in_url(MODULES), data=CHECK_IN)
    anonymous = app.test_client().get("/monitoring/calendar")

    assert as_stakeholder.status_code == 302
    assert "/sign-in" in as_stakeholder.headers["Location"]
    assert posted.status_code == 302
    assert anonymous.status_code == 302
    assert check_in_of(MODULES, "2y") is None


def test_unknown_indicator_or_period_is_404(client, auth, staff):
    auth.sign_in(staff["admin"])

    assert client.get("/monitoring/indicators/9999/check-in").status_code == 404
    assert client.get(f"{check_in_url(MODULES)}?period=9y").status_code == 404
    assert client.get(f"{reflection_url(MODULES)}?period=9y").status_code == 404


# Reflections and new benchmarks -------------------------------------------------------------


def test_reflection_with_new_benchmark(client, auth, staff, plan):
    auth.sign_in(staff["talent"])
    old = Benchmark.get((Benchmark.indicator == indicator(MODULES)) & (Benchmark.period == period("2y")))

    response = client.post(reflection_url(MODULES), data={**REFLECTION, **new_benchmark("2y", "80", "Second cohort, after a lost spring")})

    assert response.status_code == 303
    reflection = Reflection.get((Reflection.indicator == indicator(MODULES)) & (Reflection.period == period("1y")))
    assert reflection.course_correction == REFLECTION["course_correction"]
    assert reflection.resources_sufficient is False
    assert reflection.realistic_to_measure is True
    assert reflection.implemented == "partially"
    new = Benchmark.get((Benchmark.reflection == reflection))
    old = Benchmark.get_by_id(old.id)
    assert (new.target, new.description, new.period_id) == (80.0, "Second cohort, after a lost spring", period("2y").id)
    assert old.superseded_by_id == new.id
    assert old.superseded_at is not None
    assert old.target == 85.0  # the old row keeps its value
    assert [event.changes for event in history_of(old)] == [
        {"superseded_at": [None, old.superseded_at.isoformat()], "superseded_by": [None, new.id]}
    ]
    assert history_of(new)[0].action == "plan.create"
    assert history_of(reflection)[0].changes["course_correction"] == [None, REFLECTION["course_correction"]]


def test_status_uses_revised_benchmark(client, auth, staff, plan):
    auth.sign_in(staff["talent"])
    client.post(check_in_url(MODULES), data={**CHECK_IN, "actual": "82"})
    strategy = Strategy.get(Strategy.key == "prep-partnerships")
    # Status is judged once the two-year period has ended.
    after_two_years = datetime.date(2027, 8, 1)
    before = progress_for(plan, [strategy], today=after_two_years)[strategy.id]

    client.post(reflection_url(MODULES), data={**REFLECTION, **new_benchmark("2y", "80")})

    after = progress_for(plan, [strategy], today=after_two_years)[strategy.id]
    [cell_before] = [c for row in before.rows if row.indicator.key == MODULES for c in row.cells if c.period.key == "2y"]
    [cell_after] = [c for row in after.rows if row.indicator.key == MODULES for c in row.cells if c.period.key == "2y"]
    assert cell_before.status == OFF_TRACK  # 82 below 85
    assert cell_after.status == ON_TRACK  # 82 meets the new 80
    assert [b.target for b in cell_after.replaced] == [85.0]


def test_strategy_page_strikes_replaced_benchmark(client, auth, staff, plan):
    auth.sign_in(staff["talent"])
    client.post(reflection_url(MODULES), data={**REFLECTION, **new_benchmark("2y", "80")})

    page = client.get("/strategies/prep-partnerships").get_data(as_text=True)

    assert '<del class="portal-replaced">85%</del>' in page
    assert "Replaced on" in page
    assert REFLECTION["course_correction"] in page
    assert f'href="{check_in_url(MODULES)}?period=1y"' in page
    assert f'href="{reflection_url(MODULES)}?period=1y"' in page
    assert 'href="/monitoring/strategies/prep-partnerships/worksheet"' in page


def test_same_benchmark_again_changes_nothing(client, auth, staff):
    auth.sign_in(staff["talent"])
    data = {**REFLECTION, **new_benchmark("2y", "80", "Lower")}

    client.post(reflection_url(MODULES), data=data)
    client.post(reflection_url(MODULES), data=data)

    rows = Benchmark.select().where((Benchmark.indicator == indicator(MODULES)) & (Benchmark.period == period("2y")))
    assert sorted(b.target for b in rows) == [80.0, 85.0]


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"course_correction": ""}, "course_correction", "Write what you will do to get back on track."),
        ({"implemented": ""}, "implemented", "Choose yes, partially or no."),
        ({"period": "5y"}, "period", "There is no monitoring period &#39;5y&#39; in this plan."),
        ({"resources_sufficient": "perhaps"}, "resources_sufficient", "&#39;perhaps&#39; is not one of the answers."),
    ],
)
def test_reflection_rejected_at_field(client, auth, staff, data, field, message):
    auth.sign_in(staff["talent"])

    response = client.post(reflection_url(MODULES), data={**REFLECTION, **data})

    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error-1"' in body
    assert message in body
    assert REFLECTION["factors"] in body
    assert Reflection.select().where(Reflection.indicator == indicator(MODULES)).count() == 0


def test_new_benchmark_rejected_at_field(client, auth, staff):
    auth.sign_in(staff["talent"])
    number = period("2y").id

    too_high = client.post(reflection_url(MODULES), data={**REFLECTION, **new_benchmark("2y", "120", "Stretch")})
    without_value = client.post(reflection_url(MODULES), data={**REFLECTION, **new_benchmark("2y", "", "Lower")})

    high_body = too_high.get_data(as_text=True)
    assert too_high.status_code == 422
    assert f'id="benchmark_{number}-target-error-1"' in high_body
    assert "120 is more than 100." in high_body
    assert 'value="Stretch"' in high_body
    assert without_value.status_code == 422
    assert "Enter the new benchmark value too, or clear this description." in without_value.get_data(as_text=True)
    assert Benchmark.select().where(Benchmark.reflection.is_null(False) & (Benchmark.indicator == indicator(MODULES))).count() == 0


def test_reflection_needs_check_in_asking_for_adjustments(client, auth, staff):
    auth.sign_in(staff["talent"])

    without_adjustments = client.post(reflection_url(MODULES), data={**REFLECTION, "period": "6m"})
    without_check_in = client.post(reflection_url(MODULES), data={**REFLECTION, "period": "2y"})
    page = client.get(f"{reflection_url(MODULES)}?period=6m").get_data(as_text=True)

    assert without_adjustments.status_code == 422
    assert "The Six-month benchmark check-in states no adjustments are needed." in without_adjustments.get_data(as_text=True)
    assert without_check_in.status_code == 422
    assert "There is no check-in for the Two-year benchmark period yet." in without_check_in.get_data(as_text=True)
    assert "Save reflection" not in page
    assert Reflection.select().where(Reflection.indicator == indicator(MODULES)).count() == 0


def test_reflection_page_shows_planned_course_corrections(client, auth, staff):
    auth.sign_in(staff["talent"])

    page = client.get(f"{reflection_url(MODULES)}?period=1y").get_data(as_text=True)

    assert "Course corrections planned in Step 2" in page
    assert "Add a second partner program; move modules from Saturdays to paid after-school time" in page
    for question in (
        "Were the planned action steps in the strategy actually implemented?",
        "What evidence supports the determination",
        "What factors either supported or hindered implementation",
        "Were resources (funds, personnel, time, knowledge, willingness, other resources) sufficient",
        "Was it possible (realistic) to obtain and evaluate outcomes",
        "Would they help get you back on track?",
        "What will you do to course-correct?",
    ):
        assert question in page
    assert "New benchmarks for later periods" in page
    assert "In force now: 85%" in page


@pytest.mark.parametrize("role, status", [("induction", 403), ("leader", 403), ("admin", 303), ("talent", 303)])
def test_reflection_edit_access(client, auth, staff, role, status):
    auth.sign_in(staff[role])

    response = client.post(reflection_url(MODULES), data=REFLECTION)

    assert response.status_code == status
    assert Reflection.select().where(Reflection.indicator == indicator(MODULES)).count() == (status == 303)


def test_reflection_with_htmx_returns_fragment(client, auth, staff):
    auth.sign_in(staff["talent"])

    response = client.post(reflection_url(MODULES), data=REFLECTION, headers={"HX-Request": "true"})
    failed = client.post(reflection_url(MODULES), data={**REFLECTION, "course_correction": ""}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert response.get_data(as_text=True).lstrip().startswith('<div id="reflection">')
    assert "Reflection for One-year benchmark saved." in response.get_data(as_text=True)
    assert failed.status_code == 422
    assert "The reflection was not saved" not in failed.get_data(as_text=True)  # no summary inside a fragment
    assert "Write what you will do to get back on track." in failed.get_data(as_text=True)


# The calendar -------------------------------------------------------------------------------


def test_calendar_tasks_for_sample_plan(app, plan):
    today = datetime.date(2026, 12, 4)
    talent = indicator(MODULES).responsible

    periods, groups = monitoring_calendar.tasks_for(plan, today, [talent.id])

    [group] = groups
    assert [p.key for p in periods] == ["3m", "6m", "1y", "2y"]
    summary = [(task.kind, task.indicator.key, task.period.key, task.state) for task in group.tasks]
    # The sample's 1y check-in states adjustments are needed, and counts as recorded on import, today.
    assert summary == [("reflection", MODULES, "1y", "due"), ("check-in", MODULES, "2y", "next")]
    # The import is recorded now, so the reflection is due 30 days after the district's today.
    assert group.tasks[0].due_on == plan_today(plan) + datetime.timedelta(days=30)


def test_calendar_reflection_overdue(app, plan):
    check_in = check_in_of(MODULES, "1y")
    check_in.recorded_at = datetime.datetime(2026, 8, 3, 15, 0)
    check_in.save()

    _periods, groups = monitoring_calendar.tasks_for(plan, datetime.date(2026, 9, 3), [indicator(MODULES).responsible_id])

    [reflection] = [task for task in groups[0].tasks if task.kind == "reflection"]
    assert reflection.due_on == datetime.date(2026, 9, 2)
    assert reflection.state == "overdue"


def test_calendar_due_and_overdue_check_ins(app, plan):
    today = datetime.date(2026, 8, 10)
    two_years = period("2y")
    two_years.state = "open"
    two_years.save()
    one_year = period("1y")
    CheckIn.delete().where((CheckIn.indicator == indicator(MODULES)) & (CheckIn.period == one_year)).execute()

    _periods, groups = monitoring_calendar.tasks_for(plan, today, [indicator(MODULES).responsible_id])

    tasks = {(task.kind, task.period.key): task for task in groups[0].tasks}
    assert tasks[("check-in", "1y")].state == "due"  # window ended July 31, due 14 days later
    assert tasks[("check-in", "1y")].due_on == datetime.date(2026, 8, 14)
    assert tasks[("check-in", "2y")].state == "due"  # opened early by a leader
    assert monitoring_calendar.tasks_for(plan, datetime.date(2026, 8, 15), [indicator(MODULES).responsible_id])[1][0].tasks[0].state == "overdue"


def test_calendar_closed_period_asks_nothing(app, plan):
    one_year = period("1y")
    one_year.state = "closed"
    one_year.save()

    _periods, groups = monitoring_calendar.tasks_for(plan, datetime.date(2026, 12, 4), [indicator(MODULES).responsible_id])

    assert [(task.kind, task.period.key) for task in groups[0].tasks] == [("check-in", "2y")]


def test_calendar_page_for_point_person(client, auth, staff):
    auth.sign_in(staff["talent"])

    page = client.get("/monitoring/calendar").get_data(as_text=True)

    assert "Due from you" in page
    assert "Due now: 1" in page
    assert "Next: 1" in page
    assert f'href="{reflection_url(MODULES)}?period=1y"' in page
    assert "Novices who agree they felt prepared" not in page  # another point person's indicator
    assert "Mark upcoming" not in page
    assert "Close<span" not in page


def test_calendar_page_for_leader_shows_everyone(client, auth, staff):
    auth.sign_in(staff["leader"])

    page = client.get("/monitoring/calendar").get_data(as_text=True)

    for name in ("Dana Whitfield", "Ji-woo Park", "Marisol Ortega-Reyes", "Aisha Bello"):
        assert name in page
    assert "Due from you" not in page
    assert "Close<span" in page


def test_calendar_query_count_is_fixed(app, plan):
    talent_id = indicator(MODULES).responsible_id

    with count_queries() as everyone:
        monitoring_calendar.tasks_for(plan, datetime.date(2026, 12, 4))
    with count_queries() as one:
        monitoring_calendar.tasks_for(plan, datetime.date(2026, 12, 4), [talent_id])

    assert everyone.count == one.count


def test_leader_closes_and_reopens_period(client, auth, staff):
    auth.sign_in(staff["leader"])
    one_year = period("1y")

    closed = client.post(f"/monitoring/periods/{one_year.id}/state", data={"state": "closed", "confirm": "yes"})
    reopened_state = period("1y")
    assert closed.status_code == 303
    assert reopened_state.state == "closed"
    assert reopened_state.closed_at is not None
    opened = client.post(f"/monitoring/periods/{one_year.id}/state", data={"state": "open"})
    bad = client.post(f"/monitoring/periods/{one_year.id}/state", data={"state": "finished"})

    assert opened.status_code == 303
    assert period("1y").state == "open"
    assert period("1y").closed_at is None
    assert bad.status_code == 409
    assert "&#39;finished&#39; is not a period state" in bad.get_data(as_text=True)
    changes = [event.changes["state"] for event in history_of(one_year)]
    assert changes == [["closed", "open"], ["upcoming", "closed"]]


def test_point_person_cannot_change_period_state(client, auth, staff):
    auth.sign_in(staff["talent"])

    response = client.post(f"/monitoring/periods/{period('1y').id}/state", data={"state": "closed"})

    assert response.status_code == 403
    assert period("1y").state == "upcoming"


def route_table_values(app, folder, roles):
    """Prepare the monitoring rows of tests/test_routes.py; return (values, {role: evidence file id}).

    The novice-mentoring point person's indicator gets a one-year check-in that states
    adjustments are needed, so a reflection may be posted, and each role gets its own evidence file,
    so that one role deleting its file leaves the others' in place.
    """
    from portal.monitoring import operations, uploads

    app.config["EVIDENCE_FOLDER"] = str(folder)
    mentors = indicator("mentor-assigned")
    one_year = period("1y")
    check_in = check_in_of("mentor-assigned", "1y")
    check_in.adjustments_needed = True
    check_in.save()
    evidence = {}
    for role in roles:
        operations.save_check_in("test", mentors, one_year, {}, [(f"{role}.pdf", uploads.PDF, b"%PDF-1.4\n%%EOF\n")])
        evidence[role] = check_in.files.order_by(EvidenceFile.id.desc()).first().id
    values = {"mentor_indicator": mentors.id, "monitoring_period": one_year.id}
    return values, evidence


def test_reflection_with_only_required_answers(client, auth, staff):
    auth.sign_in(staff["talent"])

    response = client.post(
        reflection_url(MODULES), data={"period": "1y", "implemented": "no", "course_correction": "Start again in fall."}
    )

    assert response.status_code == 303
    saved = Reflection.get(Reflection.indicator == indicator(MODULES))
    assert saved.resources_sufficient is None
    assert saved.realistic_to_measure is None
    assert saved.what_went_wrong == ""


def test_check_in_page_shows_status(client, auth, staff):
    auth.sign_in(staff["talent"])

    page = client.get(f"{check_in_url(MODULES)}?period=1y").get_data(as_text=True)

    assert "Benchmark: 75%, All six modules delivered." in page
    assert "Actual: 58%." in page
    assert '<span class="portal-status portal-status--off_track">Off track</span>' in page


def test_period_choice_with_htmx_loads_its_check_in(client, auth, staff):
    auth.sign_in(staff["talent"])

    response = client.get(f"{check_in_url(MODULES)}?period=6m", headers={"HX-Request": "true"})

    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert body.lstrip().startswith('<div id="check-in">')
    assert "Sign-in sheets for modules 3 and 4." in body
    assert '<option selected value="6m">' in body
