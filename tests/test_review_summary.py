"""Input summaries of the sample feedback, counted by hand from feedback-sample.csv."""

import json

import pytest

from portal.feedback.models import Comment, PulseAnswer, Theme, Thread, ThreadTheme
from portal.plan.models import Benchmark, LeadingIndicator, MonitoringPeriod, Person, Strategy
from portal.review.importing import import_feedback
from portal.review.models import SummaryExcerpt
from portal.feedback.operations import start_thread
from portal.review.summary import build_summary, count_input, group_cells, nearest_rank, school_cells, summary_for, whole_figures
from portal.stakeholders.models import Stakeholder, StakeholderGroup
from portal.stakeholders.roster import import_roster
from tests.conftest import SHARED_DATA, make_staff

FEEDBACK = SHARED_DATA / "feedback-sample.csv"
ROSTER = SHARED_DATA / "stakeholder-roster.csv"
REPLY_PEOPLE = (
    "talent-manager",
    "induction-director",
    "chief-talent",
    "hr-director",
    "research-manager",
    "chief-of-schools",
    "cert-specialist",
)


def link_reply_people(plan):
    """Give every person who replies in the sample file a staff account."""
    for key in REPLY_PEOPLE:
        person = Person.get((Person.plan == plan) & (Person.key == key))
        make_staff(f"{key}@district.example.org", "point-person", person)


@pytest.fixture
def sample_input(plan):
    """The sample plan with the roster and the sample feedback imported, every reply included."""
    import_roster(str(ROSTER), actor="test")
    link_reply_people(plan)
    result = import_feedback(plan, str(FEEDBACK), "test")
    assert result.rejected == []
    return plan


def strategy(key):
    return Strategy.get(Strategy.key == key)


def add_participants(strategy_key, period_key, group_key, count, school="Lakeland High"):
    """Add count new stakeholders of a group, each with one comment on the strategy in the period."""
    group = StakeholderGroup.get(StakeholderGroup.key == group_key)
    threads = []
    for index in range(count):
        number = Stakeholder.select().count()
        person = Stakeholder.create(email=f"person{number}@mail.example.com", name=f"Person {number}", group=group, school=school)
        thread = start_thread(person, strategy(strategy_key), None, f"Comment {index} from a {group_key}", "en")
        thread.period = period(period_key)
        thread.save()
        threads.append(thread)
    return threads


def period(key):
    return MonitoringPeriod.get(MonitoringPeriod.key == key)


# Counted from the file: (strategy, period) -> (threads, participants, answered threads,
# hours to the first reply of each answered thread, groups by participants, schools by
# participants, comments by language). A strategy comment's period is the window containing
# its local date; a benchmark comment's period is the benchmark's.
EXPECTED = {
    ("prep-partnerships", "3m"): (1, 1, [89.2], {"teacher": 1}, {"Eastport Elementary": 1}, {"en": 1}),
    ("novice-mentoring", "3m"): (2, 2, [88.3, 31.6], {"teacher-leader": 1, "parent": 1}, {"Eastport Elementary": 1, "Fells Middle": 1}, {"en": 1, "es": 1}),
    ("residency-pipeline", "3m"): (3, 3, [189.8, 23.5, 43.9], {"principal": 1, "board-member": 1, "business-leader": 1}, {"Lakeland High": 1, "": 2}, {"en": 3}),
    ("early-hiring", "3m"): (2, 2, [255.4], {"parent": 1, "student": 1}, {"Fells Middle": 1, "Lakeland High": 1}, {"en": 1, "vi": 1}),
    ("leadership-conditions", "3m"): (0, 0, [], {}, {}, {}),
    ("leadership-conditions", "6m"): (3, 3, [182.7, 65.6, 710.8], {"teacher": 1, "parent": 1, "community-member": 1}, {"Fells Middle": 1, "Curtis Bay Elementary, Annex": 1, "": 1}, {"en": 2, "ar": 1}),
    ("novice-mentoring", "6m"): (2, 2, [174.6], {"teacher": 1, "parent": 1}, {"Lakeland High": 2}, {"en": 1, "es": 1}),
    ("prep-partnerships", "6m"): (1, 1, [187.2], {"teacher": 1}, {"Lakeland High": 1}, {"en": 1}),
    ("early-hiring", "6m"): (1, 1, [50.5], {"principal": 1}, {"Eastport Elementary": 1}, {"en": 1}),
    ("residency-pipeline", "6m"): (0, 0, [], {}, {}, {}),
    ("residency-pipeline", "1y"): (3, 3, [156.0, 401.5, 314.2], {"paraprofessional": 1, "parent": 1, "community-member": 1}, {"Eastport Elementary": 2, "": 1}, {"en": 2, "es": 1}),
    ("leadership-conditions", "1y"): (2, 2, [22.3], {"teacher-leader": 1, "principal-supervisor": 1}, {"Lakeland High": 1, "Central Office": 1}, {"en": 2}),
    ("novice-mentoring", "1y"): (2, 2, [], {"parent": 1, "student": 1}, {"Fells Middle": 1, "Curtis Bay Elementary, Annex": 1}, {"en": 2}),
    ("early-hiring", "1y"): (3, 3, [375.6, 148.8, 116.8], {"teacher": 1, "parent": 1, "board-member": 1}, {"Fells Middle": 1, "Curtis Bay Elementary, Annex": 1, "": 1}, {"en": 2, "ht": 1}),
    ("prep-partnerships", "1y"): (1, 1, [332.7], {"teacher": 1}, {"Eastport Elementary": 1}, {"en": 1}),
    ("prep-partnerships", "2y"): (2, 2, [137.0], {"teacher-leader": 1, "parent": 1}, {"Eastport Elementary": 1, "Fells Middle": 1}, {"en": 1, "es": 1}),
    ("leadership-conditions", "2y"): (2, 2, [], {"teacher": 1, "student": 1}, {"Lakeland High": 2}, {"en": 1, "es": 1}),
    ("novice-mentoring", "2y"): (1, 1, [], {"parent": 1}, {"Lakeland High": 1}, {"en": 1}),
    ("residency-pipeline", "2y"): (1, 1, [], {"principal": 1}, {"Lakeland High": 1}, {"en": 1}),
    ("early-hiring", "2y"): (0, 0, [], {}, {}, {}),
}


