"""Small-group protection: hidden counts stay hidden whatever is subtracted from what."""

import itertools
import random

import pytest

from portal import create_app
from portal.feedback.operations import start_thread
from portal.plan.models import MonitoringPeriod, Strategy
from portal.review.summary import build_summary
from portal.review.suppression import Cell, protect, small_row_is_ambiguous
from portal.stakeholders.models import Stakeholder, StakeholderGroup


def table(**counts):
    return [Cell(key, key.title(), participants, participants * 2) for key, participants in counts.items()]


def shown(result):
    return {row["key"]: row["participants"] for row in result["rows"]}


def test_protect_shows_large_groups():
    result = protect(table(teacher=12, parent=7), 5)

    assert shown(result) == {"teacher": 12, "parent": 7}
    assert result["pool"] is None
    assert result["total"] == {"participants": 19, "comments": 38, "suppressed": False}


def test_protect_skips_empty_groups():
    result = protect(table(teacher=12, parent=0), 5)

    assert [row["key"] for row in result["rows"]] == ["teacher"]


def test_protect_pools_two_small_groups():
    result = protect(table(teacher=6, parent=4, student=1), 5)

    assert shown(result) == {"teacher": 6, "parent": None, "student": None}
    assert [row["reason"] for row in result["rows"]] == [None, "small", "small"]
    assert result["pool"]["participants"] == 5
    assert result["pool"]["comments"] == 10
    assert result["total"]["participants"] == 11


def test_protect_adds_complementary_row_for_single_small_group():
    result = protect(table(teacher=12, parent=7, student=2), 5)

    # Pooling the student alone would show 2; the smallest shown group joins the pool.
    assert shown(result) == {"teacher": 12, "parent": None, "student": None}
    assert [row["reason"] for row in result["rows"]] == [None, "complementary", "small"]
    assert result["pool"]["participants"] == 9
    assert result["total"]["participants"] == 21


def test_protect_pools_more_when_bounds_reveal():
    # Pool {student, parent} = 6 with the parent known to hold 5 or more would pin the
    # student to exactly 1, so the teachers join the pool too.
    result = protect(table(teacher=12, parent=5, student=1), 5)

    assert shown(result) == {"teacher": None, "parent": None, "student": None}
    assert result["pool"]["participants"] == 18
    assert result["total"]["participants"] == 18


def test_protect_hides_total_when_nothing_is_safe():
    result = protect(table(teacher=2), 5)

    assert shown(result) == {"teacher": None}
    assert result["pool"]["suppressed"] is True
    assert result["pool"]["participants"] is None
    assert result["total"] == {"participants": None, "comments": None, "suppressed": True}


def test_protect_hides_two_single_people():
    result = protect(table(teacher=1, parent=1), 3)

    assert result["total"]["participants"] is None


def test_ambiguity_bounds():
    assert small_row_is_ambiguous(small=2, complementary=0, pool_sum=5, min_size=5) is True
    assert small_row_is_ambiguous(small=3, complementary=0, pool_sum=3, min_size=3) is False
    assert small_row_is_ambiguous(small=1, complementary=1, pool_sum=6, min_size=5) is False
    assert small_row_is_ambiguous(small=1, complementary=1, pool_sum=7, min_size=5) is True


def consistent_values(result, cells, min_size, ceiling):
    """Return, for each hidden row, the set of values some table consistent with the output allows."""
    rows = {row["key"]: row for row in result["rows"]}
    hidden = [cell.key for cell in cells if cell.participants > 0 and rows[cell.key]["suppressed"]]
    known = sum(row["participants"] for row in rows.values() if not row["suppressed"])
    ranges = []
    for key in hidden:
        if rows[key]["reason"] == "small":
            ranges.append(range(1, min_size))
        else:
            ranges.append(range(min_size, ceiling))
    values = {key: set() for key in hidden}
    total = result["total"]["participants"]
    for combination in itertools.product(*ranges):
        if total is not None and known + sum(combination) != total:
            continue
        for key, value in zip(hidden, combination):
            values[key].add(value)
    return values


