"""The demo college's invitation links (``manage.py seed_demo``): one per role, so that a newcomer can
try joining at once. Made through ``invitation_create``, by the demo administrator, like any link."""

import datetime

from django.utils import timezone

from colleges.demo import DemoCollege
from colleges.models import College, Role
from groups.demo import DemoGroups
from invitations.models import Invitation
from invitations.permissions import INVITABLE_ROLES
from invitations.selectors import invitation_url
from invitations.services import invitation_create
from invitations.tokens import token_unseal

DEMO_LINK_DAYS = 365
# Links for students and parents lead into a group: the first of the demo's.
GROUP_ROLES = (Role.STUDENT, Role.PARENT)


def demo_invitations_create(*, demo: DemoCollege, groups: DemoGroups) -> list[Invitation]:
    """A link of many uses for each role a link gives; students and parents join the first group."""
    expires_at = timezone.now() + datetime.timedelta(days=DEMO_LINK_DAYS)
    return [
        invitation_create(
            actor=demo.administrator.user,
            college=demo.college,
            role=role,
            group=groups.groups[0] if role in GROUP_ROLES else None,
            expires_at=expires_at,
        )[0]
        for role in INVITABLE_ROLES
    ]


def demo_invitation_links(*, college: College) -> list[tuple[str, str]]:
    """(What the link gives, its address) for the oldest active link of each role in ``college``."""
    links = {}
    invitations = (
        Invitation.objects.filter(college=college, kind=Invitation.Kind.MULTI, status=Invitation.Status.ACTIVE)
        .filter(expires_at__gt=timezone.now())
        .select_related("group")
        .order_by("pk")
    )
    for invitation in invitations:
        if invitation.role not in links:
            shown = Role(invitation.role).label
            if invitation.group is not None:
                shown = f"{shown}, группа {invitation.group.name}"
            links[invitation.role] = (shown, invitation_url(token_unseal(invitation.token_sealed)))
    return [links[role] for role in INVITABLE_ROLES if role in links]
