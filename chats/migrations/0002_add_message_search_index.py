from django.db import migrations

from core.migration_ops import PostgreSQLOnly


class Migration(migrations.Migration):
    """Full-text search of messages in Russian (``chats.selectors.messages_search``), PostgreSQL only."""

    dependencies = [("chats", "0001_initial")]

    operations = [
        PostgreSQLOnly(
            sql=(
                'CREATE INDEX IF NOT EXISTS "chats_message_text_fts" ON "chats_message" '
                "USING gin (to_tsvector('russian'::regconfig, \"text\"))"
            ),
            reverse_sql='DROP INDEX IF EXISTS "chats_message_text_fts"',
        ),
    ]
