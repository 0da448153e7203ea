"""Forms for editing the plan's structure: details, people, periods, strategies, indicators, benchmarks.

Each form is built with the plan it belongs to and, when editing, the item it changes, so
that its validators can check keys for duplicates and dates against the plan and the other
periods. Every message names the value that is wrong and what to enter instead.
"""

import datetime
import json
import zoneinfo

from flask_wtf import FlaskForm
from wtforms import DateField, FloatField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional, ValidationError

from portal.plan.interchange import KEY_PATTERN
from portal.plan.models import DIRECTIONS, UNITS, Benchmark, LeadingIndicator, MonitoringPeriod, Person, Strategy


def strip(value):
    return value.strip() if isinstance(value, str) else value


class IsoDateField(DateField):
    """A date input whose parse error names the format to use."""

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = datetime.date.fromisoformat(valuelist[0].strip())
        except ValueError:
            self.data = None
            raise ValueError(f"{valuelist[0]!r} is not a date; enter it as YYYY-MM-DD, for example 2026-01-31.")


class WholeNumberField(IntegerField):
    """A whole number input whose parse error shows the value typed."""

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = int(valuelist[0].strip())
        except ValueError:
            self.data = None
            raise ValueError(f"{valuelist[0]!r} is not a whole number; enter digits only, such as 38.")


class NumberField(FloatField):
    """A decimal number input whose parse error shows the value typed."""

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        try:
            self.data = float(valuelist[0].strip())
        except ValueError:
            self.data = None
            raise ValueError(f"{valuelist[0]!r} is not a number; enter digits, such as 42 or 76.5.")


def optional_id(value):
    """Coerce a submitted choice to an id, or None for the blank choice."""
    if value in (None, "", "None"):
        return None
    return int(value) if str(value).strip().isdigit() else value


def person_field(label):
    """A choice of one of the plan's people, or nobody; the data is a Person id or None.

    Plain SelectFields (checked in validate_<name>) keep the type name that templates style.
    """
    return SelectField(label, coerce=optional_id, validate_choice=False)


def check_person(field):
    if field.data is not None and field.data not in {value for value, _label in field.choices}:
        raise ValidationError("That person is not in this plan; choose one from the list.")


def required(what):
    """Require text that is not blank once stripped (DataRequired checks the stripped data)."""
    return DataRequired(f"Enter the {what}; it cannot be blank.")


def check_key(field):
    if field.data and not KEY_PATTERN.match(field.data):
        raise ValidationError(
            f"{field.data!r} is not a valid key; use lower-case letters, digits, '-' and '_', starting with a letter or digit."
        )


def check_order(form, start_name, end_name, what):
    """Reject an end date before the start date, at the end date's field."""
    start, end = form[start_name].data, form[end_name].data
    if start and end and end < start:
        form[end_name].errors.append(f"{end} is before the {what} starts ({start}); enter an end date on or after the start.")
        return False
    return True


def check_within_plan(plan, field, what):
    day = field.data
    if day and not (plan.starts_on <= day <= plan.ends_on):
        field.errors.append(
            f"{day} is outside the plan, which runs from {plan.starts_on} to {plan.ends_on}; "
            f"choose {'an' if what[0] in 'aeiou' else 'a'} {what} within those dates."
        )
        return False
    return True


def check_percent(field, unit):
    if unit == "percent" and field.data is not None and field.data > 100:
        raise ValidationError(f"{field.data:g} is above 100, but the indicator is a percent; enter a value from 0 to 100.")


NOT_NEGATIVE = NumberRange(min=0, message="The value cannot be negative; enter 0 or more.")


# The language that plan text is translated into on the forms, beside the plan's English.
TRANSLATION_LANGUAGE = "es"
TRANSLATION_HINT = "Spanish-speaking stakeholders read this. When it is empty, they see the English text."


def spanish(label, **kwargs):
    """Return the form field for the Spanish translation of a text field labelled label."""
    return TextAreaField(f"{label}, in Spanish", [Optional()], filters=[strip], **kwargs)


