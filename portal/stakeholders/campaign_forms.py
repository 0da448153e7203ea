"""Forms for invitation campaigns (staff pages, English only)."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, RadioField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from portal.stakeholders.campaigns import INVITEE_STATES


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


DATE_MESSAGE = "Enter the date as YYYY-MM-DD, for example 2026-03-15."


class DayField(DateField):
    """A date field whose error for unreadable input says which format to use."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as error:
            raise ValueError(DATE_MESSAGE) from error


class CampaignForm(FlaskForm):
    """A new campaign. choices are set by the view from the plan."""

    name = StringField(
        "Name",
        validators=[DataRequired("Give the campaign a name, such as “Spring check-in”."), Length(max=200)],
    )
    period = SelectField("Monitoring period it asks about", coerce=int, validators=[InputRequired("Choose a period.")])
    opens_on = DayField("Comments open on", validators=[InputRequired(DATE_MESSAGE)])
    closes_on = DayField("Comments close on", validators=[InputRequired(DATE_MESSAGE)])
    links_expire_on = DayField("Links stop working after", validators=[InputRequired(DATE_MESSAGE)])
    scope = RadioField(
        "Scope",
        choices=[("plan", "The whole plan"), ("strategies", "Only the strategies ticked below")],
        default="plan",
        validators=[InputRequired("Choose the whole plan or some strategies.")],
    )
    strategies = CheckboxesField("Strategies", coerce=int)
    groups = CheckboxesField("Groups to invite (none ticked: every group)")

    def __init__(self, plan, today, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.plan = plan
        self.today = today

    def validate_closes_on(self, field):
        if self.opens_on.data and field.data and field.data < self.opens_on.data:
            raise ValidationError("Comments cannot close before they open. Choose a date on or after the opening date.")
        if field.data and not (self.plan.starts_on <= field.data <= self.plan.ends_on):
            raise ValidationError(
                f"The plan runs from {self.plan.starts_on} to {self.plan.ends_on}. Choose a closing date within it."
            )
        if field.data and field.data < self.today:
            raise ValidationError(f"That date has passed (today is {self.today}). Choose a later closing date.")

    def validate_opens_on(self, field):
        if field.data and not (self.plan.starts_on <= field.data <= self.plan.ends_on):
            raise ValidationError(
                f"The plan runs from {self.plan.starts_on} to {self.plan.ends_on}. Choose an opening date within it."
            )

    def validate_links_expire_on(self, field):
        if self.closes_on.data and field.data and field.data < self.closes_on.data:
            raise ValidationError(
                "Links would stop working before comments close. Choose a date on or after the closing date."
            )

    def validate_strategies(self, field):
        if self.scope.data == "strategies" and not field.data:
            raise ValidationError("Tick at least one strategy, or choose the whole plan.")


class RevokeCampaignForm(FlaskForm):
    confirm = BooleanField(
        "I understand that every link of this campaign stops working at once",
        validators=[DataRequired("Tick the box to confirm; revoking cannot be undone.")],
    )


class InviteeFilterForm(FlaskForm):
    """The invitee list's state filter, read from the query string."""

    class Meta:
        csrf = False

    state = SelectField(
        "Show",
        choices=[("", "Everyone")] + [(state, state.capitalize()) for state in INVITEE_STATES],
        default="",
    )
