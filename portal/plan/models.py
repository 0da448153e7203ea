"""Steps 1 to 4 of the monitoring plan: strategies, indicators, benchmarks, check-ins, reflections."""

import json

import peewee as pw

from portal.db import BaseModel, utcnow

UNITS = ("percent", "count", "hours")
DIRECTIONS = ("increase", "decrease")
IMPLEMENTED_ANSWERS = ("yes", "partially", "no")
PERIOD_STATES = ("upcoming", "open", "closed")


class Translated:
    """Mixin for items whose text stakeholders read in their own language.

    The model's `translations` column contains JSON {language code: {field: text}} for the
    fields named in TRANSLATED. English, the language of the plan, is the field itself.
    """

    TRANSLATED = ()

    def text_in(self, field, locale):
        """Return the field's text in the locale's language, else the plan's own text."""
        texts = json.loads(self.translations or "{}").get(str(locale).split("_")[0], {})
        return texts.get(field) or getattr(self, field)

    def language_of(self, field, locale):
        """Return the code of the language the field is shown in for the locale: its own or "en"."""
        language = str(locale).split("_")[0]
        return language if json.loads(self.translations or "{}").get(language, {}).get(field) else "en"

    def translation(self, field, language):
        """Return the field's translation into the language, or "" when there is none."""
        return json.loads(self.translations or "{}").get(language, {}).get(field, "")


class Plan(Translated, BaseModel):
    """A district's Equity Plan, Section 4, with the district (LEA) it belongs to."""

    TRANSLATED = ("title", "stakeholder_engagement")

    lea_name = pw.CharField(max_length=200)
    lea_state = pw.CharField(max_length=2, default="")
    lea_schools = pw.IntegerField(null=True)
    lea_students = pw.IntegerField(null=True)
    time_zone = pw.CharField(max_length=64, default="America/New_York")
    title = pw.CharField(max_length=300)
    school_years = pw.CharField(max_length=100, default="")
    starts_on = pw.DateField()
    ends_on = pw.DateField()
    # The date up to which the recorded monitoring data was entered ("today" in the file).
    data_as_of = pw.DateField(null=True)
    stakeholder_engagement = pw.TextField(default="")
    technical_assistance = pw.TextField(default="")
    created_at = pw.DateTimeField(default=utcnow)
    translations = pw.TextField(default="{}")

    @classmethod
    def current(cls):
        """Return the plan the portal serves: the most recently created one, or None."""
        return cls.select().order_by(cls.id.desc()).first()


class Person(BaseModel):
    """A member of the district staff named in the plan as responsible for something."""

    plan = pw.ForeignKeyField(Plan, backref="people", on_delete="CASCADE")
    key = pw.CharField(max_length=100)
    name = pw.CharField(max_length=200)
    title = pw.CharField(max_length=200, default="")
    email = pw.CharField(max_length=254, default="")

    class Meta:
        indexes = ((("plan", "key"), True),)


class MonitoringPeriod(Translated, BaseModel):
    """One interval of the monitoring calendar (three months, six months, one year, two years)."""

    TRANSLATED = ("label",)

    plan = pw.ForeignKeyField(Plan, backref="periods", on_delete="CASCADE")
    key = pw.CharField(max_length=50)
    label = pw.CharField(max_length=200)
    starts_on = pw.DateField()
    ends_on = pw.DateField()
    position = pw.IntegerField(default=0)
    state = pw.CharField(max_length=20, default="upcoming")
    closed_at = pw.DateTimeField(null=True)
    translations = pw.TextField(default="{}")

    class Meta:
        indexes = ((("plan", "key"), True),)

    def is_due(self, today):
        """Return True once the period's window has ended on the given date."""
        return self.ends_on < today


class Strategy(Translated, BaseModel):
    """Step 1 and the strategy-wide part of Step 2."""

    TRANSLATED = ("name", "measures_of_success", "long_term_goal", "timing", "stakeholder_engagement", "course_corrections")

    plan = pw.ForeignKeyField(Plan, backref="strategies", on_delete="CASCADE")
    key = pw.CharField(max_length=100)
    position = pw.IntegerField(default=0)
    name = pw.TextField()
    measures_of_success = pw.TextField(default="")
    person_responsible = pw.ForeignKeyField(Person, null=True, on_delete="SET NULL")
    long_term_goal = pw.TextField(default="")
    starts_on = pw.DateField(null=True)
    ends_on = pw.DateField(null=True)
    timing = pw.TextField(default="")
    stakeholder_engagement = pw.TextField(default="")
    course_corrections = pw.TextField(default="")
    # JSON {"en": "...", "es": "..."}: a plain-language summary for families, by locale.
    summaries = pw.TextField(default="{}")
    translations = pw.TextField(default="{}")

    class Meta:
        indexes = ((("plan", "key"), True),)

    def summary_in(self, locale):
        """Return the plain-language summary in the locale, else in English, else ""."""
        summaries = json.loads(self.summaries or "{}")
        return summaries.get(str(locale)) or summaries.get("en", "")


