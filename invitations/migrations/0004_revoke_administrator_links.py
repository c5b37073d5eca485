from django.db import migrations
from django.utils import timezone


def revoke_administrator_links(apps, schema_editor):
    """The administrator is appointed by the director's order, never invited. A link for that role
    admitted nobody where the college had its administrator, and would have made a stranger the
    administrator where it had none: such links stop."""
    Invitation = apps.get_model("invitations", "Invitation")
    Invitation.objects.filter(role="administrator").exclude(status="revoked").update(
        status="revoked", revoked_at=timezone.now()
    )


class Migration(migrations.Migration):
    dependencies = [
        ("invitations", "0003_use_log_follows_join_request_decisions"),
    ]

    operations = [
        migrations.RunPython(revoke_administrator_links, migrations.RunPython.noop),
    ]
