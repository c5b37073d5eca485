from django.db import migrations

PARENT = "parent"


def derive(apps, schema_editor):
    """Parents who joined before groups.GroupParent existed: the groups of the parent links they used.

    Provenance is this app's: a «joined» use of a group's parent link names the
    membership; an approved parent join request names the person and the group.
    """
    InvitationUse = apps.get_model("invitations", "InvitationUse")
    JoinRequest = apps.get_model("invitations", "JoinRequest")
    Membership = apps.get_model("colleges", "Membership")
    GroupParent = apps.get_model("groups", "GroupParent")

    pairs = set(
        InvitationUse.objects.filter(
            result="joined",
            invitation__role=PARENT,
            invitation__group__isnull=False,
            membership__role=PARENT,
        ).values_list("membership_id", "invitation__group_id", "college_id")
    )
    approved = JoinRequest.objects.filter(status="approved", role=PARENT, group__isnull=False).values_list(
        "user_id", "college_id", "group_id"
    )
    for user_id, college_id, group_id in approved:
        membership_id = (
            Membership.objects.filter(user_id=user_id, college_id=college_id, role=PARENT)
            .exclude(status="left")
            .values_list("pk", flat=True)
            .first()
        )
        if membership_id is not None:
            pairs.add((membership_id, group_id, college_id))
    GroupParent.objects.bulk_create(
        [
            GroupParent(parent_id=membership_id, group_id=group_id, college_id=college_id)
            for membership_id, group_id, college_id in sorted(pairs)
        ],
        ignore_conflicts=True,
        batch_size=1000,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("invitations", "0005_russian_field_names"),
        ("groups", "0002_add_group_parents"),
        ("colleges", "0001_initial"),
    ]

    operations = [migrations.RunPython(derive, migrations.RunPython.noop)]
