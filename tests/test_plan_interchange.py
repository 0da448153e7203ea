"""Importing and exporting the monitoring plan file."""

import copy
import json

import pytest

from portal.plan.interchange import PlanFileError, export_plan, import_plan, read_plan_file
from portal.plan.models import Benchmark, CheckIn, LeadingIndicator, MonitoringPeriod, Person, Plan, Reflection, Strategy
from tests.conftest import SAMPLE_PLAN


def sample():
    return json.loads(SAMPLE_PLAN.read_text(encoding="utf-8"))


def table_counts():
    return {
        model.__name__: model.select().count()
        for model in (Plan, Person, MonitoringPeriod, Strategy, LeadingIndicator, Benchmark, CheckIn, Reflection)
    }


def test_sample_plan_imports_every_record(app):
    document = sample()
    import_plan(document, "test")

    indicators = [i for s in document["strategies"] for i in s["leading_indicators"]]
    revisions = sum(len(r["new_benchmarks"]) for i in indicators for r in i["reflections"])
    assert table_counts() == {
        "Plan": 1,
        "Person": len(document["people"]),
        "MonitoringPeriod": len(document["periods"]),
        "Strategy": len(document["strategies"]),
        "LeadingIndicator": len(indicators),
        "Benchmark": sum(len(i["benchmarks"]) for i in indicators) + revisions,
        "CheckIn": sum(len(i["check_ins"]) for i in indicators),
        "Reflection": sum(len(i["reflections"]) for i in indicators),
    }
    assert revisions > 0


def test_revised_benchmark_supersedes_original(app):
    import_plan(sample(), "test")
    indicator = LeadingIndicator.get(LeadingIndicator.key == "prep-survey-agree")
    two_year = MonitoringPeriod.get(MonitoringPeriod.key == "2y")
    versions = list(
        Benchmark.select().where((Benchmark.indicator == indicator) & (Benchmark.period == two_year)).order_by(Benchmark.id)
    )
    assert [b.target for b in versions] == [91.6, 90.0]
    assert versions[0].superseded_by_id == versions[1].id
    assert versions[1].in_force
    assert versions[1].reflection.period.key == "1y"


def test_round_trip_loses_nothing(app):
    document = sample()
    first = export_plan(import_plan(document, "test"))
    assert first == document

    Plan.delete().execute()
    second = export_plan(import_plan(first, "test"))
    assert second == document


def test_summary_round_trips(app):
    document = sample()
    document["strategies"][0]["summary"] = {"en": "Partners train new teachers.", "es": "Socios forman a maestros nuevos."}
    exported = export_plan(import_plan(document, "test"))
    assert exported["strategies"][0]["summary"] == document["strategies"][0]["summary"]
    assert "summary" not in exported["strategies"][1]
    strategy = Strategy.get(Strategy.key == document["strategies"][0]["key"])
    assert strategy.summary_in("es") == "Socios forman a maestros nuevos."
    assert strategy.summary_in("vi") == "Partners train new teachers."


def test_same_plan_twice_is_rejected(app):
    import_plan(sample(), "test")
    before = table_counts()
    with pytest.raises(PlanFileError) as raised:
        import_plan(sample(), "test")
    assert raised.value.problems[0][0] == "$.plan.title"
    assert "already in the database" in raised.value.problems[0][1]
    assert table_counts() == before


def edit(path_and_value):
    """Return the sample with one change applied: (list of keys, new value or DELETE)."""
    keys, value = path_and_value
    document = sample()
    target = document
    for key in keys[:-1]:
        target = target[key]
    if value is DELETE:
        del target[keys[-1]]
    else:
        target[keys[-1]] = value
    return document


