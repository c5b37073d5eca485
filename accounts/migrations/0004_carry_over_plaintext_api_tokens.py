"""Carry the former personal API keys (DRF authtoken, stored in the clear) over as hashed keys, then erase them.

The keys cannot be shown again, but integrations using them keep working
until the carried-over key expires (90 days) or is revoked on the profile page.
"""

import datetime
import hashlib

from django.db import migrations
from django.utils import timezone

LEGACY_TABLE = "authtoken_token"
CARRIED_OVER_NAME = "Ключ API (создан до обновления)"
CARRIED_OVER_DAYS = 90


def carry_over(apps, schema_editor):
    connection = schema_editor.connection
    if LEGACY_TABLE not in connection.introspection.table_names():
        return
    ApiToken = apps.get_model("accounts", "ApiToken")
    quoted = schema_editor.quote_name(LEGACY_TABLE)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {schema_editor.quote_name('key')}, user_id, created FROM {quoted}")
        rows = cursor.fetchall()
    expires_at = timezone.now() + datetime.timedelta(days=CARRIED_OVER_DAYS)
    ApiToken.objects.bulk_create(
        [
            ApiToken(
                user_id=user_id,
                name=CARRIED_OVER_NAME,
                key_prefix=key[:6],
                key_hash=hashlib.sha256(key.encode()).hexdigest(),
                created_at=created,
                expires_at=expires_at,
            )
            for key, user_id, created in rows
        ]
    )
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {quoted}")


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_add_named_hashed_api_tokens")]

    # Not reversible to the clear keys: going back leaves the hashed keys in place.
    operations = [migrations.RunPython(carry_over, migrations.RunPython.noop, elidable=False)]
