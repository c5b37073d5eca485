"""Permission matrix rows for every URL of movement (all 9 roles)."""

import datetime

from tests.matrix import LOGIN, Case, answers, page_for


def _student(world):
    return {"pk": world.memberships["student"].pk}


def _curator(world):
    return {"pk": world.memberships["curator"].pk}


def _group(world):
    return {"pk": world.group.pk}


def _movement(world):
    from movement.models import Movement

    movement = Movement.objects.create(
        college=world.college,
        kind="transfer",
        person=world.memberships["student"],
        from_group=world.group,
        to_group=world.group,
        order_number="1",
        order_date=datetime.date(2026, 1, 1),
        effective_date=datetime.date(2099, 1, 1),
    )
    return {"pk": movement.pk}


def _batch(world):
    from movement.models import ImportBatch

    return {"pk": ImportBatch.objects.create(college=world.college, file_name="k.csv").pk}


# Pages of one person or group: the administrator; 404 for another college and for a user with no college.
ADMIN_ONLY_OBJECT = answers(403, anonymous=LOGIN, administrator=200, other_administrator=404, platform_staff=404)
ADMIN_ONLY_PAGE = answers(403, anonymous=LOGIN, administrator=200, other_administrator=200)
ADMIN_ONLY_POST = answers(403, anonymous=LOGIN, administrator=302, other_administrator=404, platform_staff=404)
VIEWERS_OBJECT = answers(
    403,
    anonymous=LOGIN,
    administrator=200,
    administration=200,
    curator=200,
    other_administrator=404,
    platform_staff=404,
)

CASES = [
    Case("movement:list", page_for("teacher", "curator", "administration", "administrator", "other_administrator")),
    Case("movement:person", VIEWERS_OBJECT, kwargs=_student),
    Case("movement:create", ADMIN_ONLY_OBJECT, kwargs=_student),
    Case("movement:handover", ADMIN_ONLY_OBJECT, kwargs=_curator),
    Case("movement:cancel", ADMIN_ONLY_POST, kwargs=_movement, method="post"),
    Case("movement:roster", VIEWERS_OBJECT, kwargs=_group),
    Case("movement:import_list", ADMIN_ONLY_PAGE),
    Case("movement:import_upload", ADMIN_ONLY_PAGE),
    Case("movement:import_detail", ADMIN_ONLY_OBJECT, kwargs=_batch),
    Case(
        "movement:import_mapping",
        answers(403, anonymous=LOGIN, administrator=400, other_administrator=404, platform_staff=404),
        kwargs=_batch,
        method="post",
    ),
    Case("movement:import_apply", ADMIN_ONLY_POST, kwargs=_batch, method="post"),
    Case("movement:import_progress", ADMIN_ONLY_OBJECT, kwargs=_batch),
    Case("movement:import_rollback", ADMIN_ONLY_POST, kwargs=_batch, method="post"),
    Case("movement:import_requeue", ADMIN_ONLY_POST, kwargs=_batch, method="post"),
]

API_OBJECT_ADMIN = answers(403, anonymous=401, administrator=200, other_administrator=404, platform_staff=404)
API_OBJECT_VIEWERS = answers(
    403,
    anonymous=401,
    administrator=200,
    administration=200,
    curator=200,
    other_administrator=404,
    platform_staff=404,
)


def _visible_movement(world):
    """A movement out of the curator's group (so the curator may see it)."""
    return _movement(world)


CASES += [
    Case(
        "api:movement-list",
        answers(
            403, anonymous=401, teacher=200, curator=200, administration=200, administrator=200, other_administrator=200
        ),
    ),
    Case("api:movement-detail", API_OBJECT_VIEWERS, kwargs=_visible_movement),
    Case(
        "api:movement-import-upload",
        answers(403, anonymous=401, administrator=400, other_administrator=400, platform_staff=404),
        method="post",
    ),
    Case("api:movement-import-detail", API_OBJECT_ADMIN, kwargs=_batch),
    Case("api:movement-import-rows", API_OBJECT_ADMIN, kwargs=_batch),
    Case(
        "api:movement-import-apply",
        answers(403, anonymous=401, administrator=202, other_administrator=404, platform_staff=404),
        kwargs=_batch,
        method="post",
    ),
    Case("api:movement-roster", API_OBJECT_VIEWERS, kwargs=_group),
]

CASES += [Case("movement:rollover", ADMIN_ONLY_PAGE)]

CASES += [
    Case("movement:report", page_for("administration", "administrator", "other_administrator")),
]

CASES += [
    Case("movement:people", page_for("administration", "administrator", "other_administrator")),
    Case("movement:hire", ADMIN_ONLY_PAGE),
    Case("movement:enrol", ADMIN_ONLY_PAGE),
]
