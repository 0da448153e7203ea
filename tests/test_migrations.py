"""The schema comes from the migrations, and matches the models."""

import peewee
import pytest

from portal import create_app, db
from portal.db import database
from portal.models import ALL_MODELS
from portal.stakeholders.models import StakeholderGroup


def test_migrations_build_models_schema(app):
    for model in ALL_MODELS:
        table = model._meta.table_name
        columns = {column.name for column in database.get_columns(table)}
        expected = {field.column_name for field in model._meta.sorted_fields}
        assert columns == expected, table


def test_migrations_create_unique_indexes(app):
    for model in ALL_MODELS:
        for fields, unique in model._meta.indexes:
            if not unique:
                continue
            columns = [model._meta.fields[name].column_name for name in fields]
            indexes = database.get_indexes(model._meta.table_name)
            assert any(index.unique and index.columns == columns for index in indexes), (model, columns)


def test_migrate_twice_applies_nothing(app):
    assert db.migrate() == []


def test_default_groups_are_seeded(app):
    keys = [group.key for group in StakeholderGroup.select().order_by(StakeholderGroup.position)]
    assert keys == [
        "teacher",
        "teacher-leader",
        "paraprofessional",
        "principal",
        "principal-supervisor",
        "parent",
        "student",
        "board-member",
        "business-leader",
        "community-member",
    ]
    student = StakeholderGroup.get(StakeholderGroup.key == "student")
    assert student.anonymous is True
    assert student.label_in("es") == "Estudiante"
    assert student.label_in("fr") == "Student"


def test_migrations_from_empty_sqlite_file(tmp_path):
    create_app({"ENVIRONMENT": "testing", "SQLITE_FILENAME": str(tmp_path / "new.sqlite3")})
    if not db.is_sqlite():
        pytest.skip("runs on the SQLite default only")
    assert db.migrate() == ["0001_initial"]
    with database.connection_context():
        assert "stakeholder" in database.get_tables()
        with pytest.raises(peewee.IntegrityError):
            database.execute_sql('INSERT INTO "person" ("plan_id", "key", "name", "title", "email") VALUES (999, \'k\', \'n\', \'\', \'\')')