def test_translations_round_trip(app):
    document = sample()
    document["plan"]["translations"] = {"es": {"title": "Plan de equidad"}}
    document["periods"][3]["translations"] = {"es": {"label": "Meta de dos años"}}
    strategy = document["strategies"][0]
    strategy["translations"] = {"es": {"name": "Colaborar con los programas", "measures_of_success": " "}, "vi": {"name": "Hợp tác"}}
    strategy["leading_indicators"][0]["translations"] = {"es": {"name": "Maestros nuevos preparados"}}
    strategy["leading_indicators"][0]["benchmarks"][0]["translations"] = {"es": {"description": "Encuesta de otoño"}}

    exported = export_plan(import_plan(document, "test"))

    assert exported["plan"]["translations"] == {"es": {"title": "Plan de equidad"}}
    assert exported["periods"][3]["translations"] == {"es": {"label": "Meta de dos años"}}
    assert "translations" not in exported["periods"][0]
    # A blank translation is left out, so the page falls back to the English text.
    assert exported["strategies"][0]["translations"] == {"es": {"name": "Colaborar con los programas"}, "vi": {"name": "Hợp tác"}}
    assert exported["strategies"][0]["leading_indicators"][0]["translations"] == {"es": {"name": "Maestros nuevos preparados"}}
    assert exported["strategies"][0]["leading_indicators"][0]["benchmarks"][0]["translations"] == {"es": {"description": "Encuesta de otoño"}}
    saved = Strategy.get(Strategy.key == strategy["key"])
    assert saved.text_in("name", "es") == "Colaborar con los programas"
    assert saved.text_in("name", "es_US") == "Colaborar con los programas"
    assert saved.text_in("measures_of_success", "es") == saved.measures_of_success
    assert saved.text_in("name", "en") == saved.name
    assert saved.text_in("name", "ko") == saved.name


DELETE = object()
S0I0 = ["strategies", 0, "leading_indicators", 0]

BAD_FILES = [
    (["format"], "plan/2", "$.format", "must be 'lea-equity-monitoring-plan/1'"),
    (["lea", "name"], DELETE, "$.lea.name", "is missing"),
    (["lea", "time_zone"], "Mars/Olympus", "$.lea.time_zone", "not an IANA time zone"),
    (["plan", "starts_on"], "08/01/2025", "$.plan.starts_on", "is not a date; write it as YYYY-MM-DD"),
    (["plan", "ends_on"], "2024-01-01", "$.plan.ends_on", "before the plan starts"),
    (["periods", 1, "starts_on"], "2025-10-15", "$.periods[1]", "overlaps period '3m'"),
    (["periods", 0, "starts_on"], "2024-06-01", "$.periods[0].starts_on", "outside the plan"),
    (["periods", 1, "key"], "3m", "$.periods[1].key", "used twice"),
    (["strategies", 0, "key"], "Prep Partnerships", "$.strategies[0].key", "not a valid key"),
    (["strategies", 0, "person_responsible"], "nobody", "$.strategies[0].person_responsible", "not one of the people keys"),
    ([*S0I0, "unit"], "percentage", "$.strategies[0].leading_indicators[0].unit", "use one of: percent, count, hours"),
    ([*S0I0, "direction"], "up", "$.strategies[0].leading_indicators[0].direction", "use one of: increase, decrease"),
    ([*S0I0, "baseline", "value"], "76.3", "$.strategies[0].leading_indicators[0].baseline.value", "must be a number"),
    ([*S0I0, "benchmarks", 0, "target"], 105.0, "$.strategies[0].leading_indicators[0].benchmarks[0].target", "above 100"),
    ([*S0I0, "benchmarks", 0, "period"], "5y", "$.strategies[0].leading_indicators[0].benchmarks[0].period", "not one of the period keys"),
    ([*S0I0, "check_ins", 0, "implemented"], "mostly", "$.strategies[0].leading_indicators[0].check_ins[0].implemented", "use one of: yes, partially, no"),
    ([*S0I0, "check_ins", 0, "adjustments_needed"], "no", "$.strategies[0].leading_indicators[0].check_ins[0].adjustments_needed", "true or false"),
    ([*S0I0, "check_ins", 1, "period"], "3m", "$.strategies[0].leading_indicators[0].check_ins[1].period", "has a check-in already"),
    ([*S0I0, "reflections", 0, "new_benchmarks", 0, "target"], -1, "$.strategies[0].leading_indicators[0].reflections[0].new_benchmarks[0].target", "negative"),
    (["people"], "everyone", "$.people", "must be a list"),
    (["strategies", 0, "summary"], "Plain words", "$.strategies[0].summary", "must be an object of language code to text"),
    (["strategies", 0, "summary"], {"Spanish": "Hola"}, "$.strategies[0].summary", "is not a language code"),
    (["strategies", 0, "summary"], {"es": 5}, "$.strategies[0].summary.es", "must be a string"),
    (["strategies", 0, "translations"], "Colaborar", "$.strategies[0].translations", 'such as {"es": {"name": "..."}}'),
    (["strategies", 0, "translations"], {"Spanish": {"name": "Colaborar"}}, "$.strategies[0].translations", "is not a language code"),
    (["strategies", 0, "translations"], {"es": "Colaborar"}, "$.strategies[0].translations.es", "must be an object of field to text"),
    (["strategies", 0, "translations"], {"es": {"key": "colaborar"}}, "$.strategies[0].translations.es", '"key" cannot be translated here; use name, measures_of_success, long_term_goal'),
    (["periods", 0, "translations"], {"es": {"label": 3}}, "$.periods[0].translations.es.label", "must be a string"),
    ([*S0I0, "benchmarks", 0, "translations"], {"es": {"target": "72"}}, "$.strategies[0].leading_indicators[0].benchmarks[0].translations.es", "use description"),
]


