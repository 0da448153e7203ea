"""Let administrators take a stakeholder off the roster without losing what they said."""

import peewee


def upgrade(database):
    timestamp = "TIMESTAMP" if isinstance(database.obj, peewee.PostgresqlDatabase) else "DATETIME"
    database.execute_sql(f'ALTER TABLE "stakeholder" ADD COLUMN "removed_at" {timestamp}')