def test_protect_never_pins_a_small_group():
    generator = random.Random(20261204)
    for _case in range(300):
        min_size = generator.randint(3, 6)
        counts = [generator.choice([0, 1, 1, 2, 3, 4, 5, 6, 7, 9, 12]) for _row in range(generator.randint(1, 4))]
        cells = [Cell(f"g{index}", f"Group {index}", count) for index, count in enumerate(counts)]
        result = protect(cells, min_size)

        for row, cell in zip((r for r in result["rows"]), (c for c in cells if c.participants > 0)):
            assert (row["participants"] is None) == row["suppressed"]
            if cell.participants < min_size:
                assert row["suppressed"], (counts, min_size)
        values = consistent_values(result, cells, min_size, ceiling=max(counts) + 2 * min_size + 2)
        for row in result["rows"]:
            if row["reason"] == "small":
                assert len(values[row["key"]]) >= 2, (counts, min_size, row["key"], values)


def test_summary_shows_large_group_and_pool(app, plan):
    strategy = Strategy.get(Strategy.key == "novice-mentoring")
    two_years = MonitoringPeriod.get(MonitoringPeriod.key == "2y")
    groups = {group.key: group for group in StakeholderGroup.select()}
    for index in range(6):
        add_comment(strategy, groups["teacher"], f"teacher{index}", "Lakeland High")
    for index in range(4):
        add_comment(strategy, groups["parent"], f"parent{index}", "Lakeland High")
    add_comment(strategy, groups["student"], "student0", "Fells Middle")
    for thread in strategy.threads:
        thread.period = two_years
        thread.save()

    summary = build_summary(strategy, two_years)

    rows = {row["group"]: row for row in summary["by_group"]}
    assert rows["teacher"]["participants"] == 6
    assert rows["teacher"]["comments"] == 6
    assert rows["parent"]["participants"] is None
    assert rows["student"]["participants"] is None
    assert summary["other_groups"]["participants"] == 5
    assert summary["participants"] == 11
    assert summary["comments"] == 11
    schools = {row["school"]: row for row in summary["by_school"]}
    # Fells Middle alone is small; Lakeland High joins it so that 1 is not revealed.
    assert schools["Fells Middle"]["reason"] == "small"
    assert schools["Lakeland High"]["reason"] == "complementary"
    assert summary["other_schools"]["participants"] == 11


def add_comment(strategy, group, name, school):
    person = Stakeholder.create(email=f"{name}@mail.example.com", name=name, group=group, school=school)
    return start_thread(person, strategy, None, f"A comment from {name}", "en")


@pytest.mark.parametrize("value", [2, 31, 0, "five", 4.5, True])
def test_min_group_size_rejected_at_startup(app_config, value):
    with pytest.raises(RuntimeError) as error:
        create_app({**app_config, "MIN_GROUP_SIZE": value})

    assert f"MIN_GROUP_SIZE is {value!r}" in str(error.value)
    assert "set a whole number of participants from 3 to 30" in str(error.value)


@pytest.mark.parametrize("value", [3, 30])
def test_min_group_size_limits_accepted(app_config, value):
    app = create_app({**app_config, "MIN_GROUP_SIZE": value})

    assert app.config["MIN_GROUP_SIZE"] == value


def test_min_group_size_from_environment(app_config, monkeypatch):
    monkeypatch.setenv("PORTAL_MIN_GROUP_SIZE", "8")
    assert create_app(app_config).config["MIN_GROUP_SIZE"] == 8

    monkeypatch.setenv("PORTAL_MIN_GROUP_SIZE", "eight")
    with pytest.raises(RuntimeError, match="MIN_GROUP_SIZE is 'eight'"):
        create_app(app_config)


def test_hide_total_hides_every_row():
    cells = [Cell("teacher", "Teachers", 6, 9), Cell("parent", "Parents", 1, 1), Cell("student", "Students", 0)]

    shown = protect(cells, 5)
    hidden = protect(cells, 5, hide_total=True)

    assert shown["total"]["participants"] == 7
    assert [(row["key"], row["reason"]) for row in hidden["rows"]] == [("teacher", "complementary"), ("parent", "small")]
    assert all(row["participants"] is None and row["comments"] is None for row in hidden["rows"])
    assert hidden["pool"]["participants"] is None
    assert hidden["pool"]["suppressed"] is True
    assert hidden["total"] == {"participants": None, "comments": None, "suppressed": True}


def test_hide_total_of_an_empty_table_keeps_zero():
    assert protect([Cell("teacher", "Teachers", 0)], 5, hide_total=True)["total"] == {"participants": 0, "comments": 0, "suppressed": False}
