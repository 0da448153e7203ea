"""Forms for Step 3 check-ins, Step 4 reflections and the monitoring calendar."""

import re

from flask import current_app
from flask_wtf import FlaskForm
from wtforms import Form, FormField, MultipleFileField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, StopValidation, ValidationError

from portal.monitoring.uploads import RejectedFile, check_file
from portal.plan.models import PERIOD_STATES

TEXT_MAX_LENGTH = 10000  # maximum characters in each free-text field
TOO_LONG = "Shorten this answer to at most %(max)d characters."

IMPLEMENTED_CHOICES = [("yes", "Yes, completely"), ("partially", "Partially"), ("no", "No")]
YES_NO_CHOICES = [("yes", "Yes"), ("no", "No")]
YES_NO_UNSURE_CHOICES = [("yes", "Yes"), ("no", "No"), ("", "Not sure yet")]

# The worksheet's questions, used as labels here and as row titles in the worksheet.
CHECK_IN_QUESTIONS = {
    "period": "What is the monitoring interval?",
    "implemented": "Did your team do what was planned in your strategy?",
    "evidence": "How do you know? What is the evidence (meeting agendas, data collection, other artifacts)?",
    "actual": "Actual value for this period",
    "progress_notes": "How much progress have you made toward your goal?",
    "adjustments_needed": "Do you need to make any adjustments at this time?",
    "files": "Evidence files",
}
REFLECTION_QUESTIONS = {
    "what_went_wrong": "What went wrong?",
    "implemented": "Were the planned action steps in the strategy actually implemented? "
    "Was the implementation partial or complete?",
    "evidence_of_implementation": "What evidence supports the determination that the strategy or planned "
    "actions were implemented or not implemented?",
    "factors": "What factors either supported or hindered implementation of the strategy or planned action "
    "steps, and how did these factors affect the outcomes?",
    "resources_sufficient": "Were resources (funds, personnel, time, knowledge, willingness, other resources) "
    "sufficient to ensure successful implementation of the strategy or planned action steps?",
    "realistic_to_measure": "Was it possible (realistic) to obtain and evaluate outcomes from implementation "
    "of the strategy or planned action steps during the monitoring interval?",
    "revisit_course_corrections": "Revisit the possible course corrections from your monitoring plan. "
    "Would they help get you back on track?",
    "course_correction": "What will you do to course-correct?",
}


class StrippedTextArea(TextAreaField):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The field macro picks the USWDS class by this name.
        self.type = "TextAreaField"

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.data = (self.data or "").strip()


class StrippedString(StringField):
    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.data = (self.data or "").strip()


class AnswerRadio(RadioField):
    """Radio buttons that reject a value outside their choices with a message naming the fix."""

    def pre_validate(self, form):
        if self.data is not None and self.data not in {value for value, _label in self.choices}:
            raise ValidationError(f"{self.data!r} is not one of the answers. Choose one of the listed answers.")


def long_text(label, validators=()):
    return StrippedTextArea(label, validators=[*validators, Length(max=TEXT_MAX_LENGTH, message=TOO_LONG)])


def parse_measure(text, unit):
    """Return the number typed for an indicator's unit, or raise ValidationError saying what to enter.

    Percent values may end in "%", and thousands may be separated by commas. A comma
    anywhere else, as in the decimal comma of "7,5", is rejected rather than dropped.
    """
    stripped = text.strip()
    if "," in stripped and not re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d*)?%?", stripped):
        decimal = stripped.replace(",", ".")
        raise ValidationError(
            f"{text!r} has a comma that is not a thousands separator. Write decimals with a point, such as {decimal}."
        )
    cleaned = stripped.replace(",", "")
    if unit == "percent":
        cleaned = cleaned.removesuffix("%").strip()
    if not re.fullmatch(r"-?(\d+(\.\d*)?|\.\d+)", cleaned):
        example = {"percent": "82.5", "count": "14", "hours": "12.5"}.get(unit, "82.5")
        raise ValidationError(f"{text!r} is not a number. Enter a number such as {example}.")
    value = float(cleaned)
    if value < 0:
        raise ValidationError(f"{text} is below zero. Enter zero or more.")
    if unit == "percent" and value > 100:
        raise ValidationError(f"{text} is more than 100. Enter a percent from 0 to 100, such as 82.5.")
    if unit == "count" and not value.is_integer():
        raise ValidationError(f"{text} is not a whole number. Enter a count such as 14.")
    return value


