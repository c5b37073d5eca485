from django.db import migrations

from core.migration_ops import TRIGRAM_EXTENSION, trigram_index


class Migration(migrations.Migration):
    """People search (``search_text LIKE '%иванов%'``) through a trigram index on PostgreSQL; nothing on SQLite."""

    dependencies = [("accounts", "0006_fill_user_search_fields")]

    operations = [
        TRIGRAM_EXTENSION,
        trigram_index(table="accounts_user", column="search_text", name="accounts_user_search_trgm"),
    ]
