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
    assert db.migrate() == [path.stem for path in db.migration_files()]
    with database.connection_context():
        assert "stakeholder" in database.get_tables()
        with pytest.raises(peewee.IntegrityError):
            database.execute_sql('INSERT INTO "person" ("plan_id", "key", "name", "title", "email") VALUES (999, \'k\', \'n\', \'\', \'\')')


def test_upgrade_from_first_release_keeps_threads(tmp_path):
    import importlib.util

    create_app({"ENVIRONMENT": "testing", "SQLITE_FILENAME": str(tmp_path / "old.sqlite3")})
    if not db.is_sqlite():
        pytest.skip("runs on the SQLite default only")
    first, *later = db.migration_files()
    spec = importlib.util.spec_from_file_location("first_release", first)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    with database.connection_context():
        database.create_tables([db.SchemaMigration])
        module.upgrade(database)
        db.SchemaMigration.create(name=first.stem)
        database.execute_sql(
            "INSERT INTO plan (lea_name, lea_state, time_zone, title, school_years, starts_on, ends_on, "
            "stakeholder_engagement, technical_assistance, created_at) VALUES "
            "('District', 'MD', 'America/New_York', 'Plan', '', '2025-08-01', '2027-07-31', '', '', '2025-08-01')"
        )
        database.execute_sql(
            "INSERT INTO strategy (plan_id, key, position, name, measures_of_success, long_term_goal, timing, "
            "stakeholder_engagement, course_corrections) VALUES (1, 's', 0, 'S', '', '', '', '', '')"
        )
        database.execute_sql(
            "INSERT INTO stakeholder (email, name, group_id, school, language, show_name_to_staff, "
            "notifications_enabled, created_at) VALUES ('a@example.org', '', 1, '', 'es', 1, 1, '2025-09-01')"
        )
        database.execute_sql(
            "INSERT INTO thread (plan_id, strategy_id, stakeholder_id, state, outcome_note, created_at, "
            "last_activity_at) VALUES (1, 1, 1, 'awaiting_reply', '', '2025-09-01', '2025-09-01')"
        )
        database.execute_sql(
            "INSERT INTO comment (thread_id, stakeholder_id, body, language, internal, created_at, hidden_reason) "
            "VALUES (1, 1, 'Hola', 'es', 0, '2025-09-01', '')"
        )

    assert db.migrate() == [path.stem for path in later]
    with database.connection_context():
        assert database.execute_sql('SELECT "language" FROM "thread"').fetchone()[0] == "es"
        assert database.execute_sql('SELECT COUNT(*) FROM "comment"').fetchone()[0] == 1
