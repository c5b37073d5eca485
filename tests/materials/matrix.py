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
from tests.matrix import HOME, LOGIN, Case, answers, college_api_for, in_college

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
MEMBERS = ("student", "parent", "teacher", "curator", "administration", "administrator")


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
    # API: anyone without a membership in the college (platform staff, another college's administrator) → 404
    # before any lookup; a material the member may not see → 404.
    Case("api:material-list", college_api_for(*MEMBERS), kwargs=in_college()),
    Case(
        "api:material-list",
        college_api_for(*MANAGES, ok=201),
        kwargs=in_college(),
        method="post",
        data=_link_for_group,
        id="post:api:material-list",
    ),
    Case("api:material-detail", college_api_for(*SEES, denied=404), kwargs=in_college(_material_pk)),
    Case(
        "api:material-detail",
        college_api_for(*MANAGES, ok=204, denied=404) | {"student": 403},
        kwargs=in_college(_material_pk),
        method="delete",
        id="delete:api:material-detail",
    ),
    Case(
        "api:material-publish",
        college_api_for(*MANAGES, denied=404) | {"student": 403},
        kwargs=in_college(_material_pk),
        method="post",
    ),
    Case(
        "api:material-unpublish",
        college_api_for(*MANAGES, denied=404) | {"student": 403},
        kwargs=in_college(_material_pk),
        method="post",
    ),
    Case(
        "api:material-file-list",
        college_api_for(*MANAGES, ok=201),
        kwargs=in_college(),
        method="post",
        data=_upload,
    ),
    Case("api:material-file-download", college_api_for(*SEES, denied=404), kwargs=in_college(_file_pk)),
]