def test_expected_table_covers_the_file():
    assert sum(threads for threads, *_rest in EXPECTED.values()) == 32
    assert sum(len(hours) for _t, _p, hours, *_rest in EXPECTED.values()) == 22
    assert len(EXPECTED) == 20


@pytest.mark.parametrize("key", sorted(EXPECTED), ids=[f"{s}-{p}" for s, p in sorted(EXPECTED)])
def test_summary_matches_hand_count(app, sample_input, key):
    threads, participants, hours, groups, schools, languages = EXPECTED[key]
    summary = build_summary(strategy(key[0]), period(key[1]))

    # With the default minimum of 5, every group and school in the sample is small: no
    # count is shown, and the totals are hidden too, since no pool can be made safe.
    # Every other count is withheld with them; only the names of what took part remain.
    assert summary["min_group_size"] == 5
    assert {row["group"] for row in summary["by_group"]} == set(groups)
    assert all(row["participants"] is None and row["suppressed"] for row in summary["by_group"])
    assert {row["school"] for row in summary["by_school"]} == set(schools)
    assert all(row["participants"] is None for row in summary["by_school"])
    assert summary["participants"] == (None if participants else 0)
    assert summary["participants_suppressed"] is (participants > 0)
    assert summary["figures_withheld"] is (participants > 0)
    assert summary["comments"] == (None if participants else 0)
    if participants:
        assert summary["threads"] is None
        assert summary["languages"] == {}
        assert set(summary["replies"].values()) == {None, summary["replies"]["percentile_method"]}
        assert summary["loops_closed"]["count"] is None
    else:
        assert summary["threads"] == 0
        assert summary["languages"] == {}

    # The counts behind the protected figures, as a person counts them from the file.
    raw = count_input(strategy(key[0]), period(key[1]))
    assert len(raw["participants"]) == participants
    # Each sample comment is its thread's only stakeholder comment.
    assert len(raw["comments"]) == threads
    assert {cell.key: cell.participants for cell in group_cells(raw) if cell.participants} == groups
    assert {cell.key: cell.participants for cell in school_cells(raw) if cell.participants} == schools
    figures = whole_figures(strategy(key[0]), period(key[1]), raw)
    assert figures["threads"] == threads
    assert figures["languages"] == languages
    assert figures["replies"]["answered"] == len(hours)
    assert figures["replies"]["answered_share"] == (round(len(hours) / threads, 3) if threads else None)
    if hours:
        ordered = sorted(hours)
        middle = len(ordered) // 2
        median = ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2
        assert figures["replies"]["median_hours"] == pytest.approx(median, abs=0.06)
        assert figures["replies"]["p90_hours"] == pytest.approx(ordered[-1], abs=0.06)
    else:
        assert figures["replies"]["median_hours"] is None
    assert figures["loops_closed"]["count"] == 0


