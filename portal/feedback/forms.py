"""Forms for comments and replies."""

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.widgets import CheckboxInput, ListWidget
from wtforms.validators import DataRequired, Length, ValidationError

# Each language's own name, so a reader finds theirs whatever the page language.
LANGUAGE_NAMES = {
    "en": "English",
    "es": "Español",
    "vi": "Tiếng Việt",
    "zh": "中文",
    "ar": "العربية",
    "ht": "Kreyòl ayisyen",
    "ko": "한국어",
    "ru": "Русский",
    "fr": "Français",
    "pt": "Português",
}


class CommentBodyField(TextAreaField):
    """The text of a comment or reply, stripped of surrounding whitespace."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        self.data = (self.data or "").strip()


def check_length(form, field):
    limit = current_app.config["COMMENT_MAX_LENGTH"]
    if len(field.data or "") > limit:
        raise ValidationError(
            _l(
                "Your comment is %(length)s characters long; the limit is %(limit)s. Shorten it and send it again.",
                length=len(field.data),
                limit=limit,
            )
        )


class CommentForm(FlaskForm):
    """A stakeholder's new comment on a strategy or on one of its benchmarks."""

    benchmark = HiddenField()
    body = CommentBodyField(
        _l("Your comment"),
        validators=[DataRequired(_l("Write your comment before sending it.")), check_length],
    )
    language = SelectField(_l("Language you are writing in"), validators=[Length(max=10)])
    hide_name = BooleanField(_l("Keep my name from district staff. They can still reply to you."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        codes = current_app.config["COMMENT_LANGUAGES"]
        self.language.choices = [(code, LANGUAGE_NAMES.get(code, code)) for code in codes]

    def aim_at(self, benchmark):
        """Point the form at a benchmark (or the strategy, for None) and give it unique ids.

        A strategy page contains one form per benchmark, so each needs its own element ids.
        """
        self.form_id = f"comment-form-{benchmark.id if benchmark else 'strategy'}"
        for field in (self.benchmark, self.body, self.language, self.hide_name):
            field.id = f"{self.form_id}-{field.name}"
        self.benchmark.data = str(benchmark.id) if benchmark else ""
        return self


class EditCommentForm(FlaskForm):
    """The author's corrected text of a comment."""

    body = CommentBodyField(
        _l("Your comment"),
        validators=[DataRequired(_l("Write your comment before saving it. To remove it, withdraw it instead.")), check_length],
    )


class ThreadMessageForm(FlaskForm):
    """A reply from the point person, or the stakeholder's answer back, in a thread."""

    body = CommentBodyField(
        _l("Your message"),
        validators=[DataRequired(_l("Write your message before sending it.")), check_length],
    )


class StaffMessageForm(ThreadMessageForm):
    """A point person's reply, or any staff member's internal note, in a thread."""

    internal = BooleanField("Internal note: only staff see it, and the stakeholder is not emailed")


class AssignForm(FlaskForm):
    """Hand a thread to another point person."""

    assignee = SelectField("Hand this thread to", coerce=int, validators=[DataRequired("Choose a point person.")])


class ThemesForm(FlaskForm):
    """The themes tagged on a thread."""

    themes = SelectMultipleField(
        "Themes", coerce=int, widget=ListWidget(prefix_label=False), option_widget=CheckboxInput()
    )


OUTCOME_LABELS = {
    "changed": _l("Changed: something was done about it"),
    "already_in_place": _l("Already in place"),
    "not_planned": _l("Not planned"),
}


class CloseForm(FlaskForm):
    """Close the loop with an outcome."""

    outcome = RadioField(
        "Outcome",
        choices=[(key, label) for key, label in OUTCOME_LABELS.items()],
        validators=[DataRequired("Choose what came of this comment.")],
    )
    note = CommentBodyField(
        "What was done, or why not (the stakeholder reads this, and it appears on the public \"You said, we did\" page)",
        validators=[DataRequired("Say what was done, or why it is not planned; the stakeholder reads this."), check_length],
    )
    reflection = SelectField("Step 4 course correction it led to (optional)", coerce=int, default=0)


class HideForm(FlaskForm):
    """Hide a comment, with the reason emailed to its author."""

    reason = CommentBodyField(
        "Reason, which the author is told",
        validators=[DataRequired("Give the reason; the author is told it."), Length(max=1000)],
    )


class ThemeForm(FlaskForm):
    """Add a theme to the plan's list."""

    label = StringField(
        "New theme",
        filters=[lambda value: value.strip() if value else value],
        validators=[DataRequired("Write the theme's name."), Length(max=100, message="Keep the theme under 100 characters.")],
    )


INBOX_STATES = {
    "awaiting_reply": "Awaiting reply",
    "overdue": "Overdue",
    "answered": "Answered",
    "closed": "Closed",
}


class InboxFilterForm(FlaskForm):
    """The inbox's filters, read from the query string."""

    state = SelectField("State", choices=[], default="awaiting_reply")
    strategy = SelectField("Strategy", coerce=int, choices=[], default=0)
    period = SelectField("Period", coerce=int, choices=[], default=0)
    group = SelectField("Group", coerce=int, choices=[], default=0)
    language = SelectField("Language", choices=[], default="")

    # What each filter chooses from, for the message about a value that is not in its list.
    CHOICE_NAMES = {
        "state": "the thread states",
        "strategy": "the plan's strategies",
        "period": "the plan's monitoring periods",
        "group": "the stakeholder groups",
        "language": "the comment languages",
    }

    def drop_invalid(self, args):
        """Reset each filter that failed validation to its default, with a message naming the value."""
        for item in self:
            if item.errors:
                value = args.get(item.name, "")
                item.errors = [
                    f"{value!r} is not one of {self.CHOICE_NAMES[item.name]}, so this filter was not applied. "
                    "Choose a value from the list."
                ]
                item.data = item.default

    def fill_choices(self, plan):
        """Offer the plan's strategies and periods, the groups and the comment languages."""
        from portal.plan.models import MonitoringPeriod, Strategy
        from portal.stakeholders.models import StakeholderGroup

        self.state.choices = list(INBOX_STATES.items())
        strategies = Strategy.select().where(Strategy.plan == plan).order_by(Strategy.position) if plan else []
        periods = MonitoringPeriod.select().where(MonitoringPeriod.plan == plan).order_by(MonitoringPeriod.position) if plan else []
        self.strategy.choices = [(0, "All strategies")] + [(s.id, s.name) for s in strategies]
        self.period.choices = [(0, "All periods")] + [(p.id, p.label) for p in periods]
        self.group.choices = [(0, "All groups")] + [
            (g.id, g.plural_label) for g in StakeholderGroup.select().order_by(StakeholderGroup.position)
        ]
        self.language.choices = [("", "All languages")] + [
            (code, LANGUAGE_NAMES.get(code, code)) for code in current_app.config["COMMENT_LANGUAGES"]
        ]
