"""Small builders for materials tests (through the services, as the pages do)."""

from materials import services
from materials.models import Audience, Kind
from tests.materials.conftest import pdf


def publish_document(*, actor, college, group=None, discipline=None, audience=None, title="Методичка", **extra):
    """A published PDF document: for the group and discipline if given, else for the whole college."""
    staged = services.material_file_stage(actor=actor, college=college, uploaded=pdf(f"{title}.pdf"))
    if audience is None:
        audience = Audience.DISCIPLINE if discipline else (Audience.GROUPS if group else Audience.COLLEGE)
    return services.material_create(
        actor=actor,
        college=college,
        kind=Kind.DOCUMENT,
        title=title,
        audience=audience,
        groups=[group] if group else [],
        discipline=discipline,
        upload_ids=[staged.pk],
        publish=extra.pop("publish", True),
        **extra,
    )


def publish_link(*, actor, college, title="Ссылка", audience=Audience.COLLEGE, groups=(), **extra):
    return services.material_create(
        actor=actor,
        college=college,
        kind=Kind.LINK,
        title=title,
        url="https://example.org/",
        audience=audience,
        groups=list(groups),
        publish=extra.pop("publish", True),
        **extra,
    )
