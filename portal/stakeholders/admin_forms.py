"""Forms of the administrators' pages for stakeholder groups and roster imports."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Regexp

from portal.stakeholders.roster import FIELDS, REQUIRED_FIELDS


def strip(value):
    return value.strip() if isinstance(value, str) else value


def label_field(label, description, max_length=100):
    return StringField(
        label,
        filters=[strip],
        validators=[
            DataRequired(f"Write the {description}."),
            Length(max=max_length, message=f"Keep the {description} to {max_length} characters or fewer."),
        ],
    )


class GroupLabelsForm(FlaskForm):
    """A stakeholder group's labels in English and Spanish, and whether its names are hidden."""

    label = label_field("Label in English, for one person", "English label")
    plural_label = label_field("Plural label in English", "English plural label")
    label_es = label_field("Label in Spanish, for one person", "Spanish label")
    plural_label_es = label_field("Plural label in Spanish", "Spanish plural label")
    anonymous = BooleanField("Never show the names of this group's stakeholders, to staff either")


class NewGroupForm(GroupLabelsForm):
    """A new stakeholder group: a key, which cannot change later, and its labels."""

    key = StringField(
        "Key",
        filters=[strip],
        validators=[
            DataRequired("Write a key, such as community-member."),
            Length(max=50, message="Keep the key to 50 characters or fewer."),
            Regexp(
                r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$",
                message="Use lowercase letters, digits and single hyphens between words, "
                "starting with a letter, such as community-member.",
            ),
        ],
    )


class RosterUploadForm(FlaskForm):
    """The roster file to import."""

    # The view checks the file while reading it, so every problem appears beside this field.
    file = FileField("Roster file (CSV or Excel .xlsx)")


FIELD_LABELS = {
    "email": "Email",
    "group": "Stakeholder group",
    "name": "Full name",
    "first_name": "First name",
    "last_name": "Last name",
    "school": "School",
    "language": "Preferred language",
}

FIELD_HINTS = {
    "email": "Required. Stakeholders already on the roster are matched by email and left as they are.",
    "group": "Required. Group names in English or Spanish, their plurals and common spellings are recognised.",
    "name": "Leave this empty when the file has first and last names in separate columns.",
    "language": "Names such as Spanish or Español and codes such as es are recognised. Empty cells mean English.",
}

# Fields that FIELD_LABELS lacks come last, under their own names.
MAPPING_ORDER = [name for name in FIELD_LABELS if name in FIELDS] + [name for name in FIELDS if name not in FIELD_LABELS]

NOT_IN_FILE = ""


class MappingForm(FlaskForm):
    """The file's column for each roster field: one select per field in roster.FIELDS."""

    def fill(self, headers):
        """Offer the file's headers, each once, in every select."""
        choices = [(NOT_IN_FILE, "Not in this file")]
        seen = set()
        for header in headers:
            if header and header.casefold() not in seen:
                seen.add(header.casefold())
                choices.append((header, header))
        for field in self.roster_fields():
            field.choices = choices
        return self

    def roster_fields(self):
        """Return the selects in the order the page shows them."""
        return [self[name] for name in MAPPING_ORDER]

    def mapping(self):
        """Return {field: header} for the fields given a column."""
        return {field.name: field.data for field in self.roster_fields() if field.data}

    def add_problems(self, problems):
        """Put roster.mapping_problems messages beside their fields, and return True when there were none."""
        for name, problem in problems.items():
            self[name].errors = [*self[name].errors, problem]
        return not problems


for _name in MAPPING_ORDER:
    setattr(
        MappingForm,
        _name,
        SelectField(
            FIELD_LABELS.get(_name, _name.replace("_", " ").capitalize()) + (" (required)" if _name in REQUIRED_FIELDS else ""),
            choices=[],
            default=NOT_IN_FILE,
            # A header that a remembered mapping names may not be offered, so mapping_problems
            # reports unknown headers rather than WTForms' generic "Not a valid choice".
            validate_choice=False,
        ),
    )
del _name
