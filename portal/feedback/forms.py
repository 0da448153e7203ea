"""Forms for comments and replies."""

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, TextAreaField
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        codes = current_app.config["COMMENT_LANGUAGES"]
        self.language.choices = [(code, LANGUAGE_NAMES.get(code, code)) for code in codes]

    def aim_at(self, benchmark):
        """Point the form at a benchmark (or the strategy, for None) and give it unique ids.

        A strategy page contains one form per benchmark, so each needs its own element ids.
        """
        self.form_id = f"comment-form-{benchmark.id if benchmark else 'strategy'}"
        for field in (self.benchmark, self.body, self.language):
            field.id = f"{self.form_id}-{field.name}"
        self.benchmark.data = str(benchmark.id) if benchmark else ""
        return self


class ThreadMessageForm(FlaskForm):
    """A reply from the point person, or the stakeholder's answer back, in a thread."""

    body = CommentBodyField(
        _l("Your message"),
        validators=[DataRequired(_l("Write your message before sending it.")), check_length],
    )
