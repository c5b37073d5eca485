from collections import Counter

from django.db import migrations, models
from django.db.models import F


def settle_decided_requests(apps, schema_editor):
    """Uses logged as «подал заявку» take the outcome of their decided request; a rejected or closed
    request of a multi-use link gives its place back, as join_request_reject does from now on."""
    InvitationUse = apps.get_model("invitations", "InvitationUse")
    Invitation = apps.get_model("invitations", "Invitation")
    undecided = InvitationUse.objects.filter(result="requested")
    undecided.filter(join_request__status="approved").update(result="joined")
    for status in ("rejected", "closed"):
        uses = undecided.filter(join_request__status=status)
        places = Counter(uses.filter(invitation__kind="multi").values_list("invitation_id", flat=True))
        uses.update(result=status)
        for invitation_id, n in places.items():
            Invitation.objects.filter(pk=invitation_id, uses_count__gte=n).update(uses_count=F("uses_count") - n)


class Migration(migrations.Migration):

    dependencies = [
        ('invitations', '0002_add_unknown_delivery_status'),
    ]

    operations = [
        migrations.AlterField(
            model_name='invitationuse',
            name='result',
            field=models.CharField(choices=[('joined', 'присоединился'), ('requested', 'подал заявку'), ('rejected', 'заявка отклонена'), ('closed', 'заявка закрыта'), ('already_member', 'уже участник'), ('used_up', 'ссылка исчерпана'), ('expired', 'срок истёк'), ('revoked', 'ссылка отозвана'), ('paused', 'ссылка приостановлена'), ('refused', 'отказано')], max_length=16, verbose_name='результат'),
        ),
        migrations.RunPython(settle_decided_requests, migrations.RunPython.noop),
    ]
