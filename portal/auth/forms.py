"""Staff sign-in form."""

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
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
