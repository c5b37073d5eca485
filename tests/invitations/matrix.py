"""Permission matrix rows of the invitations app (see tests/matrix.py)."""

import datetime

from django.utils import timezone

from colleges.models import Role
from invitations.services import invitation_create
from tests.matrix import HOME, LOGIN, Case, answers, college_api_for, in_college, page_for


def _link(world, **overrides):
    """A student link of the main group, made once per world."""
    key = ("link", tuple(sorted(overrides.items())))
    if key not in world.extra:
        kwargs = dict(
            actor=world.users["administrator"],
            college=world.college,
            role=Role.STUDENT,
            group=world.group,
            max_uses=30,
            expires_at=timezone.now() + datetime.timedelta(days=7),
        )
        kwargs.update(overrides)
        world.extra[key] = invitation_create(**kwargs)
    return world.extra[key]


def token_kwargs(world):
    return {"token": _link(world)[1]}


CASES = [
    # Public: anyone may open a link and read who invites them where.
    Case("invitations:accept", answers(200), kwargs=token_kwargs),
    Case("invitations:accept", answers(404), kwargs=lambda w: {"token": "forged-token-0123456789abcdef"}, id="forged"),
]


def pk_kwargs(world):
    return {"pk": _link(world)[0].pk}


def group_kwargs(world):
    return {"group_pk": world.group.pk}


def dispatch_kwargs(world):
    from invitations.services import bulk_dispatch_create

    if "dispatch" not in world.extra:
        world.extra["dispatch"] = bulk_dispatch_create(
            actor=world.users["administrator"],
            college=world.college,
            role=Role.STUDENT,
            group=world.group,
            expires_at=timezone.now() + datetime.timedelta(days=7),
            recipients=[{"name": "Петров Пётр", "phone": "+79161234567"}],
        )
    return {"pk": world.extra["dispatch"].pk}


def pending_request_data(world):
    from invitations.services import invitation_accept
    from tests import factories

    invitation, _ = _link(world, requires_approval=True)
    join_request = invitation_accept(invitation=invitation, user=factories.UserFactory()).join_request
    return {"ids": [join_request.pk], "action": "approve"}


# Staff pages of the current college. Another college's administrator sees their own college's
# lists (200) but gets 404 for this college's objects; platform staff hold no college (403).
STAFF_LIST = page_for("curator", "administration", "administrator", "other_administrator")
LINK_OBJECT = answers(404, anonymous=LOGIN, curator=200, administration=200, administrator=200, platform_staff=HOME)
LINK_MANAGE = answers(404, anonymous=LOGIN, curator=403, administration=302, administrator=302, platform_staff=HOME)
ADMIN_ONLY = page_for("administrator", "other_administrator")

