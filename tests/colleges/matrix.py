"""Permission matrix rows for every URL pattern of the colleges app (pages and API)."""

from tests import factories
from tests.matrix import LOGIN, Case, answers, api_for, page_for

MEMBERS = ("student", "parent", "teacher", "curator", "administration", "administrator")
STAFF = ("teacher", "curator", "administration", "administrator")


def _application(world):
    if "application" not in world.extra:
        world.extra["application"] = factories.CollegeApplicationFactory()
    return world.extra["application"]


def application_kwargs(world):
    return {"pk": _application(world).pk}


def department_kwargs(world):
    return {"pk": world.department.pk}


def platform_only(ok: int | str = 200) -> dict:
    """Platform staff pages: others signed in get 404 (they need not know the page exists)."""
    return answers(404, anonymous=LOGIN, platform_staff=ok)


def college_page(*allowed: str, other_administrator: int = 200) -> dict:
    """A page of the current college; platform staff have no college there, so home."""
    return page_for(*allowed, other_administrator=other_administrator)


def administrator_only_object() -> dict:
    out = college_page("administrator", other_administrator=404)
    return out


CASES = [
    # The college switch.
    Case("colleges:switch", answers(405, anonymous=LOGIN), id="get:colleges:switch"),
    Case(
        "colleges:switch",
        answers(302, anonymous=LOGIN, other_administrator=404, platform_staff=404),
        method="post",
        data=lambda w: {"college": w.college.pk},
    ),
    # Public application.
    Case("colleges:apply", answers(200)),
    Case("colleges:apply", answers(400), method="post", id="post:colleges:apply-empty"),
    Case("colleges:apply_done", answers(200)),
    # Platform staff.
    Case("colleges:application_queue", platform_only()),
    Case("colleges:application_queue", platform_only(), query="status=all&q=колледж", id="get:queue-search"),
    Case("colleges:application_detail", platform_only(), kwargs=application_kwargs),
    Case("colleges:application_file", platform_only(), kwargs=application_kwargs),
    Case("colleges:application_approve", platform_only(405), kwargs=application_kwargs),
    Case("colleges:application_approve", platform_only(302), kwargs=application_kwargs, method="post"),
    Case("colleges:application_reject", platform_only(), kwargs=application_kwargs),
    Case(
        "colleges:application_reject",
        platform_only(400),
        kwargs=application_kwargs,
        method="post",
        data=lambda w: {"reason": ""},
    ),
    # The current college.
    Case("colleges:profile", college_page(*MEMBERS)),
    Case("colleges:profile_edit", college_page("administrator")),
    Case(
        "colleges:profile_edit",
        college_page("administrator", other_administrator=400) | {"administrator": 400},
        method="post",
        id="post:colleges:profile_edit-empty",
    ),
    Case("colleges:department_list", college_page(*STAFF)),
    Case("colleges:department_create", college_page("administrator")),
    Case("colleges:department_edit", administrator_only_object(), kwargs=department_kwargs),
    Case("colleges:department_delete", administrator_only_object(), kwargs=department_kwargs),
    Case(
        "colleges:department_delete",
        # The world's department has a study group: the administrator is sent back with the reason.
        college_page("administrator", other_administrator=404) | {"administrator": 302},
        kwargs=department_kwargs,
        method="post",
    ),
    Case("colleges:staff_list", college_page("administrator", "administration")),
    Case("colleges:staff_add", college_page("administrator")),
    Case("colleges:administrator_appoint", college_page("administration", other_administrator=403)),
    # API.
    Case("api:college-list", api_for(*MEMBERS, "other_administrator", "platform_staff")),
    Case(
        "api:college-detail",
        api_for(*MEMBERS, other_administrator=404) | {"platform_staff": 404},
        kwargs=lambda w: {"pk": w.college.pk},
    ),
    Case("api:department-list", api_for(*MEMBERS, "other_administrator", "platform_staff")),
    Case(
        "api:department-list",
        answers(403, anonymous=401, administrator=201, other_administrator=400, platform_staff=400),
        method="post",
        data=lambda w: {"college": w.college.pk, "name": "Новое отделение"},
    ),
    Case(
        "api:department-detail",
        api_for(*MEMBERS, other_administrator=404) | {"platform_staff": 404},
        kwargs=department_kwargs,
    ),
    Case("api:membership-list", api_for("administrator", "administration", "other_administrator")),
    Case(
        "api:membership-detail",
        api_for("administrator", "administration", other_administrator=404) | {"platform_staff": 404},
        kwargs=lambda w: {"pk": w.memberships["teacher"].pk},
    ),
]
