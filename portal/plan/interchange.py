"""Reading and writing a monitoring plan in the lea-equity-monitoring-plan/1 JSON format.

The file contains the district, the plan, its people, the monitoring periods and every
strategy with its leading indicators, benchmarks, Step 3 check-ins and Step 4 reflections.
Validation walks the whole document first and reports every problem with its JSON path,
so an import either takes the whole file or writes nothing.
"""

import datetime
import json
import logging
import re
import zoneinfo

from portal.audit.models import AuditEvent
from portal.db import transaction, utcnow
from portal.plan.editing_operations import describe
from portal.plan.history import record_change
from portal.plan.models import (
    DIRECTIONS,
    IMPLEMENTED_ANSWERS,
    UNITS,
    Benchmark,
    CheckIn,
    LeadingIndicator,
    MonitoringPeriod,
    Person,
    Plan,
    Reflection,
    Strategy,
)

logger = logging.getLogger(__name__)

FORMAT = "lea-equity-monitoring-plan/1"
KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")


class PlanFileError(Exception):
    """A plan file that cannot be imported; problems is a list of (JSON path, message)."""

    def __init__(self, problems):
        self.problems = problems
        super().__init__("; ".join(f"{path}: {message}" for path, message in problems))


class Checker:
    """Collects problems while reading values out of the document."""

    def __init__(self):
        self.problems = []

    def problem(self, path, message):
        self.problems.append((path, message))

    def object(self, parent, key, path, required=True):
        value = parent.get(key) if isinstance(parent, dict) else None
        if value is None and not required:
            return {}
        if not isinstance(value, dict):
            self.problem(f"{path}.{key}", "must be an object" if key in parent else "is missing")
            return {}
        return value

    def list(self, parent, key, path, required=True):
        if key not in parent and not required:
            return []
        value = parent.get(key)
        if not isinstance(value, list):
            self.problem(f"{path}.{key}", "must be a list" if key in parent else "is missing")
            return []
        return value

    def text(self, parent, key, path, required=False, max_length=None):
        value = parent.get(key, None)
        if value is None:
            if required:
                self.problem(f"{path}.{key}", "is missing; give a non-empty string")
            return ""
        if not isinstance(value, str):
            self.problem(f"{path}.{key}", f"must be a string, not {json.dumps(value)}")
            return ""
        if required and not value.strip():
            self.problem(f"{path}.{key}", "is empty; give a non-empty string")
        if max_length and len(value) > max_length:
            self.problem(f"{path}.{key}", f"is {len(value)} characters long; the limit is {max_length}")
        return value

    def key(self, parent, key, path, seen):
        value = self.text(parent, key, path, required=True)
        if value and not KEY_PATTERN.match(value):
            self.problem(
                f"{path}.{key}",
                f"{value!r} is not a valid key; use lower-case letters, digits, '-' and '_'",
            )
        elif value in seen:
            self.problem(f"{path}.{key}", f"{value!r} is used twice; keys must be unique")
        seen.add(value)
        return value

    def date(self, parent, key, path, required=False):
        value = parent.get(key)
        if value is None:
            if required:
                self.problem(f"{path}.{key}", "is missing; give a date as YYYY-MM-DD")
            return None
        try:
            if isinstance(value, str) and re.match(r"^\d{4}-\d{2}-\d{2}$", value):
                return datetime.date.fromisoformat(value)
        except ValueError:
            pass
        self.problem(f"{path}.{key}", f"{json.dumps(value)} is not a date; write it as YYYY-MM-DD")
        return None

    def number(self, parent, key, path, required=False, unit=None):
        value = parent.get(key)
        if value is None:
            if required:
                self.problem(f"{path}.{key}", "is missing; give a number")
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.problem(f"{path}.{key}", f"must be a number, not {json.dumps(value)}")
            return None
        if value < 0:
            self.problem(f"{path}.{key}", f"{value} is negative; give a value of 0 or more")
        if unit == "percent" and value > 100:
            self.problem(f"{path}.{key}", f"{value} is above 100, but the indicator's unit is percent")
        return float(value)

    def integer(self, parent, key, path):
        value = parent.get(key)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            self.problem(f"{path}.{key}", f"must be a whole number of 0 or more, not {json.dumps(value)}")
            return None
        return value

    def boolean(self, parent, key, path, required=False):
        value = parent.get(key)
        if value is None:
            if required:
                self.problem(f"{path}.{key}", "is missing; give true or false")
            return None
        if not isinstance(value, bool):
            self.problem(f"{path}.{key}", f"must be true or false, not {json.dumps(value)}")
            return None
        return value

    def choice(self, parent, key, path, choices, required=True):
        value = parent.get(key)
        if value is None and not required:
            return ""
        if value not in choices:
            self.problem(f"{path}.{key}", f"{json.dumps(value)} is not allowed; use one of: {', '.join(choices)}")
            return ""
        return value

    def reference(self, parent, key, path, known, what):
        value = self.text(parent, key, path)
        if value and value not in known:
            self.problem(f"{path}.{key}", f"{value!r} is not one of the {what} keys ({', '.join(sorted(known))})")
            return None
        return value or None

    def within(self, day, path, starts_on, ends_on):
        if day and starts_on and ends_on and not (starts_on <= day <= ends_on):
            self.problem(path, f"{day.isoformat()} is outside the plan ({starts_on} to {ends_on})")


