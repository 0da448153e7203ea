"""Staff accounts."""

import peewee as pw
from flask_login import UserMixin
from werkzeug.security import check_password_hash, generate_password_hash

from portal.db import BaseModel, utcnow
from portal.plan.models import Person

ROLES = ("admin", "leader", "point-person")


class StaffUser(UserMixin, BaseModel):
    """A member of the district staff who signs in with email and password."""

    email = pw.CharField(max_length=254, unique=True)
    name = pw.CharField(max_length=200, default="")
    job_title = pw.CharField(max_length=200, default="")
    role = pw.CharField(max_length=20)
    password_hash = pw.CharField(max_length=256)
    active = pw.BooleanField(default=True)
    person = pw.ForeignKeyField(Person, null=True, backref="staff_users", on_delete="SET NULL")
    created_at = pw.DateTimeField(default=utcnow)
    last_sign_in_at = pw.DateTimeField(null=True)

    @property
    def is_active(self):
        return self.active

    def get_id(self):
        return f"staff:{self.id}"

    def set_password(self, password):
        self.password_hash = generate_password_hash(password)

    def check_password(self, password):
        return check_password_hash(self.password_hash, password)

    @property
    def display_name(self):
        return self.name or self.email


MODELS = [StaffUser]
