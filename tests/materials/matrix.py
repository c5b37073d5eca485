"""Permission matrix rows of the materials pages and API.

The material under test is addressed to the main college's study group
(``world.group``) and written by its curator: its student and curator see
it, the administration and administrator manage it, a teacher with no
assignment to that group and a parent do not see it (404), nor does anyone
of another college (404).
"""

from django.core.files.uploadedfile import SimpleUploadedFile

from materials import services
from materials.models import Audience, Kind
from tests.matrix import HOME, LOGIN, Case, answers

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n"


def _pdf():
    return SimpleUploadedFile("Методичка.pdf", PDF, content_type="application/pdf")


def _material(world):
    if "material" not in world.extra:
        curator = world.users["curator"]
        staged = services.material_file_stage(actor=curator, college=world.college, uploaded=_pdf())
        world.extra["material"] = services.material_create(
            actor=curator,
            college=world.college,
            kind=Kind.DOCUMENT,
            title="Методичка",
            audience=Audience.GROUPS,
            groups=[world.group],
            upload_ids=[staged.pk],
            publish=True,
        )
    return world.extra["material"]


def _material_pk(world):
    return {"pk": _material(world).pk}


def _file_pk(world):
    return {"pk": _material(world).files.get().pk}


def _link_for_group(world):
    return {
        "kind": Kind.LINK,
        "title": "Полезная ссылка",
        "url": "https://example.org/",
        "audience": Audience.GROUPS,
        "groups": [world.group.pk],
        "action": "publish",
        "publish": True,
    }


def _upload(world):
    return {"file": _pdf()}


# Everyone of the main college sees the material; a teacher without an assignment and a parent do not.
SEES = {"student": 200, "curator": 200, "administration": 200, "administrator": 200}
MANAGES = {"curator": 200, "administration": 200, "administrator": 200}


def page(default, **overrides):
    """A materials page: anonymous → sign-in, no college (platform staff) → home."""
    return answers(default, anonymous=LOGIN, platform_staff=HOME, **overrides)


def manage(ok, *, student=403):
    """An editor's action on the material: editors ``ok``, the student who sees it 403, the rest 404."""
    return page(404, student=student, **{role: ok for role in MANAGES})


CASES = [
    Case("materials:list", page(200)),
    Case("materials:documents", page(200)),
    Case("materials:notices", page(200)),
    Case("materials:group", page(404, **SEES), kwargs=lambda w: {"pk": w.group.pk}),
    Case(
        "materials:create",
        page(403, other_administrator=200, **MANAGES),
    ),
    Case(
        "materials:create",
        page(403, other_administrator=400, curator=302, administration=302, administrator=302),
        method="post",
        data=_link_for_group,
        id="post:materials:create",
    ),
    Case(
        "materials:upload",
        page(403, other_administrator=201, curator=201, administration=201, administrator=201),
        method="post",
        data=_upload,
    ),
    Case("materials:detail", page(404, **SEES), kwargs=_material_pk),
    Case("materials:update", manage(200), kwargs=_material_pk),
    Case("materials:publish", manage(302), kwargs=_material_pk, method="post"),
    Case("materials:unpublish", manage(302), kwargs=_material_pk, method="post"),
    Case("materials:pin", manage(302), kwargs=_material_pk, method="post"),
    Case("materials:delete", manage(200), kwargs=_material_pk),
    Case("materials:delete", manage(302), kwargs=_material_pk, method="post", id="post:materials:delete"),
    Case("materials:file_download", page(404, **SEES), kwargs=_file_pk),
    Case("materials:file_replace", manage(200), kwargs=_file_pk),
    # API: no college (platform staff) → 403 before any lookup; objects of others → 404.
    Case("api:material-list", answers(200, anonymous=401, platform_staff=403)),
    Case(
        "api:material-list",
        answers(
            403,
            anonymous=401,
            curator=201,
            administration=201,
            administrator=201,
            other_administrator=400,
        ),
        method="post",
        data=_link_for_group,
        id="post:api:material-list",
    ),
    Case(
        "api:material-detail",
        answers(404, anonymous=401, platform_staff=403, **SEES),
        kwargs=_material_pk,
    ),
    Case(
        "api:material-detail",
        answers(
            404, anonymous=401, platform_staff=403, student=403, curator=204, administration=204, administrator=204
        ),
        kwargs=_material_pk,
        method="delete",
        id="delete:api:material-detail",
    ),
    Case(
        "api:material-publish",
        answers(404, anonymous=401, platform_staff=403, student=403, **MANAGES),
        kwargs=_material_pk,
        method="post",
    ),
    Case(
        "api:material-unpublish",
        answers(404, anonymous=401, platform_staff=403, student=403, **MANAGES),
        kwargs=_material_pk,
        method="post",
    ),
    Case(
        "api:material-file-list",
        answers(
            403,
            anonymous=401,
            curator=201,
            administration=201,
            administrator=201,
            other_administrator=201,
        ),
        method="post",
        data=_upload,
    ),
    Case(
        "api:material-file-download",
        answers(404, anonymous=401, platform_staff=403, **SEES),
        kwargs=_file_pk,
    ),
]