@pytest.mark.parametrize("keys, value, path, message", BAD_FILES, ids=[case[2] + ":" + case[3] for case in BAD_FILES])
def test_bad_file_is_rejected_whole(app, keys, value, path, message):
    with pytest.raises(PlanFileError) as raised:
        import_plan(edit((keys, value)), "test")

    matching = [text for where, text in raised.value.problems if where == path]
    assert matching, raised.value.problems
    assert message in matching[0]
    assert table_counts()["Plan"] == 0
    assert table_counts()["Strategy"] == 0


def test_bad_file_leaves_existing_plan_alone(app):
    import_plan(sample(), "test")
    before = table_counts()
    document = edit(([*S0I0, "unit"], "percentage"))
    document["plan"]["title"] = "Another plan"
    with pytest.raises(PlanFileError):
        import_plan(document, "test")
    assert table_counts() == before


def test_every_problem_is_reported_at_once(app):
    document = sample()
    document["lea"]["time_zone"] = "Nowhere"
    document["strategies"][1]["leading_indicators"][0]["unit"] = "ratio"
    with pytest.raises(PlanFileError) as raised:
        import_plan(document, "test")
    paths = [path for path, _message in raised.value.problems]
    assert "$.lea.time_zone" in paths
    assert "$.strategies[1].leading_indicators[0].unit" in paths


def test_invalid_json_names_line_and_column(tmp_path):
    broken = tmp_path / "plan.json"
    broken.write_text('{"format": "lea-equity-monitoring-plan/1",\n  "lea": }', encoding="utf-8")
    with pytest.raises(PlanFileError) as raised:
        read_plan_file(broken)
    assert "line 2, column 10" in raised.value.problems[0][1]


def test_copy_of_sample_is_untouched_by_import(app):
    document = sample()
    untouched = copy.deepcopy(document)
    import_plan(document, "test")
    assert document == untouched


def test_export_writes_counts_as_whole_numbers(app):
    exported = export_plan(import_plan(sample(), "test"))
    residency = next(s for s in exported["strategies"] if s["key"] == "residency-pipeline")
    enrolled = next(i for i in residency["leading_indicators"] if i["key"] == "residents-enrolled")
    text = json.dumps(enrolled)
    assert '"target": 15,' in text
    assert '"actual": 14,' in text
    assert '"target": 15.0' not in text
