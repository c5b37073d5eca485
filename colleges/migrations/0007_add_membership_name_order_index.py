from django.db import migrations

from core.migration_ops import PostgreSQLOnly


class Migration(migrations.Migration):
    """A page of one college's people in name order, served by an index on PostgreSQL; nothing on SQLite.

    ``(college_id, sort_name COLLATE "C", id)`` gives a page in the order of ``accounts.search.name_order``
    without sorting the whole college (SQLite compares code points with no collation named; its
    (college, role, status) index serves it there). A search in ``search_text`` reads the college's
    memberships by that index or the (college, role, status) one: a trigram index here would hand
    back every namesake of the installation (60,000 rows for «Иванов» in 20 colleges, against 3,000
    in the college), so it is left out on purpose.
    """

    dependencies = [("colleges", "0006_fill_membership_search_fields")]

    operations = [
        PostgreSQLOnly(
            sql=(
                'CREATE INDEX IF NOT EXISTS "colleges_membership_college_sort" '
                'ON "colleges_membership" ("college_id", "sort_name" COLLATE "C", "id")'
            ),
            reverse_sql='DROP INDEX IF EXISTS "colleges_membership_college_sort"',
        ),
    ]