class MeasureField(StrippedString):
    """A value in the indicator's unit. After validation .value is the parsed number, or None when blank."""

    unit = "percent"
    value = None

    def pre_validate(self, form):
        self.value = parse_measure(self.data, self.unit) if self.data else None


class PeriodField(SelectField):
    """The monitoring period, chosen by key; the view sets .periods to {key: MonitoringPeriod}."""

    periods = {}

    def __init__(self, label, **kwargs):
        super().__init__(label, validate_choice=False, **kwargs)
        self.type = "SelectField"

    def set_periods(self, periods):
        self.periods = {period.key: period for period in periods}
        self.choices = [
            (period.key, f"{period.label} ({short_date(period.starts_on)} to {short_date(period.ends_on)})")
            for period in periods
        ]

    def pre_validate(self, form):
        if not self.data:
            raise StopValidation("Choose the monitoring period.")
        if self.data not in self.periods:
            raise StopValidation(
                f"There is no monitoring period {self.data!r} in this plan. Choose one of the listed periods."
            )

    @property
    def period(self):
        return self.periods.get(self.data)


def short_date(day):
    return f"{day:%b} {day.day}, {day.year}"


def check_period_editable(period, today, is_admin):
    """Raise ValidationError when check-ins and reflections for the period cannot be recorded now."""
    if period.state == "closed" and not is_admin:
        raise ValidationError(
            f"The {period.label} period is closed, so only an administrator can change its check-ins and reflections. "
            "Ask a district leader to reopen it."
        )
    if period.state == "upcoming" and period.starts_on > today:
        raise ValidationError(
            f"The {period.label} period starts on {short_date(period.starts_on)}. "
            "Record its check-ins once it has started."
        )


class CheckInForm(FlaskForm):
    """Step 3 for one indicator and period."""

    period = PeriodField(CHECK_IN_QUESTIONS["period"])
    implemented = AnswerRadio(
        CHECK_IN_QUESTIONS["implemented"],
        choices=IMPLEMENTED_CHOICES,
        validators=[InputRequired("Choose yes, partially or no.")],
    )
    evidence = long_text(CHECK_IN_QUESTIONS["evidence"])
    actual = MeasureField(CHECK_IN_QUESTIONS["actual"])
    progress_notes = long_text(CHECK_IN_QUESTIONS["progress_notes"])
    adjustments_needed = AnswerRadio(
        CHECK_IN_QUESTIONS["adjustments_needed"],
        choices=YES_NO_CHOICES,
        validators=[InputRequired("Choose yes or no. Yes leads on to the Step 4 reflection.")],
    )
    files = MultipleFileField(CHECK_IN_QUESTIONS["files"])

    def __init__(self, *args, indicator, periods, today, is_admin, **kwargs):
        super().__init__(*args, **kwargs)
        self.period.set_periods(periods)
        self.actual.unit = indicator.unit
        self.today = today
        self.is_admin = is_admin
        self.accepted_files = []

    def validate_period(self, field):
        check_period_editable(field.period, self.today, self.is_admin)

    def validate_files(self, field):
        """Check each chosen file's kind and size, keeping (name, kind, bytes) of the good ones."""
        uploads = [upload for upload in field.data or [] if upload and upload.filename]
        limit = current_app.config["EVIDENCE_FILES_PER_UPLOAD"]
        if len(uploads) > limit:
            raise ValidationError(f"You chose {len(uploads)} files; upload at most {limit} at a time.")
        max_bytes = current_app.config["EVIDENCE_MAX_BYTES"]
        problems = []
        for upload in uploads:
            data = upload.stream.read(max_bytes + 1)
            upload.stream.seek(0, 2)
            size = upload.stream.tell()
            try:
                kind = check_file(upload.filename, data, max_bytes, size)
            except RejectedFile as error:
                problems.append(str(error))
                continue
            self.accepted_files.append((upload.filename, kind, data))
        if problems:
            self.accepted_files = []
            raise ValidationError(" ".join(problems) + " Nothing was saved yet: choose the files again.")