class PlanItemForm(FlaskForm):
    """A form about one item of a plan; plan and item (None for a new item) feed the checks.

    For each model field in `translated`, the form has a field "<name>_es" with its Spanish
    translation, stored in the model's translations column.
    """

    hints = {}
    translated = ()

    def __init__(self, plan=None, item=None, parent=None, **kwargs):
        super().__init__(obj=item, **kwargs)
        self.plan = plan
        self.item = item
        self.parent = parent
        self.hints = {**self.hints, **{f"{name}_{TRANSLATION_LANGUAGE}": TRANSLATION_HINT for name in self.translated}}
        if item is not None and not self.is_submitted():
            for name in self.translated:
                self[f"{name}_{TRANSLATION_LANGUAGE}"].data = item.translation(name, TRANSLATION_LANGUAGE)

    def values(self):
        """Return {model field: value} for every field of the form; absent text becomes ""."""
        values = {}
        for name, field in self._fields.items():
            if name == "csrf_token":
                continue
            text = isinstance(field, (StringField, TextAreaField)) and not isinstance(field, SelectField)
            values[name] = "" if text and field.data is None else field.data
        if self.translated:
            values["translations"] = self.translations_json(values)
        return values

    def translations_json(self, values):
        """Pop the translation fields from values; return the item's translations as JSON.

        Translations into other languages, which the form does not show, are kept.
        """
        translations = json.loads(self.item.translations or "{}") if self.item is not None else {}
        texts = {name: values.pop(f"{name}_{TRANSLATION_LANGUAGE}") for name in self.translated}
        texts = {name: text for name, text in texts.items() if text}
        if texts:
            translations[TRANSLATION_LANGUAGE] = texts
        else:
            translations.pop(TRANSLATION_LANGUAGE, None)
        return json.dumps(translations, ensure_ascii=False, sort_keys=True)

    def check_unique_key(self, query, what):
        if self.item is not None:
            query = query.where(type(self.item).id != self.item.id)
        if self.key.data and query.exists():
            self.key.errors.append(f"Another {what} already has the key {self.key.data!r}; choose a different key.")
            return False
        return True


class PlanForm(PlanItemForm):
    """The plan's details and the district (LEA) it belongs to."""

    translated = ("title", "stakeholder_engagement")

    lea_name = StringField("District (LEA) name", [required("district's name"), Length(max=200)], filters=[strip])
    lea_state = StringField("State", [Optional(), Length(max=2)], filters=[strip])
    lea_schools = WholeNumberField("Number of schools", [Optional(), NOT_NEGATIVE])
    lea_students = WholeNumberField("Number of students", [Optional(), NOT_NEGATIVE])
    title = StringField("Plan title", [required("plan's title"), Length(max=300)], filters=[strip])
    title_es = spanish("Plan title")
    school_years = StringField("School years", [Length(max=100)], filters=[strip])
    starts_on = IsoDateField("Plan starts on", [InputRequired("Enter the date the plan starts.")])
    ends_on = IsoDateField("Plan ends on", [InputRequired("Enter the date the plan ends.")])
    time_zone = StringField("Time zone", [required("time zone"), Length(max=64)], filters=[strip], default="America/New_York")
    data_as_of = IsoDateField("Monitoring data entered up to", [Optional()])
    stakeholder_engagement = TextAreaField("How stakeholders stay engaged across the plan", filters=[strip])
    stakeholder_engagement_es = spanish("How stakeholders stay engaged across the plan")
    technical_assistance = TextAreaField("Technical assistance requested", filters=[strip])

    hints = {
        "lea_state": "Two capital letters, such as MD.",
        "time_zone": "The IANA name of the district's time zone, such as America/Chicago. Period windows are read in it.",
        "data_as_of": "Optional. The last date for which monitoring data has been entered.",
    }

    def validate_lea_state(self, field):
        if field.data and not (len(field.data) == 2 and field.data.isalpha() and field.data.isupper()):
            raise ValidationError(f"{field.data!r} is not a two-letter state code; enter two capital letters such as MD.")

    def validate_time_zone(self, field):
        try:
            zoneinfo.ZoneInfo(field.data)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise ValidationError(f"{field.data!r} is not an IANA time zone; enter one such as America/Chicago.")

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        valid = check_order(self, "starts_on", "ends_on", "plan") and valid
        if valid and self.item is not None:
            valid = self.check_items_inside()
        return valid

    def check_items_inside(self):
        """Reject new plan dates that would leave a period or a strategy's start outside the plan."""
        start, end = self.starts_on.data, self.ends_on.data
        periods = list(MonitoringPeriod.select().where(MonitoringPeriod.plan == self.item).order_by(MonitoringPeriod.position))
        strategies = list(Strategy.select().where((Strategy.plan == self.item) & Strategy.starts_on.is_null(False)))
        early = [f"period {p.label!r} starts {p.starts_on}" for p in periods if p.starts_on < start]
        early += [f"strategy {s.key!r} starts {s.starts_on}" for s in strategies if s.starts_on < start]
        late = [f"period {p.label!r} ends {p.ends_on}" for p in periods if p.ends_on > end]
        late += [f"strategy {s.key!r} starts {s.starts_on}" for s in strategies if s.starts_on > end]
        for field, items in ((self.starts_on, early), (self.ends_on, late)):
            if items:
                field.errors.append(
                    f"{field.data} would leave items outside the plan: {'; '.join(items)}. "
                    "Change those items first, or choose wider plan dates."
                )
        return not (early or late)


