"""Print the CREATE statements for the current models, for SQLite and PostgreSQL.

Used when writing a migration that creates tables: the statements are pasted into the
migration so that it keeps creating the same schema after the models change.
Run: .venv/bin/python scripts/schema_sql.py [ModelName ...]   (all models when none given)
"""

import pathlib
import pprint
import sys

import peewee

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent))

from portal.db import database  # noqa: E402
from portal.models import ALL_MODELS  # noqa: E402


def statements(models):
    result = []
    for model in models:
        context = model._schema._create_table(safe=False)
        sql, params = database.get_sql_context().sql(context).query()
        assert not params, (model, params)
        result.append(sql)
        for index in model._schema._create_indexes(safe=False):
            sql, params = database.get_sql_context().sql(index).query()
            assert not params, (model, params)
            result.append(sql)
    return result


def main():
    names = set(sys.argv[1:])
    models = [model for model in ALL_MODELS if not names or model.__name__ in names]
    for name, db in (("SQLITE", peewee.SqliteDatabase(":memory:")), ("POSTGRESQL", peewee.PostgresqlDatabase("x"))):
        database.initialize(db)
        print(f"{name} = ", end="")
        pprint.pprint(statements(models), width=100)
        print()


if __name__ == "__main__":
    main()
