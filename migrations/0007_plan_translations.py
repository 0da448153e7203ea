"""Add translations of the plan's text that stakeholders read: titles, names, labels.

Each table gets a JSON column {"es": {"name": "..."}} by language code, then field.
"""

TABLES = ["plan", "monitoring_period", "strategy", "leading_indicator", "benchmark"]


def upgrade(database):
    for table in TABLES:
        database.execute_sql(f"ALTER TABLE \"{table}\" ADD COLUMN \"translations\" TEXT NOT NULL DEFAULT '{{}}'")