class PersonForm(PlanItemForm):
    """A person the plan names as responsible for a strategy or an indicator."""

    key = StringField("Key", [required("key"), Length(max=100)], filters=[strip])
    name = StringField("Name", [required("person's name"), Length(max=200)], filters=[strip])
    title = StringField("Job title", [Length(max=200)], filters=[strip])
    email = StringField(
        "Email", [Optional(), Email("Enter an email address such as name@district.org."), Length(max=254)], filters=[strip]
    )

    hints = {"key": "A short name used in exports and links, such as talent-manager."}

    def validate_key(self, field):
        check_key(field)

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        return self.check_unique_key(Person.select().where((Person.plan == self.plan) & (Person.key == self.key.data)), "person") and valid


class PeriodForm(PlanItemForm):
    """A monitoring period: a window of the calendar that ends with a benchmark."""

    translated = ("label",)

    key = StringField("Key", [required("key"), Length(max=50)], filters=[strip])
    label = StringField("Label", [required("label"), Length(max=200)], filters=[strip])
    label_es = spanish("Label")
    starts_on = IsoDateField("Window starts on", [InputRequired("Enter the date the window starts.")])
    ends_on = IsoDateField("Window ends on", [InputRequired("Enter the date the window ends.")])

    hints = {
        "key": "Such as 3m, 6m, 1y or 2y.",
        "starts_on": "Within the plan's dates.",
        "ends_on": "Within the plan's dates. Windows of two periods may not overlap.",
    }

    def validate_key(self, field):
        check_key(field)

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        query = MonitoringPeriod.select().where((MonitoringPeriod.plan == self.plan) & (MonitoringPeriod.key == self.key.data))
        valid = self.check_unique_key(query, "period") and valid
        if not (self.starts_on.data and self.ends_on.data):
            return False
        valid = check_within_plan(self.plan, self.starts_on, "start date") and valid
        valid = check_within_plan(self.plan, self.ends_on, "end date") and valid
        valid = check_order(self, "starts_on", "ends_on", "period") and valid
        return valid and self.check_overlap()

    def check_overlap(self):
        start, end = self.starts_on.data, self.ends_on.data
        others = MonitoringPeriod.select().where(
            (MonitoringPeriod.plan == self.plan) & (MonitoringPeriod.starts_on <= end) & (MonitoringPeriod.ends_on >= start)
        )
        if self.item is not None:
            others = others.where(MonitoringPeriod.id != self.item.id)
        other = others.order_by(MonitoringPeriod.starts_on).first()
        if other is not None:
            self.starts_on.errors.append(
                f"This window overlaps period {other.label!r} ({other.starts_on} to {other.ends_on}); "
                "choose dates that do not overlap another period."
            )
            return False
        return True