CASES += [
    Case("invitations:list", STAFF_LIST),
    Case("invitations:create", STAFF_LIST),
    Case(
        "invitations:create",
        {**STAFF_LIST, **{r: 302 for r in ("curator", "administration", "administrator")}, "other_administrator": 400},
        method="post",
        data=lambda w: {"role": Role.STUDENT, "group": w.group.pk, "max_uses": 30, "days": 7},
        id="post:invitations:create",
    ),
    Case("invitations:detail", LINK_OBJECT, kwargs=pk_kwargs),
    Case("invitations:qr", LINK_OBJECT, kwargs=lambda w: {**pk_kwargs(w), "fmt": "png"}),
    Case("invitations:qr", LINK_OBJECT, kwargs=lambda w: {**pk_kwargs(w), "fmt": "svg"}, id="get:invitations:qr-svg"),
    Case("invitations:revoke", LINK_MANAGE, kwargs=pk_kwargs, method="post"),
    Case("invitations:regenerate", LINK_MANAGE, kwargs=pk_kwargs, method="post"),
    Case("invitations:pause", LINK_MANAGE, kwargs=pk_kwargs, method="post"),
    Case(
        "invitations:send",
        {**LINK_MANAGE, "curator": 302},
        kwargs=pk_kwargs,
        method="post",
        data=lambda w: {"phone": "8 912 345-67-89"},
    ),
    Case(
        "invitations:group_print",
        {**STAFF_LIST, "other_administrator": 404},
        kwargs=group_kwargs,
    ),
    Case("invitations:group_parents", {**STAFF_LIST, "other_administrator": 404}, kwargs=group_kwargs),
    Case(
        "invitations:group_parents",
        {**STAFF_LIST, "curator": 302, "administration": 302, "administrator": 302, "other_administrator": 404},
        kwargs=group_kwargs,
        method="post",
    ),
    Case(
        "invitations:hand_to_curator",
        {**ADMIN_ONLY, "administrator": 302, "other_administrator": 404},
        kwargs=group_kwargs,
        method="post",
    ),
    Case("invitations:request_list", page_for("curator", "administrator", "other_administrator")),
    Case(
        "invitations:request_decide",
        answers(403, anonymous=LOGIN, platform_staff=HOME, curator=302, administrator=302, other_administrator=302),
        method="post",
        data=pending_request_data,
    ),
    Case("invitations:dispatch_create", page_for("administration", "administrator", "other_administrator")),
    Case(
        "invitations:dispatch_detail",
        page_for("administration", "administrator", other_administrator=404),
        kwargs=dispatch_kwargs,
    ),
    Case(
        "invitations:dispatch_requeue",
        answers(
            403, anonymous=LOGIN, platform_staff=HOME, administration=302, administrator=302, other_administrator=404
        ),
        kwargs=dispatch_kwargs,
        method="post",
    ),
]


# --- API ---------------------------------------------------------------------


def join_request_kwargs(world):
    if "join_request" not in world.extra:
        from invitations.services import invitation_accept
        from tests import factories

        invitation, _ = _link(world, requires_approval=True)
        world.extra["join_request"] = invitation_accept(
            invitation=invitation, user=factories.UserFactory()
        ).join_request
    return {"pk": world.extra["join_request"].pk}


API_LINKS = college_api_for("curator", "administration", "administrator")
API_LINK_OBJECT = college_api_for("curator", "administration", "administrator")
API_LINK_MANAGE = college_api_for("administration", "administrator")
API_REQUESTS = college_api_for("curator", "administrator")
API_REQUEST_OBJECT = college_api_for("curator", "administrator")

CASES += [
    Case("api:invitation-list", API_LINKS, kwargs=in_college()),
    Case(
        "api:invitation-list",
        college_api_for("curator", "administration", "administrator", ok=201),
        kwargs=in_college(),
        method="post",
        data=lambda w: {"role": Role.STUDENT, "group": w.group.pk, "max_uses": 30},
        id="post:api:invitation-list",
    ),
    Case("api:invitation-detail", API_LINK_OBJECT, kwargs=in_college(pk_kwargs)),
    Case("api:invitation-uses", API_LINK_OBJECT, kwargs=in_college(pk_kwargs)),
    Case("api:invitation-revoke", API_LINK_MANAGE, kwargs=in_college(pk_kwargs), method="post"),
    Case("api:invitation-regenerate", API_LINK_MANAGE, kwargs=in_college(pk_kwargs), method="post"),
    Case("api:join-request-list", API_REQUESTS, kwargs=in_college()),
    Case("api:join-request-detail", API_REQUEST_OBJECT, kwargs=in_college(join_request_kwargs)),
    Case("api:join-request-approve", API_REQUEST_OBJECT, kwargs=in_college(join_request_kwargs), method="post"),
    Case(
        "api:join-request-reject",
        API_REQUEST_OBJECT,
        kwargs=in_college(join_request_kwargs),
        method="post",
        data=lambda w: {"reason": "Не обучается в колледже"},
    ),
    Case("api:invitation-dispatch-list", college_api_for("administration", "administrator"), kwargs=in_college()),
    Case(
        "api:invitation-dispatch-detail",
        college_api_for("administration", "administrator"),
        kwargs=in_college(dispatch_kwargs),
    ),
]

CASES += [Case("invitations:provenance", STAFF_LIST)]
