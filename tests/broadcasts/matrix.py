"""Permission matrix rows of the «Видеосвязь» pages and API.

The session under test is a lesson of the main college's study group
(``world.group``) planned by its curator, starting in ten minutes (so «Войти»
is open): its student and curator see and join it, the administration and the
administrator manage it, a teacher with no assignment to that group and a
parent (parent meetings only) do not see it (404), nor does anyone of another
college (404).
"""

import datetime

from django.utils import timezone

from broadcasts import services
from broadcasts.models import Audience, Kind
from tests.matrix import HOME, LOGIN, Case, answers, college_api_for, in_college


def _session(world):
    if "session" not in world.extra:
        world.extra["session"] = services.session_create(
            actor=world.users["curator"],
            college=world.college,
            kind=Kind.LESSON,
            title="Онлайн-занятие",
            starts_at=timezone.now() + datetime.timedelta(minutes=10),
            duration_minutes=45,
            audience=Audience.GROUPS,
            groups=[world.group],
        )
    return world.extra["session"]


def _session_pk(world):
    return {"pk": _session(world).pk}


def _lesson_form(world):
    starts = timezone.localtime(timezone.now() + datetime.timedelta(days=1))
    return {
        "kind": Kind.LESSON,
        "title": "Консультация перед экзаменом",
        "starts_at": starts.strftime("%Y-%m-%dT%H:%M"),
        "duration_minutes": 45,
        "audience": Audience.GROUPS,
        "groups": [world.group.pk],
    }


def _lesson_api(world):
    return {**_lesson_form(world), "starts_at": (timezone.now() + datetime.timedelta(days=1)).isoformat()}


def _reason(world):
    return {"reason": "Преподаватель заболел"}


SEES = {"student": 200, "curator": 200, "administration": 200, "administrator": 200}
MANAGES = {"curator": 200, "administration": 200, "administrator": 200}
MEMBERS = ("student", "parent", "teacher", "curator", "administration", "administrator")


def page(default, **overrides):
    """A «Видеосвязь» page: anonymous → sign-in, no college (platform staff) → home."""
    return answers(default, anonymous=LOGIN, platform_staff=HOME, **overrides)


def sees(ok):
    return page(404, **{role: ok for role in SEES})


def manage(ok, *, student=403):
    """An editor's action on the session: editors ``ok``, the student who sees it 403, the rest 404."""
    return page(404, student=student, **{role: ok for role in MANAGES})


CASES = [
    Case("broadcasts:list", page(200)),
    Case("broadcasts:create", page(403, other_administrator=200, **MANAGES)),
    Case(
        "broadcasts:create",
        page(403, other_administrator=400, curator=302, administration=302, administrator=302),
        method="post",
        data=_lesson_form,
        id="post:broadcasts:create",
    ),
    Case("broadcasts:detail", sees(200), kwargs=_session_pk),
    Case("broadcasts:update", manage(200), kwargs=_session_pk),
    Case("broadcasts:cancel", manage(200), kwargs=_session_pk),
    Case(
        "broadcasts:cancel", manage(302), kwargs=_session_pk, method="post", data=_reason, id="post:broadcasts:cancel"
    ),
    Case("broadcasts:held", manage(200), kwargs=_session_pk),
    # Not started yet: the form comes back with the reason.
    Case("broadcasts:held", manage(400), kwargs=_session_pk, method="post", id="post:broadcasts:held"),
    # Opening «Войти» shows the button; only pressing it (POST) records the entry and goes to the room.
    Case("broadcasts:join", sees(200), kwargs=_session_pk),
    Case("broadcasts:join", sees(302), kwargs=_session_pk, method="post", id="post:broadcasts:join"),
    Case("broadcasts:calendar", sees(200), kwargs=_session_pk),
    Case("api:broadcast-list", college_api_for(*MEMBERS), kwargs=in_college()),
    Case(
        "api:broadcast-list",
        college_api_for(*MANAGES, ok=201),
        kwargs=in_college(),
        method="post",
        data=_lesson_api,
        id="post:api:broadcast-list",
    ),
    Case("api:broadcast-detail", college_api_for(*SEES, denied=404), kwargs=in_college(_session_pk)),
    Case(
        "api:broadcast-cancel",
        college_api_for(*MANAGES, denied=404) | {"student": 403},
        kwargs=in_college(_session_pk),
        method="post",
        data=_reason,
    ),
    # Not started yet: the service's 400 for those who may mark it.
    Case(
        "api:broadcast-held",
        college_api_for(*MANAGES, ok=400, denied=404) | {"student": 403},
        kwargs=in_college(_session_pk),
        method="post",
    ),
]