def person_choices(plan):
    people = Person.select().where(Person.plan == plan).order_by(Person.name)
    return [("", "Nobody yet")] + [(person.id, f"{person.name} ({person.title})" if person.title else person.name) for person in people]


class StrategyForm(PlanItemForm):
    """Step 1 and the strategy-wide part of the Step 2 monitoring plan."""

    translated = ("name", "measures_of_success", "long_term_goal", "timing", "stakeholder_engagement", "course_corrections")

    key = StringField("Key", [required("key"), Length(max=100)], filters=[strip])
    name = TextAreaField("Strategy", [required("strategy's name")], filters=[strip])
    name_es = spanish("Strategy")
    measures_of_success = TextAreaField("Measures of success", filters=[strip])
    measures_of_success_es = spanish("Measures of success")
    person_responsible_id = person_field("Person responsible")
    long_term_goal = TextAreaField("Long-term goal", filters=[strip])
    long_term_goal_es = spanish("Long-term goal")
    starts_on = IsoDateField("Work starts on", [Optional()])
    ends_on = IsoDateField("Work ends on", [Optional()])
    timing = TextAreaField("Timing", filters=[strip])
    timing_es = spanish("Timing")
    stakeholder_engagement = TextAreaField("Stakeholder engagement at each level", filters=[strip])
    stakeholder_engagement_es = spanish("Stakeholder engagement at each level")
    course_corrections = TextAreaField("Planned course corrections", filters=[strip])
    course_corrections_es = spanish("Planned course corrections")
    summary_en = TextAreaField("Plain-language summary for families, in English", filters=[strip])
    summary_es = TextAreaField("Plain-language summary for families, in Spanish", filters=[strip])

    hints = {
        "key": "A short name used in links, such as early-hiring.",
        "summary_en": "Families read this in place of the measures of success. Two sentences without jargon work best.",
        "summary_es": "Spanish-speaking families read this; when it is empty they see the English summary.",
        "starts_on": "Within the plan's dates.",
        "ends_on": "The work may continue after the plan ends.",
    }

    def __init__(self, plan=None, item=None, parent=None, **kwargs):
        super().__init__(plan, item, parent, **kwargs)
        self.person_responsible_id.choices = person_choices(plan)
        if item is not None and not self.is_submitted():
            summaries = json.loads(item.summaries or "{}")
            self.summary_en.data = summaries.get("en", "")
            self.summary_es.data = summaries.get("es", "")

    def values(self):
        """Return the model fields, with the two summaries stored as one JSON object by language."""
        values = super().values()
        summaries = {"en": values.pop("summary_en"), "es": values.pop("summary_es")}
        values["summaries"] = json.dumps({code: text for code, text in summaries.items() if text}, ensure_ascii=False, sort_keys=True)
        return values

    def validate_key(self, field):
        check_key(field)

    def validate_person_responsible_id(self, field):
        check_person(field)

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        valid = self.check_unique_key(Strategy.select().where((Strategy.plan == self.plan) & (Strategy.key == self.key.data)), "strategy") and valid
        valid = check_within_plan(self.plan, self.starts_on, "start date") and valid
        return check_order(self, "starts_on", "ends_on", "strategy") and valid


