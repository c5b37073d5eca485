"""Who may do what with invitations and join requests."""

from colleges.models import Role
from colleges.permissions import has_role
from groups.permissions import teacher_scope

# Roles a link can give. The administrator is not among them: the director
# appoints that one by order (§1.4 and §2.2 of the regulation), and a college has
# one. The administrator and the administration invite to any of these roles; a
# curator invites students and parents of their own groups.
INVITABLE_ROLES = (Role.ADMINISTRATION, Role.TEACHER, Role.STUDENT, Role.PARENT)
INVITABLE_ROLE_CHOICES = [(role.value, role.label) for role in INVITABLE_ROLES]
CURATOR_MAY_INVITE = (Role.STUDENT, Role.PARENT)


def curated_group_ids(user, college) -> frozenset[int]:
    """Groups where ``user`` is the active curator (the shared teacher scope, see groups.permissions)."""
    return teacher_scope(user, college).curated


def can_see_all_groups_invitations(user, college) -> bool:
    """Links, joined people and the invitation form over every group, not only the curated ones."""
    return has_role(user, college, Role.ADMINISTRATOR, Role.ADMINISTRATION)


def can_see_all_join_requests(user, college) -> bool:
    """Join requests of every role and group; a curator sees the student requests of their groups."""
    return has_role(user, college, Role.ADMINISTRATOR)


def is_curator(user, college) -> bool:
    return has_role(user, college, Role.TEACHER) and bool(curated_group_ids(user, college))


def can_view_invitations(user, college) -> bool:
    return has_role(user, college, Role.ADMINISTRATOR, Role.ADMINISTRATION) or is_curator(user, college)


def invitable_roles(user, college) -> tuple[str, ...]:
    """The roles ``user`` may put on a link (forms offer these and no other)."""
    if has_role(user, college, Role.ADMINISTRATOR, Role.ADMINISTRATION):
        return INVITABLE_ROLES
    if is_curator(user, college):
        return CURATOR_MAY_INVITE
    return ()


def can_create_invitation(user, college, *, role: str, group=None) -> bool:
    if role not in invitable_roles(user, college):
        return False
    if has_role(user, college, Role.ADMINISTRATOR, Role.ADMINISTRATION):
        return True
    return group is not None and group.pk in curated_group_ids(user, college)


def can_invite_parents(user, group) -> bool:
    """The group's parent link («Пригласить родителей», from the parents' chat too): whoever may make
    a parent link for the group — the administrator, the administration, the group's curator."""
    return can_create_invitation(user, group.college, role=Role.PARENT, group=group)


def can_manage_invitation(user, invitation) -> bool:
    """Revoke, regenerate, pause: the administrator, the administration, or whoever created it."""
    college = invitation.college
    if has_role(user, college, Role.ADMINISTRATOR, Role.ADMINISTRATION):
        return True
    return invitation.created_by_id == getattr(user, "pk", None) and has_role(user, college, Role.TEACHER)


def can_view_invitation(user, invitation) -> bool:
    if can_manage_invitation(user, invitation):
        return True
    return invitation.group_id is not None and invitation.group_id in curated_group_ids(user, invitation.college)


def can_hand_invitations(user, college) -> bool:
    return has_role(user, college, Role.ADMINISTRATOR)


def can_hand_to_curator(user, invitation) -> bool:
    """Hand a group's student links to its curator, from one of them: the administrator, while the link lives."""
    return (
        can_hand_invitations(user, invitation.college)
        and invitation.group_id is not None
        and invitation.role == Role.STUDENT
        and invitation.status != invitation.Status.REVOKED
    )


def can_view_group_invitations(user, group) -> bool:
    """A group's links and their print sheet: whoever sees every group's links, or the group's curator."""
    college = group.college
    return can_see_all_groups_invitations(user, college) or group.pk in curated_group_ids(user, college)


def can_send_bulk_invitations(user, college) -> bool:
    return has_role(user, college, Role.ADMINISTRATOR, Role.ADMINISTRATION)


def can_review_join_requests(user, college) -> bool:
    return has_role(user, college, Role.ADMINISTRATOR) or is_curator(user, college)


def can_decide_join_request(user, join_request) -> bool:
    """The administrator decides any request; a curator the student requests of their groups."""
    college = join_request.college
    if has_role(user, college, Role.ADMINISTRATOR):
        return True
    return (
        join_request.role == Role.STUDENT
        and join_request.group_id is not None
        and join_request.group_id in curated_group_ids(user, college)
    )