class NewBenchmarkForm(Form):
    """A new benchmark for one later period; both fields blank keeps the benchmark in force."""

    target = MeasureField("New benchmark")
    description = StrippedString("What it means", validators=[Length(max=1000, message=TOO_LONG)])

    def validate_description(self, field):
        if field.data and not self.target.data:
            raise ValidationError("Enter the new benchmark value too, or clear this description.")


class ReflectionForm(FlaskForm):
    """Step 4 for one indicator and period; reflection_form_class adds the new-benchmark subforms."""

    benchmark_periods = []
    unit = "percent"

    period = PeriodField("Monitoring period")
    what_went_wrong = long_text(REFLECTION_QUESTIONS["what_went_wrong"])
    implemented = AnswerRadio(
        REFLECTION_QUESTIONS["implemented"],
        choices=IMPLEMENTED_CHOICES,
        validators=[InputRequired("Choose yes, partially or no.")],
    )
    evidence_of_implementation = long_text(REFLECTION_QUESTIONS["evidence_of_implementation"])
    factors = long_text(REFLECTION_QUESTIONS["factors"])
    # Unanswered counts as "Not sure yet", which is stored as None.
    resources_sufficient = AnswerRadio(
        REFLECTION_QUESTIONS["resources_sufficient"], choices=YES_NO_UNSURE_CHOICES, default=""
    )
    realistic_to_measure = AnswerRadio(
        REFLECTION_QUESTIONS["realistic_to_measure"], choices=YES_NO_UNSURE_CHOICES, default=""
    )
    revisit_course_corrections = long_text(REFLECTION_QUESTIONS["revisit_course_corrections"])
    course_correction = long_text(
        REFLECTION_QUESTIONS["course_correction"],
        validators=[InputRequired("Write what you will do to get back on track.")],
    )

    def __init__(self, *args, periods, today, is_admin, needs_check_in, **kwargs):
        super().__init__(*args, **kwargs)
        self.period.set_periods(periods)
        benchmark_subforms(self)  # gives each new-benchmark field the indicator's unit
        self.today = today
        self.is_admin = is_admin
        # Called with the chosen period; returns an error message, or None when a reflection may be written.
        self.needs_check_in = needs_check_in

    def validate_period(self, field):
        check_period_editable(field.period, self.today, self.is_admin)
        problem = self.needs_check_in(field.period)
        if problem:
            raise ValidationError(problem)


def reflection_form_class(later_periods, unit):
    """Return a ReflectionForm subclass with a new-benchmark subform for each later period."""
    fields = {
        f"benchmark_{period.id}": FormField(NewBenchmarkForm, label=period.label) for period in later_periods
    }
    form_class = type("ReflectionWithBenchmarksForm", (ReflectionForm,), fields)
    form_class.benchmark_periods = list(later_periods)
    form_class.unit = unit
    return form_class


def benchmark_subforms(form):
    """Return [(period, subform)] for the new-benchmark subforms of a reflection form."""
    pairs = []
    for period in form.benchmark_periods:
        subform = form[f"benchmark_{period.id}"]
        subform.form.target.unit = form.unit
        pairs.append((period, subform.form))
    return pairs


class PeriodStateForm(FlaskForm):
    """A district leader opens or closes a monitoring period."""

    state = SelectField("New state", choices=[(state, state) for state in PERIOD_STATES])
