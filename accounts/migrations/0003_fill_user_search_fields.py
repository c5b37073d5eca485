from django.db import migrations

from accounts.search import person_search_text, person_sort_key

BATCH = 2000


def fill(apps, schema_editor):
    """Existing users get the search text and sort key User.fill_search_fields() gives new ones."""
    User = apps.get_model("accounts", "User")
    users = User.objects.order_by("pk")
    last_pk = 0
    while True:
        batch = list(users.filter(pk__gt=last_pk)[:BATCH])
        if not batch:
            return
        for user in batch:
            user.search_text = person_search_text(
                last_name=user.last_name,
                first_name=user.first_name,
                patronymic=user.patronymic,
                phone=user.phone,
                email=user.email,
            )
            user.sort_name = person_sort_key(
                last_name=user.last_name, first_name=user.first_name, patronymic=user.patronymic
            )
        User.objects.bulk_update(batch, ["search_text", "sort_name"])
        last_pk = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_add_user_search_fields"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
