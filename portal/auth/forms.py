"""Staff sign-in form."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from flask_babel import lazy_gettext as _l
from wtforms.validators import DataRequired, Email, Length


class SignInForm(FlaskForm):
    email = EmailField(
        "Email",
        filters=[lambda value: value.strip() if value else value],
        render_kw={"autocomplete": "username"},
        validators=[
            DataRequired("Enter your work email address."),
            Email("Enter an email address like name@district.org.", check_deliverability=False),
            Length(max=254),
        ],
    )
    password = PasswordField(
        "Password", validators=[DataRequired("Enter your password.")], render_kw={"autocomplete": "current-password"}
    )


class NewLinkForm(FlaskForm):
    """A stakeholder's request for a new invitation link."""

    email = EmailField(
        _l("Your email address"),
        filters=[lambda value: value.strip() if value else value],
        validators=[
            DataRequired(_l("Enter the email address your invitation was sent to.")),
            Email(_l("Enter an email address like name@example.com."), check_deliverability=False),
            Length(max=254),
        ],
        render_kw={"autocomplete": "email"},
    )
