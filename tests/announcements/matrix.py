"""Permission matrix rows of the «Объявления» pages and API.

The announcement under test is the curator's notice to the students of the main college's study group
(``world.group``): its student and its author see it, the administration and the administrator manage it,
a teacher with no assignment to that group and a parent of no group do not see it (404), nor does anyone
of another college (404).
"""

from announcements import services
from announcements.models import Audience
from tests.matrix import HOME, LOGIN, Case, answers, college_api_for, in_college


def _announcement(world):
    if "announcement" not in world.extra:
        world.extra["announcement"] = services.announcement_publish(
            actor=world.users["curator"],
            college=world.college,
            title="Классный час переносится",
            text="Встречаемся в среду.",
            audience=Audience.GROUPS,
            groups=[world.group],
        )
    return world.extra["announcement"]


def _pk(world):
    return {"pk": _announcement(world).pk}


def _form(world):
    return {"title": "Собрание", "text": "В пятницу в 15:00.", "audience": Audience.GROUPS, "groups": [world.group.pk]}


def _reason(world):
    return {"reason": "Ошибка в дате"}


SEES = {"student": 200, "curator": 200, "administration": 200, "administrator": 200}
MANAGES = {"curator": 200, "administration": 200, "administrator": 200}
MEMBERS = ("student", "parent", "teacher", "curator", "administration", "administrator")


def page(default, **overrides):
    """An «Объявления» page: anonymous → sign-in, no college (platform staff) → home."""
    return answers(default, anonymous=LOGIN, platform_staff=HOME, **overrides)


def sees(ok):
    return page(404, **{role: ok for role in SEES})


def manage(ok, *, student=403):
    """The author's or management's action: they ``ok``, the student who sees it 403, the rest 404."""
    return page(404, student=student, **{role: ok for role in MANAGES})


CASES = [
    Case("announcements:list", page(200)),
    Case("announcements:create", page(403, other_administrator=200, **MANAGES)),
    Case(
        "announcements:create",
        page(403, other_administrator=400, curator=302, administration=302, administrator=302),
        method="post",
        data=_form,
        id="post:announcements:create",
    ),
    Case("announcements:detail", sees(200), kwargs=_pk),
    Case("announcements:unread", manage(200), kwargs=_pk),
    Case("announcements:withdraw", manage(200), kwargs=_pk),
    Case(
        "announcements:withdraw",
        manage(302),
        kwargs=_pk,
        method="post",
        data=_reason,
        id="post:announcements:withdraw",
    ),
    Case("api:announcement-list", college_api_for(*MEMBERS), kwargs=in_college()),
    Case(
        "api:announcement-list",
        college_api_for(*MANAGES, ok=201),
        kwargs=in_college(),
        method="post",
        data=_form,
        id="post:api:announcement-list",
    ),
    Case("api:announcement-detail", college_api_for(*SEES, denied=404), kwargs=in_college(_pk)),
    Case(
        "api:announcement-withdraw",
        college_api_for(*MANAGES, denied=404) | {"student": 403},
        kwargs=in_college(_pk),
        method="post",
        data=_reason,
    ),
]
