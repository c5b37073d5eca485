"""Migration operations for what only PostgreSQL has (trigram indexes), so every migration also runs on SQLite.

``make run`` keeps its data in SQLite; there ``PostgreSQLOnly`` does nothing,
and a search reads the table as it always did. The operation changes no model
state: the index it makes is not in any model's ``Meta.indexes``, so
``makemigrations`` never sees it and SQLite never rebuilds it with a table.
"""

from django.db import migrations


class PostgreSQLOnly(migrations.RunSQL):
    """``RunSQL`` that runs on PostgreSQL alone."""

    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)

    def describe(self):
        return "Raw SQL on PostgreSQL only"


def trigram_index(*, table: str, column: str, name: str) -> PostgreSQLOnly:
    """A GIN trigram index: ``column LIKE '%…%'`` read through the index instead of the whole table."""
    return PostgreSQLOnly(
        sql=f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" USING gin ("{column}" gin_trgm_ops)',
        reverse_sql=f'DROP INDEX IF EXISTS "{name}"',
    )


# pg_trgm is a trusted extension (PostgreSQL 13+): the database's owner may create it. It stays on a reverse.
TRIGRAM_EXTENSION = PostgreSQLOnly(sql="CREATE EXTENSION IF NOT EXISTS pg_trgm", reverse_sql=migrations.RunSQL.noop)