def test_summary_shows_whole_figures_once_total_is_safe(app, sample_input):
    # Ten parents and five teachers join the sample's one-year early-hiring input: a
    # teacher, a parent and a board member.
    add_participants("early-hiring", "1y", "parent", 10)
    add_participants("early-hiring", "1y", "teacher", 5)

    summary = build_summary(strategy("early-hiring"), period("1y"))

    assert summary["figures_withheld"] is False
    assert summary["participants"] == 18
    assert summary["threads"] == 18
    # The one Haitian Creole comment is pooled, and a pool of one writer is not shown.
    assert summary["languages"] == {"en": 17}
    assert summary["other_languages"] == {"comments": None, "suppressed": True}
    assert summary["replies"]["answered"] == 3
    assert summary["replies"]["answered_share"] == round(3 / 18, 3)
    rows = {row["group"]: row for row in summary["by_group"]}
    assert rows["parent"]["participants"] == 11
    # The lone board member is small; the six teachers join the pool so that it is not 1.
    assert (rows["board-member"]["reason"], rows["teacher"]["reason"]) == ("small", "complementary")
    assert summary["other_groups"]["participants"] == 7


def numbers(value, path=()):
    """Yield (path, number) for every number in a summary, booleans aside."""
    if isinstance(value, bool) or value is None:
        return
    if isinstance(value, (int, float)):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from numbers(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from numbers(item, path + (index,))


# Numbers in a summary that count nobody: settings and row ids.
NOT_COUNTS = {"min_group_size", "benchmark", "id", "comment"}


def test_small_total_withholds_every_count_that_bounds_it(app, sample_input):
    early_hiring, one_year = strategy("early-hiring"), period("1y")
    benchmark = Benchmark.select().join(LeadingIndicator).where((LeadingIndicator.strategy == early_hiring) & (Benchmark.period == one_year)).first()
    person = Stakeholder.get(Stakeholder.email == "rosa.alvarez@mail.example.com")
    PulseAnswer.create(benchmark=benchmark, period=one_year, stakeholder=person, group=person.group_id, school=person.school, answer="no")
    theme = Theme.create(plan=sample_input, label="Hiring dates")
    for thread in Thread.select().where((Thread.strategy == early_hiring) & (Thread.period == one_year)):
        ThreadTheme.create(thread=thread, theme=theme)
    Thread.update(state="closed", outcome="changed").where(Thread.strategy == early_hiring).execute()

    summary = build_summary(early_hiring, one_year)

    # Four people took part: each count below would tell a reader how many at most or at least.
    raw_figures = whole_figures(early_hiring, one_year, count_input(early_hiring, one_year))
    assert raw_figures["loops_closed"]["count"] == 3
    assert [path for path, _number in numbers(raw_figures) if path[-1] not in NOT_COUNTS]
    assert [path for path, _number in numbers(summary) if path[-1] not in NOT_COUNTS] == []
    assert summary["themes"] == [{"theme": "Hiring dates", "threads": None}]
    assert {row["group"] for row in summary["by_group"]} == {"teacher", "parent", "board-member"}


def teachers_at(lakeland, fells):
    teacher = StakeholderGroup.get(StakeholderGroup.key == "teacher")
    for index in range(lakeland + fells):
        school = "Lakeland High" if index < lakeland else "Fells Middle"
        person = Stakeholder.create(email=f"teacher{index}@mail.example.com", name=f"Teacher {index}", group=teacher, school=school)
        thread = start_thread(person, strategy("novice-mentoring"), None, f"Comment {index}", "en")
        thread.period = period("2y")
        thread.save()
    return build_summary(strategy("novice-mentoring"), period("2y"))


def test_hidden_school_total_hides_groups(app, plan):
    # Six teachers, five at one school and one at another. The schools cannot show the
    # total: with 6 known and "5 or more" at Lakeland High, Fells Middle would be 1. The
    # teachers' row alone would give that total away, so it is hidden too.
    summary = teachers_at(5, 1)

    assert {row["school"]: row["reason"] for row in summary["by_school"]} == {"Lakeland High": "complementary", "Fells Middle": "small"}
    assert [(row["group"], row["participants"], row["reason"]) for row in summary["by_group"]] == [("teacher", None, "complementary")]
    assert summary["participants"] is None
    assert summary["figures_withheld"] is True
    assert [path for path, _number in numbers(summary) if path[-1] not in NOT_COUNTS] == []


def test_safe_school_pool_keeps_total(app, plan):
    # Seven teachers, five and two: the two at Fells Middle could be 1 or 2 as far as a
    # reader can tell, so the total and the teachers' row are shown.
    summary = teachers_at(5, 2)

    assert summary["other_schools"]["participants"] == 7
    assert [(row["group"], row["participants"]) for row in summary["by_group"]] == [("teacher", 7)]
    assert summary["participants"] == 7
    assert summary["threads"] == 7
    assert summary["figures_withheld"] is False


def test_summary_hides_three_singles_with_minimum_three(app, sample_input):
    app.config["MIN_GROUP_SIZE"] = 3
    summary = build_summary(strategy("early-hiring"), period("1y"))

    # Three groups of one participant each: a pool of 3 would reveal one person in each.
    assert [row["reason"] for row in summary["by_group"]] == ["small", "small", "small"]
    assert summary["other_groups"]["suppressed"] is True
    assert summary["other_groups"]["participants"] is None
    assert summary["participants"] is None
    assert summary["comments"] is None


def test_summary_hides_two_people_with_minimum_three(app, sample_input):
    app.config["MIN_GROUP_SIZE"] = 3
    summary = build_summary(strategy("novice-mentoring"), period("1y"))

    # A parent and a student: a pool of 2 would reveal one person in each group.
    assert summary["other_groups"]["suppressed"] is True
    assert summary["other_groups"]["participants"] is None
    assert summary["participants"] is None
    assert summary["comments"] is None


def test_summary_in_one_school(app, sample_input):
    summary = build_summary(strategy("residency-pipeline"), period("1y"), school="Eastport Elementary")

    assert [row["school"] for row in summary["by_school"]] == ["Eastport Elementary"]
    assert summary["languages"] == {}
    raw = count_input(strategy("residency-pipeline"), period("1y"), school="Eastport Elementary")
    assert len(raw["threads"]) == 2
    assert len(raw["participants"]) == 2

    add_participants("residency-pipeline", "1y", "parent", 5, school="Eastport Elementary")
    add_participants("residency-pipeline", "1y", "parent", 5, school="Fells Middle")
    add_participants("residency-pipeline", "1y", "community-member", 5, school="")
    summary = build_summary(strategy("residency-pipeline"), period("1y"), school="Eastport Elementary")
    assert summary["threads"] == 7
    assert summary["languages"] == {"en": 6}
    assert summary["other_languages"]["suppressed"] is True
    # The paraprofessional is hidden in the whole summary, so here too; the six parents
    # join the pool so that the one paraprofessional is not revealed.
    rows = {row["group"]: row for row in summary["by_group"]}
    assert (rows["paraprofessional"]["reason"], rows["parent"]["reason"]) == ("small", "complementary")
    assert summary["participants"] == 7


def test_school_hidden_in_whole_summary_withholds_its_own(app, sample_input):
    # Eastport 7, Fells 5 and one person without a school: the whole summary hides all
    # three, and Eastport's own total would give away the one person left.
    add_participants("residency-pipeline", "1y", "parent", 5, school="Eastport Elementary")
    add_participants("residency-pipeline", "1y", "parent", 5, school="Fells Middle")
    whole = build_summary(strategy("residency-pipeline"), period("1y"))
    assert {row["school"]: row["reason"] for row in whole["by_school"]} == {
        "Eastport Elementary": "complementary",
        "Fells Middle": "complementary",
        "": "small",
    }

    summary = build_summary(strategy("residency-pipeline"), period("1y"), school="Eastport Elementary")

    assert summary["figures_withheld"] is True
    assert summary["participants"] is None
    assert [path for path, _number in numbers(summary) if path[-1] not in NOT_COUNTS] == []


def test_group_left_small_at_other_schools_hidden(app, plan):
    # Eight teachers at Lakeland High and two at Fells Middle: ten in all, shown. Lakeland's
    # own summary may not show its eight, since 10 - 8 would reveal Fells Middle's two.
    teachers_at(8, 2)
    add_participants("novice-mentoring", "2y", "parent", 6, school="Lakeland High")
    add_participants("novice-mentoring", "2y", "parent", 6, school="Eastport Elementary")

    whole = build_summary(strategy("novice-mentoring"), period("2y"))
    lakeland = build_summary(strategy("novice-mentoring"), period("2y"), school="Lakeland High")

    assert {row["group"]: row["participants"] for row in whole["by_group"]} == {"teacher": 10, "parent": 12}
    assert {row["school"]: row["participants"] for row in whole["by_school"]}["Lakeland High"] == 14
    rows = {row["group"]: row for row in lakeland["by_group"]}
    assert rows["teacher"]["participants"] is None
    # The six parents join the pool, so that the teachers' eight is not the total minus six.
    assert rows["parent"]["reason"] == "complementary"
    assert lakeland["participants"] == 14


def test_pulse_themes_and_loops_counted(app, sample_input, staff):
    novice = strategy("novice-mentoring")
    three_months = period("3m")
    benchmark = (
        Benchmark.select()
        .join(LeadingIndicator)
        .where((LeadingIndicator.key == "mentor-assigned") & (Benchmark.period == three_months) & Benchmark.superseded_by.is_null())
        .get()
    )
    for email, answer in (("rosa.alvarez@mail.example.com", "yes"), ("lan.nguyen@mail.example.com", "no"), ("tbrooks@harborcity.example.org", "yes")):
        person = Stakeholder.get(Stakeholder.email == email)
        PulseAnswer.create(benchmark=benchmark, period=three_months, stakeholder=person, group=person.group_id, school=person.school, answer=answer)
    theme = Theme.create(plan=sample_input, label="Mentor time")
    threads = list(Thread.select().where((Thread.strategy == novice) & (Thread.period == three_months)))
    for thread in threads:
        ThreadTheme.create(thread=thread, theme=theme)
    threads[0].state = "closed"
    threads[0].outcome = "changed"
    threads[0].save()

    summary = build_summary(novice, three_months)
    figures = whole_figures(novice, three_months, count_input(novice, three_months))

    # Four people are too few for the published summary; the counts behind it are exact.
    assert summary["figures_withheld"] is True
    pulse = next(row for row in figures["pulse"] if row["benchmark"] == benchmark.id)
    assert pulse["answers"] == {"yes": 2, "somewhat": 0, "no": 1, "not_sure": 0}
    assert pulse["total"] == 3
    # Rosa commented and gave a pulse answer, so she counts once. Lan and Terrence only gave pulse answers.
    assert len(count_input(novice, three_months)["participants"]) == 4
    assert {row["group"] for row in summary["by_group"]} == {"teacher", "teacher-leader", "parent"}
    assert figures["themes"] == [{"theme": "Mentor time", "threads": 2}]
    assert figures["loops_closed"] == {"count": 1, "outcomes": {"changed": 1, "already_in_place": 0, "not_planned": 0}}


def test_excerpt_names_group_only_from_ten(app, sample_input, staff):
    novice = strategy("novice-mentoring")
    comment = Comment.select().join(Thread).where((Thread.strategy == novice) & (Thread.period == period("3m")) & Comment.stakeholder.is_null(False)).first()
    SummaryExcerpt.create(strategy=novice, period=period("3m"), comment=comment, chosen_by=staff["induction"])

    summary = build_summary(novice, period("3m"))

    assert [excerpt["body"] for excerpt in summary["excerpts"]] == [comment.body]
    assert summary["excerpts"][0]["group"] is None
    assert summary["excerpts"][0]["chosen_by"] == staff["induction"].display_name


def test_nearest_rank_percentile():
    assert nearest_rank([], 90) is None
    assert nearest_rank([5], 90) == 5
    assert nearest_rank(list(range(1, 11)), 90) == 9
    assert nearest_rank(list(range(1, 12)), 90) == 10
    assert nearest_rank([3, 1, 2], 50) == 2


def test_summary_command_prints_json(app, sample_input, runner):
    result = runner.invoke(args=["portal", "summary", "--strategy", "early-hiring", "--period", "1y", "--format", "json"])

    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["threads"] is None
    assert data["figures_withheld"] is True
    assert data["comments"] is None
    assert data["participants"] is None
    assert [row["group"] for row in data["by_group"]] == ["teacher", "parent", "board-member"]
    assert all(row["participants"] is None and row["suppressed"] is True for row in data["by_group"])


@pytest.mark.parametrize(
    "args, message",
    [
        (["--strategy", "nope", "--period", "1y"], "'nope' is not a strategy of the plan; use one of"),
        (["--strategy", "early-hiring", "--period", "9y"], "'9y' is not a monitoring period of the plan; use one of 3m, 6m, 1y, 2y"),
        (["--strategy", "early-hiring", "--period", "1y", "--format", "xml"], "'xml' is not 'json'"),
    ],
)
def test_summary_command_rejects_unknown_keys(app, plan, runner, args, message):
    result = runner.invoke(args=["portal", "summary", *args])

    assert result.exit_code == 2
    assert message in result.output


def test_summary_for_returns_live_before_close(app, sample_input):
    add_participants("early-hiring", "1y", "parent", 10)
    add_participants("early-hiring", "1y", "teacher", 5)

    summary = summary_for(strategy("early-hiring"), period("1y"))

    assert summary["frozen"] is None
    assert summary["threads"] == 18
    add_participants("early-hiring", "1y", "parent", 1)
    assert summary_for(strategy("early-hiring"), period("1y"))["threads"] == 19


def test_invited_against_participated(app, sample_input, staff):
    from portal.stakeholders import campaigns
    from tests.test_campaigns import make_campaign

    campaign = make_campaign(sample_input, staff)
    campaigns.send_campaign(campaign, staff["admin"])
    scoped = make_campaign(sample_input, staff, name="Preparation only", strategies=[strategy("prep-partnerships")])
    campaigns.send_campaign(scoped, staff["admin"])

    summary = build_summary(strategy("leadership-conditions"), period("2y"))

    invited = summary["invited"]
    assert invited["invited"] == 26
    # Marco (a student) and Gianna (a teacher) took part: two people, so the total is hidden.
    assert invited["participated"] is None
    rows = {row["group"]: row for row in invited["by_group"]}
    assert {key: row["invited"] for key, row in rows.items()} == {
        "teacher": 5,
        "teacher-leader": 2,
        "paraprofessional": 1,
        "principal": 2,
        "principal-supervisor": 1,
        "parent": 8,
        "student": 3,
        "board-member": 1,
        "business-leader": 1,
        "community-member": 2,
    }
    assert rows["teacher"]["participated"] is None
    assert rows["teacher"]["reason"] == "small"
    # No parent took part; that reads "fewer than 5" too, so that a group of one invited
    # person does not tell whether that person took part.
    assert (rows["parent"]["participated"], rows["parent"]["reason"]) == (None, "small")
    assert (rows["board-member"]["participated"], rows["board-member"]["reason"]) == (None, "small")
    assert build_summary(strategy("early-hiring"), period("1y"))["invited"] is None


def test_invited_in_one_school(app, sample_input, staff):
    from portal.stakeholders import campaigns
    from tests.test_campaigns import make_campaign

    campaigns.send_campaign(make_campaign(sample_input, staff), staff["admin"])

    lakeland = build_summary(strategy("leadership-conditions"), period("2y"), school="Lakeland High")["invited"]

    # The roster's eight people at Lakeland High; a grandparent counts as a parent.
    assert lakeland["invited"] == 8
    assert {row["group"]: row["invited"] for row in lakeland["by_group"]} == {
        "teacher": 2,
        "teacher-leader": 1,
        "principal": 1,
        "parent": 2,
        "student": 2,
    }
    # Marco and Gianna took part there: too few to show.
    assert lakeland["participated"] is None
    eastport = build_summary(strategy("leadership-conditions"), period("2y"), school="Eastport Elementary")["invited"]
    # Seven rows name Eastport Elementary, but one repeats a teacher and one has an invalid email.
    assert eastport["invited"] == 5


def test_invited_only_by_campaigns_covering_strategy(app, sample_input, staff):
    from portal.stakeholders import campaigns
    from tests.test_campaigns import make_campaign

    scoped = make_campaign(sample_input, staff, name="Preparation only", strategies=[strategy("prep-partnerships")], group_keys=["teacher"])
    campaigns.send_campaign(scoped, staff["admin"])

    assert build_summary(strategy("leadership-conditions"), period("2y"))["invited"] is None
    assert build_summary(strategy("prep-partnerships"), period("2y"))["invited"]["invited"] == 5


def test_languages_named_from_five_writers(app, plan):
    teacher = StakeholderGroup.get(StakeholderGroup.key == "teacher")
    for index, language in enumerate(["en"] * 6 + ["es"] * 3 + ["vi"] * 2):
        person = Stakeholder.create(email=f"writer{index}@mail.example.com", group=teacher, school="Lakeland High")
        thread = start_thread(person, strategy("novice-mentoring"), None, f"Comment {index}", language)
        thread.period = period("2y")
        thread.save()

    summary = build_summary(strategy("novice-mentoring"), period("2y"))

    # Three Spanish and two Vietnamese writers are too few to name, but five together may be counted.
    assert summary["languages"] == {"en": 6}
    assert summary["other_languages"] == {"comments": 5, "suppressed": False}
