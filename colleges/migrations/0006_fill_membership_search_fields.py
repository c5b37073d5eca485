from django.db import migrations
from django.db.models import Max, OuterRef, Subquery

BATCH = 5000


def fill(apps, schema_editor):
    """Existing memberships get the copies of their user's search text and sort key new ones are made with.

    One UPDATE per range of BATCH ids, the values read from the user in the same statement (on
    PostgreSQL and SQLite alike), so that no transaction holds a whole region's memberships at once.
    """
    Membership = apps.get_model("colleges", "Membership")
    User = apps.get_model("accounts", "User")
    user = User.objects.filter(pk=OuterRef("user_id"))
    last = Membership.objects.aggregate(last=Max("pk"))["last"] or 0
    for start in range(0, last, BATCH):
        Membership.objects.filter(pk__gt=start, pk__lte=start + BATCH).update(
            search_text=Subquery(user.values("search_text")[:1]),
            sort_name=Subquery(user.values("sort_name")[:1]),
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_fill_user_search_fields"),
        ("colleges", "0005_add_membership_search_fields"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