class LeadingIndicator(Translated, BaseModel):
    """The Step 2 monitoring plan for one leading indicator of a strategy."""

    TRANSLATED = ("name",)

    strategy = pw.ForeignKeyField(Strategy, backref="indicators", on_delete="CASCADE")
    key = pw.CharField(max_length=100)
    position = pw.IntegerField(default=0)
    name = pw.TextField()
    unit = pw.CharField(max_length=20)
    direction = pw.CharField(max_length=20)
    baseline_value = pw.FloatField(null=True)
    baseline_as_of = pw.DateField(null=True)
    baseline_source = pw.TextField(default="")
    target_value = pw.FloatField(null=True)
    target_by = pw.DateField(null=True)
    monitoring_frequency = pw.TextField(default="")
    evidence = pw.TextField(default="")
    on_track_when = pw.TextField(default="")
    responsible = pw.ForeignKeyField(Person, null=True, on_delete="SET NULL")
    translations = pw.TextField(default="{}")

    class Meta:
        indexes = ((("strategy", "key"), True),)


class Reflection(BaseModel):
    """Step 4: the self-reflection and course correction for an indicator in a period."""

    indicator = pw.ForeignKeyField(LeadingIndicator, backref="reflections", on_delete="CASCADE")
    period = pw.ForeignKeyField(MonitoringPeriod, on_delete="CASCADE")
    implemented = pw.CharField(max_length=20, default="")
    what_went_wrong = pw.TextField(default="")
    evidence_of_implementation = pw.TextField(default="")
    factors = pw.TextField(default="")
    resources_sufficient = pw.BooleanField(null=True)
    realistic_to_measure = pw.BooleanField(null=True)
    revisit_course_corrections = pw.TextField(default="")
    course_correction = pw.TextField(default="")
    recorded_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("indicator", "period"), True),)


class Benchmark(Translated, BaseModel):
    """An interim target for an indicator in a period.

    A Step 4 reflection revises a benchmark by adding a row that points back at the
    reflection. The row it replaces keeps its values and gets superseded_by set.
    """

    TRANSLATED = ("description",)

    indicator = pw.ForeignKeyField(LeadingIndicator, backref="benchmarks", on_delete="CASCADE")
    period = pw.ForeignKeyField(MonitoringPeriod, on_delete="CASCADE")
    target = pw.FloatField()
    description = pw.TextField(default="")
    position = pw.IntegerField(default=0)
    reflection = pw.ForeignKeyField(
        Reflection, null=True, backref="new_benchmarks", on_delete="CASCADE"
    )
    superseded_by = pw.ForeignKeyField("self", null=True, on_delete="SET NULL")
    superseded_at = pw.DateTimeField(null=True)
    created_at = pw.DateTimeField(default=utcnow)
    translations = pw.TextField(default="{}")

    @property
    def in_force(self):
        return self.superseded_by_id is None


class CheckIn(BaseModel):
    """Step 3: what the team did in a period, the evidence and the actual value."""

    indicator = pw.ForeignKeyField(LeadingIndicator, backref="check_ins", on_delete="CASCADE")
    period = pw.ForeignKeyField(MonitoringPeriod, on_delete="CASCADE")
    implemented = pw.CharField(max_length=20, default="")
    evidence = pw.TextField(default="")
    actual = pw.FloatField(null=True)
    progress_notes = pw.TextField(default="")
    adjustments_needed = pw.BooleanField(default=False)
    recorded_at = pw.DateTimeField(default=utcnow)
    updated_at = pw.DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("indicator", "period"), True),)


class EvidenceFile(BaseModel):
    """A file uploaded as evidence for a check-in, stored outside the static folder."""

    check_in = pw.ForeignKeyField(CheckIn, backref="files", on_delete="CASCADE")
    original_name = pw.CharField(max_length=255)
    content_type = pw.CharField(max_length=100)
    size_bytes = pw.IntegerField()
    stored_name = pw.CharField(max_length=100, unique=True)
    uploaded_at = pw.DateTimeField(default=utcnow)


MODELS = [
    Plan,
    Person,
    MonitoringPeriod,
    Strategy,
    LeadingIndicator,
    Reflection,
    Benchmark,
    CheckIn,
    EvidenceFile,
]