def read_plan_file(path):
    """Parse the file as JSON, raising PlanFileError with the line and column of a syntax error."""
    try:
        with open(path, encoding="utf-8-sig") as handle:
            return json.load(handle)
    except json.JSONDecodeError as error:
        raise PlanFileError([("$", f"is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}")])
    except UnicodeDecodeError:
        raise PlanFileError([("$", "is not UTF-8 text; save the file as UTF-8")])


def validate(document):
    """Check the whole document and return a list of (path, message) problems."""
    check = Checker()
    if not isinstance(document, dict):
        return [("$", "must be a JSON object")]
    if document.get("format") != FORMAT:
        check.problem("$.format", f"must be {FORMAT!r}, not {json.dumps(document.get('format'))}")

    lea = check.object(document, "lea", "$")
    check.text(lea, "name", "$.lea", required=True, max_length=200)
    zone = check.text(lea, "time_zone", "$.lea", required=True)
    if zone:
        try:
            zoneinfo.ZoneInfo(zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            check.problem("$.lea.time_zone", f"{zone!r} is not an IANA time zone such as America/Chicago")
    state = check.text(lea, "state", "$.lea")
    if state and not re.match(r"^[A-Z]{2}$", state):
        check.problem("$.lea.state", f"{state!r} is not a two-letter state code such as MD")
    check.integer(lea, "schools", "$.lea")
    check.integer(lea, "students", "$.lea")

    plan = check.object(document, "plan", "$")
    check.text(plan, "title", "$.plan", required=True, max_length=300)
    starts_on = check.date(plan, "starts_on", "$.plan", required=True)
    ends_on = check.date(plan, "ends_on", "$.plan", required=True)
    if starts_on and ends_on and ends_on < starts_on:
        check.problem("$.plan.ends_on", f"{ends_on} is before the plan starts ({starts_on})")
    check.date(plan, "today", "$.plan")
    for name in ("school_years", "stakeholder_engagement", "technical_assistance"):
        check.text(plan, name, "$.plan")
    validate_translations(check, plan, "$.plan", Plan)

    person_keys = set()
    for i, person in enumerate(check.list(document, "people", "$")):
        path = f"$.people[{i}]"
        if not isinstance(person, dict):
            check.problem(path, "must be an object")
            continue
        check.key(person, "key", path, person_keys)
        check.text(person, "name", path, required=True, max_length=200)
        check.text(person, "title", path, max_length=200)
        check.text(person, "email", path, max_length=254)

    period_keys = set()
    windows = []
    periods = check.list(document, "periods", "$")
    if not periods and "periods" in document:
        check.problem("$.periods", "is empty; the plan needs at least one monitoring period")
    for i, period in enumerate(periods):
        path = f"$.periods[{i}]"
        if not isinstance(period, dict):
            check.problem(path, "must be an object")
            continue
        key = check.key(period, "key", path, period_keys)
        check.text(period, "label", path, required=True, max_length=200)
        validate_translations(check, period, path, MonitoringPeriod)
        start = check.date(period, "starts_on", path, required=True)
        end = check.date(period, "ends_on", path, required=True)
        check.within(start, f"{path}.starts_on", starts_on, ends_on)
        check.within(end, f"{path}.ends_on", starts_on, ends_on)
        if start and end:
            if end < start:
                check.problem(f"{path}.ends_on", f"{end} is before the period starts ({start})")
            for other_key, other_start, other_end in windows:
                if start <= other_end and other_start <= end:
                    check.problem(path, f"its window overlaps period {other_key!r} ({other_start} to {other_end})")
            windows.append((key, start, end))

    strategy_keys = set()
    for i, strategy in enumerate(check.list(document, "strategies", "$")):
        path = f"$.strategies[{i}]"
        if not isinstance(strategy, dict):
            check.problem(path, "must be an object")
            continue
        validate_strategy(check, strategy, path, strategy_keys, person_keys, period_keys)
    return check.problems


def validate_strategy(check, strategy, path, strategy_keys, person_keys, period_keys):
    check.key(strategy, "key", path, strategy_keys)
    check.text(strategy, "name", path, required=True)
    check.reference(strategy, "person_responsible", path, person_keys, "people")
    for name in ("measures_of_success", "long_term_goal", "timing", "stakeholder_engagement", "course_corrections"):
        check.text(strategy, name, path)
    validate_summary(check, strategy, path)
    validate_translations(check, strategy, path, Strategy)
    # A strategy's work may run past the plan's last year, so only the order of its dates is checked.
    starts_on = check.date(strategy, "starts_on", path)
    ends_on = check.date(strategy, "ends_on", path)
    if starts_on and ends_on and ends_on < starts_on:
        check.problem(f"{path}.ends_on", f"{ends_on} is before the strategy starts ({starts_on})")

    indicator_keys = set()
    for j, indicator in enumerate(check.list(strategy, "leading_indicators", path)):
        ipath = f"{path}.leading_indicators[{j}]"
        if not isinstance(indicator, dict):
            check.problem(ipath, "must be an object")
            continue
        validate_indicator(check, indicator, ipath, indicator_keys, person_keys, period_keys)


def validate_summary(check, strategy, path):
    """Check the optional plain-language summary: {"en": "...", "es": "..."}, by language code."""
    summary = strategy.get("summary")
    if summary is None:
        return
    if not isinstance(summary, dict):
        check.problem(f"{path}.summary", 'must be an object of language code to text, such as {"en": "...", "es": "..."}')
        return
    for code, text in summary.items():
        if not is_language_code(code):
            check.problem(f"{path}.summary", f"{json.dumps(code)} is not a language code; use codes such as en or es")
        elif not isinstance(text, str):
            check.problem(f"{path}.summary.{code}", f"must be a string, not {json.dumps(text)}")


def is_language_code(code):
    return isinstance(code, str) and code.isalpha() and 2 <= len(code) <= 3 and code.islower()


def validate_translations(check, item, path, model):
    """Check the optional translations: {"es": {"name": "..."}}, by language code, then field."""
    translations = item.get("translations")
    if translations is None:
        return
    example = '{"es": {"%s": "..."}}' % model.TRANSLATED[0]
    if not isinstance(translations, dict):
        check.problem(f"{path}.translations", f"must be an object of language code to texts, such as {example}")
        return
    for code, texts in translations.items():
        if not is_language_code(code):
            check.problem(f"{path}.translations", f"{json.dumps(code)} is not a language code; use codes such as es or vi")
        elif not isinstance(texts, dict):
            check.problem(f"{path}.translations.{code}", f"must be an object of field to text, such as {example}")
        else:
            for field, text in texts.items():
                if field not in model.TRANSLATED:
                    check.problem(f"{path}.translations.{code}", f"{json.dumps(field)} cannot be translated here; use {', '.join(model.TRANSLATED)}")
                elif not isinstance(text, str):
                    check.problem(f"{path}.translations.{code}.{field}", f"must be a string, not {json.dumps(text)}")


def validate_indicator(check, indicator, path, indicator_keys, person_keys, period_keys):
    check.key(indicator, "key", path, indicator_keys)
    check.text(indicator, "name", path, required=True)
    validate_translations(check, indicator, path, LeadingIndicator)
    unit = check.choice(indicator, "unit", path, UNITS)
    check.choice(indicator, "direction", path, DIRECTIONS)
    check.reference(indicator, "responsible", path, person_keys, "people")
    for name in ("monitoring_frequency", "evidence", "on_track_when"):
        check.text(indicator, name, path)
    baseline = check.object(indicator, "baseline", path, required=False)
    check.number(baseline, "value", f"{path}.baseline", unit=unit)
    check.date(baseline, "as_of", f"{path}.baseline")
    check.text(baseline, "source", f"{path}.baseline")
    target = check.object(indicator, "target", path, required=False)
    check.number(target, "value", f"{path}.target", unit=unit)
    check.date(target, "by", f"{path}.target")

    validate_benchmarks(check, check.list(indicator, "benchmarks", path, required=False), f"{path}.benchmarks", period_keys, unit)

    seen = set()
    for k, check_in in enumerate(check.list(indicator, "check_ins", path, required=False)):
        cpath = f"{path}.check_ins[{k}]"
        if not isinstance(check_in, dict):
            check.problem(cpath, "must be an object")
            continue
        period = check.reference(check_in, "period", cpath, period_keys, "period")
        if period in seen:
            check.problem(f"{cpath}.period", f"{period!r} has a check-in already; give one per period")
        seen.add(period)
        check.choice(check_in, "implemented", cpath, IMPLEMENTED_ANSWERS)
        check.number(check_in, "actual", cpath, unit=unit)
        check.boolean(check_in, "adjustments_needed", cpath)
        for name in ("evidence", "progress_notes"):
            check.text(check_in, name, cpath)

    seen = set()
    for k, reflection in enumerate(check.list(indicator, "reflections", path, required=False)):
        rpath = f"{path}.reflections[{k}]"
        if not isinstance(reflection, dict):
            check.problem(rpath, "must be an object")
            continue
        period = check.reference(reflection, "period", rpath, period_keys, "period")
        if period in seen:
            check.problem(f"{rpath}.period", f"{period!r} has a reflection already; give one per period")
        seen.add(period)
        check.choice(reflection, "implemented", rpath, IMPLEMENTED_ANSWERS, required=False)
        check.boolean(reflection, "resources_sufficient", rpath)
        check.boolean(reflection, "realistic_to_measure", rpath)
        for name in (
            "what_went_wrong",
            "evidence_of_implementation",
            "factors",
            "revisit_course_corrections",
            "course_correction",
        ):
            check.text(reflection, name, rpath)
        new_benchmarks = check.list(reflection, "new_benchmarks", rpath, required=False)
        validate_benchmarks(check, new_benchmarks, f"{rpath}.new_benchmarks", period_keys, unit)


def validate_benchmarks(check, benchmarks, path, period_keys, unit):
    seen = set()
    for k, benchmark in enumerate(benchmarks):
        bpath = f"{path}[{k}]"
        if not isinstance(benchmark, dict):
            check.problem(bpath, "must be an object")
            continue
        period = check.reference(benchmark, "period", bpath, period_keys, "period")
        if period is None and "period" not in benchmark:
            check.problem(f"{bpath}.period", "is missing; name one of the plan's periods")
        if period in seen:
            check.problem(f"{bpath}.period", f"{period!r} has a benchmark already in this list")
        seen.add(period)
        check.number(benchmark, "target", bpath, required=True, unit=unit)
        check.text(benchmark, "description", bpath)
        validate_translations(check, benchmark, bpath, Benchmark)


def parse_date(value):
    return datetime.date.fromisoformat(value) if value else None


def translations_json(item):
    """Return an item's translations as stored: JSON without the empty texts."""
    translations = {}
    for code, texts in (item.get("translations") or {}).items():
        non_empty = {field: text.strip() for field, text in texts.items() if text.strip()}
        if non_empty:
            translations[code] = non_empty
    return json.dumps(translations, ensure_ascii=False, sort_keys=True)


def translations_entry(item):
    """Return {"translations": {...}} when the item has any, else {}."""
    translations = json.loads(item.translations or "{}")
    return {"translations": translations} if translations else {}


def import_plan(document, actor):
    """Validate the document and create the whole plan in one transaction; return it."""
    problems = validate(document)
    if problems:
        raise PlanFileError(problems)
    lea, plan_data = document["lea"], document["plan"]

    with transaction():
        duplicate = Plan.get_or_none((Plan.lea_name == lea["name"]) & (Plan.title == plan_data["title"]))
        if duplicate is not None:
            raise PlanFileError(
                [
                    (
                        "$.plan.title",
                        f"a plan titled {plan_data['title']!r} for {lea['name']} is already in the database; "
                        "import into an empty database, or change the title to import it as a new plan",
                    )
                ]
            )
        plan = Plan.create(
            lea_name=lea["name"],
            lea_state=lea.get("state", ""),
            lea_schools=lea.get("schools"),
            lea_students=lea.get("students"),
            time_zone=lea["time_zone"],
            title=plan_data["title"],
            school_years=plan_data.get("school_years", ""),
            starts_on=parse_date(plan_data["starts_on"]),
            ends_on=parse_date(plan_data["ends_on"]),
            data_as_of=parse_date(plan_data.get("today")),
            stakeholder_engagement=plan_data.get("stakeholder_engagement", ""),
            technical_assistance=plan_data.get("technical_assistance", ""),
            translations=translations_json(plan_data),
        )
        people = {
            item["key"]: Person.create(
                plan=plan, key=item["key"], name=item["name"], title=item.get("title", ""), email=item.get("email", "")
            )
            for item in document["people"]
        }
        periods = {
            item["key"]: MonitoringPeriod.create(
                plan=plan,
                key=item["key"],
                label=item["label"],
                starts_on=parse_date(item["starts_on"]),
                ends_on=parse_date(item["ends_on"]),
                position=position,
                translations=translations_json(item),
            )
            for position, item in enumerate(document["periods"])
        }
        for position, item in enumerate(document["strategies"]):
            create_strategy(plan, item, position, people, periods)
        AuditEvent.record(actor, "plan.imported", plan, strategies=len(document["strategies"]))
        # The plan's own history starts with the imported details, as when it is created in the pages.
        record_change(actor, plan, {}, describe(plan), action="plan.create")
    logger.info("Plan %s imported by %s", plan.id, actor)
    return plan


def create_strategy(plan, item, position, people, periods):
    strategy = Strategy.create(
        plan=plan,
        key=item["key"],
        position=position,
        name=item["name"],
        measures_of_success=item.get("measures_of_success", ""),
        person_responsible=people.get(item.get("person_responsible")),
        long_term_goal=item.get("long_term_goal", ""),
        starts_on=parse_date(item.get("starts_on")),
        ends_on=parse_date(item.get("ends_on")),
        timing=item.get("timing", ""),
        stakeholder_engagement=item.get("stakeholder_engagement", ""),
        course_corrections=item.get("course_corrections", ""),
        summaries=json.dumps(item.get("summary") or {}, ensure_ascii=False, sort_keys=True),
        translations=translations_json(item),
    )
    for indicator_position, data in enumerate(item.get("leading_indicators", [])):
        create_indicator(strategy, data, indicator_position, people, periods)


def create_indicator(strategy, data, position, people, periods):
    baseline, target = data.get("baseline") or {}, data.get("target") or {}
    indicator = LeadingIndicator.create(
        strategy=strategy,
        key=data["key"],
        position=position,
        name=data["name"],
        unit=data["unit"],
        direction=data["direction"],
        baseline_value=baseline.get("value"),
        baseline_as_of=parse_date(baseline.get("as_of")),
        baseline_source=baseline.get("source", ""),
        target_value=target.get("value"),
        target_by=parse_date(target.get("by")),
        monitoring_frequency=data.get("monitoring_frequency", ""),
        evidence=data.get("evidence", ""),
        on_track_when=data.get("on_track_when", ""),
        responsible=people.get(data.get("responsible")),
        translations=translations_json(data),
    )
    for benchmark_position, item in enumerate(data.get("benchmarks", [])):
        Benchmark.create(
            indicator=indicator,
            period=periods[item["period"]],
            target=item["target"],
            description=item.get("description", ""),
            position=benchmark_position,
            translations=translations_json(item),
        )
    for item in data.get("check_ins", []):
        CheckIn.create(
            indicator=indicator,
            period=periods[item["period"]],
            implemented=item["implemented"],
            evidence=item.get("evidence", ""),
            actual=item.get("actual"),
            progress_notes=item.get("progress_notes", ""),
            adjustments_needed=bool(item.get("adjustments_needed")),
        )
    for item in data.get("reflections", []):
        create_reflection(indicator, item, periods)


def create_reflection(indicator, item, periods):
    reflection = Reflection.create(
        indicator=indicator,
        period=periods[item["period"]],
        implemented=item.get("implemented", ""),
        what_went_wrong=item.get("what_went_wrong", ""),
        evidence_of_implementation=item.get("evidence_of_implementation", ""),
        factors=item.get("factors", ""),
        resources_sufficient=item.get("resources_sufficient"),
        realistic_to_measure=item.get("realistic_to_measure"),
        revisit_course_corrections=item.get("revisit_course_corrections", ""),
        course_correction=item.get("course_correction", ""),
    )
    for position, data in enumerate(item.get("new_benchmarks", [])):
        revise_benchmark(indicator, periods[data["period"]], reflection, data, position)
    return reflection


def revise_benchmark(indicator, period, reflection, data, position):
    """Add a benchmark set by a reflection and mark the one it replaces as superseded."""
    replaced = Benchmark.get_or_none(
        (Benchmark.indicator == indicator) & (Benchmark.period == period) & (Benchmark.superseded_by.is_null())
    )
    revision = Benchmark.create(
        indicator=indicator,
        period=period,
        target=data["target"],
        description=data.get("description", ""),
        position=position,
        reflection=reflection,
        translations=translations_json(data),
    )
    if replaced is not None:
        replaced.superseded_by = revision
        replaced.superseded_at = utcnow()
        replaced.save(only=[Benchmark.superseded_by, Benchmark.superseded_at])
    return revision


def iso(day):
    return day.isoformat() if day else None


def number(value, unit):
    """Return a stored value for export: counts as whole numbers, other units as floats."""
    if unit == "count" and value is not None and float(value).is_integer():
        return int(value)
    return value


def export_plan(plan):
    """Return the plan as a document in the same format import_plan reads."""
    people = list(Person.select().where(Person.plan == plan).order_by(Person.id))
    periods = list(MonitoringPeriod.select().where(MonitoringPeriod.plan == plan).order_by(MonitoringPeriod.position))
    person_keys = {person.id: person.key for person in people}
    period_keys = {period.id: period.key for period in periods}
    strategies = list(Strategy.select().where(Strategy.plan == plan).order_by(Strategy.position))
    indicators = list(
        LeadingIndicator.select()
        .join(Strategy)
        .where(Strategy.plan == plan)
        .order_by(LeadingIndicator.strategy, LeadingIndicator.position)
    )
    indicator_ids = [indicator.id for indicator in indicators]
    benchmarks = grouped(Benchmark.select().where(Benchmark.indicator.in_(indicator_ids)).order_by(Benchmark.position, Benchmark.id), "indicator_id")
    check_ins = grouped(CheckIn.select().join(MonitoringPeriod).where(CheckIn.indicator.in_(indicator_ids)).order_by(MonitoringPeriod.position), "indicator_id")
    reflections = grouped(Reflection.select().join(MonitoringPeriod).where(Reflection.indicator.in_(indicator_ids)).order_by(MonitoringPeriod.position), "indicator_id")
    indicators_by_strategy = grouped(indicators, "strategy_id")

    def benchmark_entry(benchmark, unit):
        return {
            "period": period_keys[benchmark.period_id],
            "target": number(benchmark.target, unit),
            "description": benchmark.description,
            **translations_entry(benchmark),
        }

    def indicator_entry(indicator):
        own_benchmarks = benchmarks.get(indicator.id, [])
        return {
            "key": indicator.key,
            "name": indicator.name,
            **translations_entry(indicator),
            "unit": indicator.unit,
            "direction": indicator.direction,
            "baseline": {
                "value": number(indicator.baseline_value, indicator.unit),
                "as_of": iso(indicator.baseline_as_of),
                "source": indicator.baseline_source,
            },
            "target": {"value": number(indicator.target_value, indicator.unit), "by": iso(indicator.target_by)},
            "monitoring_frequency": indicator.monitoring_frequency,
            "evidence": indicator.evidence,
            "on_track_when": indicator.on_track_when,
            "responsible": person_keys.get(indicator.responsible_id),
            "benchmarks": [benchmark_entry(b, indicator.unit) for b in own_benchmarks if b.reflection_id is None],
            "check_ins": [
                {
                    "period": period_keys[c.period_id],
                    "implemented": c.implemented,
                    "evidence": c.evidence,
                    "actual": number(c.actual, indicator.unit),
                    "progress_notes": c.progress_notes,
                    "adjustments_needed": c.adjustments_needed,
                }
                for c in check_ins.get(indicator.id, [])
            ],
            "reflections": [
                {
                    "period": period_keys[r.period_id],
                    "implemented": r.implemented,
                    "what_went_wrong": r.what_went_wrong,
                    "evidence_of_implementation": r.evidence_of_implementation,
                    "factors": r.factors,
                    "resources_sufficient": r.resources_sufficient,
                    "realistic_to_measure": r.realistic_to_measure,
                    "revisit_course_corrections": r.revisit_course_corrections,
                    "course_correction": r.course_correction,
                    "new_benchmarks": [benchmark_entry(b, indicator.unit) for b in own_benchmarks if b.reflection_id == r.id],
                }
                for r in reflections.get(indicator.id, [])
            ],
        }

    return {
        "format": FORMAT,
        "lea": {
            "name": plan.lea_name,
            "state": plan.lea_state,
            "time_zone": plan.time_zone,
            "schools": plan.lea_schools,
            "students": plan.lea_students,
        },
        "plan": {
            "title": plan.title,
            "school_years": plan.school_years,
            "starts_on": iso(plan.starts_on),
            "ends_on": iso(plan.ends_on),
            "today": iso(plan.data_as_of),
            "stakeholder_engagement": plan.stakeholder_engagement,
            "technical_assistance": plan.technical_assistance,
            **translations_entry(plan),
        },
        "people": [{"key": p.key, "name": p.name, "title": p.title, "email": p.email} for p in people],
        "periods": [
            {"key": p.key, "label": p.label, "starts_on": iso(p.starts_on), "ends_on": iso(p.ends_on), **translations_entry(p)}
            for p in periods
        ],
        "strategies": [
            {
                "key": s.key,
                "name": s.name,
                "measures_of_success": s.measures_of_success,
                "person_responsible": person_keys.get(s.person_responsible_id),
                "long_term_goal": s.long_term_goal,
                "starts_on": iso(s.starts_on),
                "ends_on": iso(s.ends_on),
                "timing": s.timing,
                "stakeholder_engagement": s.stakeholder_engagement,
                "course_corrections": s.course_corrections,
                **summary_entry(s),
                **translations_entry(s),
                "leading_indicators": [indicator_entry(i) for i in indicators_by_strategy.get(s.id, [])],
            }
            for s in strategies
        ],
    }


def summary_entry(strategy):
    """Return {"summary": {...}} when the strategy has a plain-language summary, else {}."""
    summaries = json.loads(strategy.summaries or "{}")
    return {"summary": summaries} if summaries else {}


def grouped(rows, attribute):
    """Return {value of attribute: [rows in order]}."""
    result = {}
    for row in rows:
        result.setdefault(getattr(row, attribute), []).append(row)
    return result