class IndicatorForm(PlanItemForm):
    """The Step 2 monitoring plan of one leading indicator; parent is its strategy."""

    translated = ("name",)

    key = StringField("Key", [required("key"), Length(max=100)], filters=[strip])
    name = TextAreaField("Leading indicator", [required("indicator's name")], filters=[strip])
    name_es = spanish("Leading indicator")
    unit = SelectField("Unit", choices=[(unit, unit) for unit in UNITS], validate_choice=False)
    direction = SelectField("Direction of improvement", choices=[(d, d) for d in DIRECTIONS], validate_choice=False)
    baseline_value = NumberField("Baseline value", [Optional(), NOT_NEGATIVE])
    baseline_as_of = IsoDateField("Baseline as of", [Optional()])
    baseline_source = TextAreaField("Baseline source", filters=[strip])
    target_value = NumberField("Long-term target", [Optional(), NOT_NEGATIVE])
    target_by = IsoDateField("Target to be reached by", [Optional()])
    monitoring_frequency = StringField("Monitoring frequency", filters=[strip])
    evidence = TextAreaField("Evidence collected", filters=[strip])
    on_track_when = TextAreaField("On track when", filters=[strip])
    responsible_id = person_field("Who monitors it")

    hints = {
        "key": "A short name, unique within the strategy, such as mentor-assigned.",
        "unit": "A percent must stay between 0 and 100.",
        "target_by": "May fall after the plan ends.",
    }

    def __init__(self, plan=None, item=None, parent=None, **kwargs):
        super().__init__(plan, item, parent, **kwargs)
        self.responsible_id.choices = person_choices(plan)

    def validate_key(self, field):
        check_key(field)

    def validate_responsible_id(self, field):
        check_person(field)

    def validate_unit(self, field):
        if field.data not in UNITS:
            raise ValidationError(f"{field.data!r} is not a unit; choose one of: {', '.join(UNITS)}.")
        if field.data == "percent" and self.item is not None:
            high = (
                Benchmark.select()
                .where((Benchmark.indicator == self.item) & (Benchmark.target > 100))
                .order_by(Benchmark.target.desc())
                .first()
            )
            if high is not None:
                raise ValidationError(
                    f"A benchmark of this indicator has the target {high.target:g}, above 100; "
                    "change that benchmark before making the unit a percent."
                )

    def validate_direction(self, field):
        if field.data not in DIRECTIONS:
            raise ValidationError(f"{field.data!r} is not a direction; choose one of: {', '.join(DIRECTIONS)}.")

    def validate_baseline_value(self, field):
        check_percent(field, self.unit.data)

    def validate_target_value(self, field):
        check_percent(field, self.unit.data)

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        query = LeadingIndicator.select().where((LeadingIndicator.strategy == self.parent) & (LeadingIndicator.key == self.key.data))
        return self.check_unique_key(query, "indicator of this strategy") and valid


class BenchmarkForm(PlanItemForm):
    """An interim target of an indicator for one monitoring period; parent is the indicator."""

    translated = ("description",)

    period_id = SelectField("Monitoring period", coerce=optional_id, validate_choice=False)
    target = NumberField("Target", [InputRequired("Enter the target value for this period."), NOT_NEGATIVE])
    description = TextAreaField("What the benchmark means", filters=[strip])
    description_es = spanish("What the benchmark means")

    def __init__(self, plan=None, item=None, parent=None, periods=None, **kwargs):
        """periods: the plan's periods in order, when the caller has them already."""
        super().__init__(plan, item, parent, **kwargs)
        if periods is None:
            periods = MonitoringPeriod.select().where(MonitoringPeriod.plan == plan).order_by(MonitoringPeriod.position)
        self.period_id.choices = [("", "Choose a period")] + [(period.id, period.label) for period in periods]
        if parent is not None:
            unit = parent.unit
            self.hints = {**self.hints, "target": "A percent from 0 to 100." if unit == "percent" else f"In {unit}, 0 or more."}

    def validate_period_id(self, field):
        if field.data in (None, ""):
            raise ValidationError("Choose the monitoring period this benchmark is for.")
        period = MonitoringPeriod.get_or_none(MonitoringPeriod.id == field.data) if isinstance(field.data, int) else None
        if period is None:
            raise ValidationError(f"There is no monitoring period {field.data!r}; choose one of the plan's periods, or add the period first.")
        if period.plan_id != self.plan.id:
            raise ValidationError(f"The period {period.label!r} belongs to another plan; choose one of this plan's periods.")
        taken = Benchmark.select().where(
            (Benchmark.indicator == self.parent) & (Benchmark.period == period) & Benchmark.reflection.is_null()
        )
        if self.item is not None:
            taken = taken.where(Benchmark.id != self.item.id)
        if taken.exists():
            raise ValidationError(f"This indicator already has a benchmark for {period.label!r}; edit that one instead.")

    def validate_target(self, field):
        check_percent(field, self.parent.unit)


class ConfirmForm(FlaskForm):
    """A button that confirms a deletion or a move; it only carries the CSRF token."""
