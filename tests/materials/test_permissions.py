"""Role × action: who may do what with materials in the main college."""

import pytest
from django.contrib.auth.models import AnonymousUser

from materials import permissions
from materials.models import Audience, Section
from tests.materials.helpers import publish_link

ACTIONS = (
    "view",
    "open_upload",
    "post_documents",
    "post_college",
    "post_staff",
    "post_group",
    "post_discipline",
    "post_other_discipline",
    "post_other_group",
    "post_parents",
    "edit_curators_material",
)

# One row per role: the actions it may take (the rest it may not).
ALLOWED = {
    "anonymous": set(),
    "platform_staff": set(),
    "other_administrator": set(),
    "student": {"view"},
    "parent": {"view"},
    "teacher": {"view", "open_upload", "post_group", "post_discipline"},
    "other_teacher": {"view", "open_upload", "post_other_group"},
    "curator": {"view", "open_upload", "post_group", "post_parents", "edit_curators_material"},
    "administration": set(ACTIONS),
    "administrator": set(ACTIONS),
}


def _check(mw, user, action, material):
    college = mw.college

    def to(audience, groups=(), discipline=None, section=Section.LEARNING):
        return permissions.can_post_to(
            user,
            college,
            section=section,
            audience=audience,
            group_ids={g.pk for g in groups},
            discipline_id=discipline.pk if discipline else None,
        )

    return {
        "view": lambda: permissions.can_view_materials(user, college),
        "open_upload": lambda: permissions.can_post_materials(user, college),
        "post_documents": lambda: (
            permissions.can_post_documents(user, college) and to(Audience.COLLEGE, section=Section.DOCUMENTS)
        ),
        "post_college": lambda: to(Audience.COLLEGE),
        "post_staff": lambda: to(Audience.STAFF),
        "post_group": lambda: to(Audience.GROUPS, [mw.group]),
        "post_discipline": lambda: to(Audience.DISCIPLINE, [mw.group], mw.discipline),
        "post_other_discipline": lambda: to(Audience.DISCIPLINE, [mw.group], mw.other_discipline),
        "post_other_group": lambda: to(Audience.GROUPS, [mw.other_group]),
        "post_parents": lambda: to(Audience.PARENTS, [mw.group]),
        "edit_curators_material": lambda: permissions.can_edit_material(user, material),
    }[action]()


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", sorted(ALLOWED))
def test_role_action_table(mw, role, action):
    user = AnonymousUser() if role == "anonymous" else mw.users[role]
    material = publish_link(actor=mw.users["curator"], college=mw.college, audience=Audience.GROUPS, groups=[mw.group])

    allowed = _check(mw, user, action, material)

    assert allowed == (action in ALLOWED[role])
