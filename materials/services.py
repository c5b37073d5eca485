"""Every write of the materials app: one transaction each, permission checked, audited."""

import datetime
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from audit.services import audit_log
from colleges.models import College
from groups.models import Discipline, StudyGroup
from materials import validators
from materials.models import GROUP_AUDIENCES, Audience, Kind, Material, MaterialFile, MaterialNotice, Section
from materials.permissions import (
    can_edit_material,
    can_post_documents,
    can_post_materials,
    can_post_to,
)

NO_POST_PERMISSION_MESSAGE = (
    "Размещать материалы могут администрация колледжа, администратор платформы и преподаватели."
)
NO_TARGET_PERMISSION_MESSAGE = (
    "Вы не можете разместить материал для этой аудитории: преподаватель размещает материалы только "
    "в своих группах и по своим дисциплинам, куратор — для своей группы и её родителей."
)
NO_DOCUMENTS_PERMISSION_MESSAGE = "Размещать документы колледжа могут только администрация и администратор платформы."
NO_EDIT_PERMISSION_MESSAGE = "Изменять материал может его автор, администрация колледжа или администратор платформы."
TITLE_REQUIRED_MESSAGE = "Укажите название."
FILES_REQUIRED_MESSAGE = "Прикрепите хотя бы один файл."
VIDEO_SOURCE_MESSAGE = "Загрузите видеофайл или укажите ссылку на видеосервис."
ARTICLE_EMPTY_MESSAGE = "Напишите текст статьи."
LINK_REQUIRED_MESSAGE = "Укажите ссылку."
FILE_KIND_MISMATCH_MESSAGE = "Файл «{name}» — {file_kind}, а тип материала — {kind}. Выберите подходящий тип материала."
UPLOAD_MISSING_MESSAGE = "Загруженный файл не найден. Загрузите его ещё раз."
GROUPS_REQUIRED_MESSAGE = "Выберите хотя бы одну учебную группу."
ONE_GROUP_MESSAGE = "Для дисциплины выберите одну учебную группу."
DISCIPLINE_REQUIRED_MESSAGE = "Выберите дисциплину."
FOREIGN_TARGET_MESSAGE = "Группа или дисциплина не найдена в этом колледже."
# An upload staged on the material page and never attached is deleted after this.
STAGED_UPLOAD_KEPT = datetime.timedelta(days=1)
NO_FILES_FOR_KIND_MESSAGE = "У материалов типа «{kind}» нет файлов."


def _check_target(
    *,
    actor: User,
    college: College,
    section: str,
    audience: str,
    groups: list[StudyGroup],
    discipline: Discipline | None,
) -> None:
    if audience not in Audience.values:
        raise ValidationError({"audience": "Выберите, кому адресован материал."}, code="audience")
    if section == Section.DOCUMENTS and not can_post_documents(actor, college):
        raise PermissionDenied(NO_DOCUMENTS_PERMISSION_MESSAGE)
    if any(g.college_id != college.pk for g in groups) or (
        discipline is not None and discipline.college_id != college.pk
    ):
        raise ValidationError({"groups": FOREIGN_TARGET_MESSAGE}, code="foreign")
    if audience in GROUP_AUDIENCES and not groups:
        raise ValidationError({"groups": GROUPS_REQUIRED_MESSAGE}, code="groups_required")
    if audience == Audience.DISCIPLINE:
        if len(groups) != 1:
            raise ValidationError({"groups": ONE_GROUP_MESSAGE}, code="one_group")
        if discipline is None:
            raise ValidationError({"discipline": DISCIPLINE_REQUIRED_MESSAGE}, code="discipline_required")
    if not can_post_to(
        actor,
        college,
        section=section,
        audience=audience,
        group_ids={g.pk for g in groups},
        discipline_id=discipline.pk if discipline is not None else None,
    ):
        raise PermissionDenied(NO_TARGET_PERMISSION_MESSAGE)


def _claim_uploads(*, actor: User, college: College, upload_ids: Iterable[int]) -> list[MaterialFile]:
    ids = sorted({int(pk) for pk in upload_ids})
    if not ids:
        return []
    uploads = list(
        MaterialFile.objects.select_for_update()
        .filter(pk__in=ids, college=college, uploaded_by=actor, material__isnull=True)
        .order_by("pk")
    )
    if len(uploads) != len(ids):
        raise ValidationError({"files": UPLOAD_MISSING_MESSAGE}, code="upload_missing")
    return uploads


def _check_content(*, kind: str, body: str, url: str, files: list[MaterialFile]) -> tuple[str, str]:
    """Kind-specific rules; returns the cleaned (body, url)."""
    if kind not in Kind.values:
        raise ValidationError({"kind": "Выберите тип материала."}, code="kind")
    for f in files:
        if kind in (Kind.DOCUMENT, Kind.VIDEO) and f.kind != kind:
            raise ValidationError(
                {
                    "files": FILE_KIND_MISMATCH_MESSAGE.format(
                        name=f.original_name, file_kind=Kind(f.kind).label, kind=Kind(kind).label
                    )
                },
                code="kind_mismatch",
            )
    if kind in (Kind.ARTICLE, Kind.LINK) and files:
        raise ValidationError({"files": NO_FILES_FOR_KIND_MESSAGE.format(kind=Kind(kind).label)}, code="no_files")
    url = (url or "").strip()
    if kind == Kind.DOCUMENT:
        if not files:
            raise ValidationError({"files": FILES_REQUIRED_MESSAGE}, code="files_required")
        return "", ""
    if kind == Kind.VIDEO:
        if bool(files) == bool(url):
            raise ValidationError({"url": VIDEO_SOURCE_MESSAGE}, code="video_source")
        if url:
            _field_error("url", validators.validate_video_link, url)
        return "", url
    if kind == Kind.ARTICLE:
        body = validators.clean_article_html(body)
        if not body:
            raise ValidationError({"body": ARTICLE_EMPTY_MESSAGE}, code="body_required")
        return body, ""
    if not url:
        raise ValidationError({"url": LINK_REQUIRED_MESSAGE}, code="url_required")
    _field_error("url", validators.validate_link, url)
    return "", url


def _field_error(field: str, check, value) -> None:
    try:
        check(value)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None


def _queue_notification(material: Material) -> None:
    from materials.tasks import material_notify

    if material.is_published and material.published_at <= timezone.now():
        transaction.on_commit(lambda: material_notify.delay(material.pk), robust=True)
    # A scheduled publication is picked up by ``material_notify_due`` once its time comes.


@transaction.atomic
def material_file_stage(*, actor: User, college: College, uploaded: UploadedFile) -> MaterialFile:
    """Check one uploaded file by content and size and keep it, not yet attached to a material."""
    if not can_post_materials(actor, college):
        raise PermissionDenied(NO_POST_PERMISSION_MESSAGE)
    return _store_file(actor=actor, college=college, uploaded=uploaded)


def _store_file(
    *,
    actor: User,
    college: College,
    uploaded: UploadedFile,
    material: Material | None = None,
    expected_kind: str = "",
    version: int = 1,
    previous: MaterialFile | None = None,
) -> MaterialFile:
    """Check by content and size, then store under a random name (the readable name is kept for downloads).

    If the surrounding transaction rolls back after this, the stored bytes stay
    behind without a row; they are never served, since only rows are.
    """
    raw_name = getattr(uploaded, "name", "") or "файл"
    shown = validators.clean_original_name(raw_name, extension="x").rsplit(".", 1)[0]
    detected = validators.detect_file(uploaded, name=shown)
    original_name = validators.clean_original_name(raw_name, extension=detected.extension)
    if expected_kind and detected.kind != expected_kind:
        raise ValidationError(
            FILE_KIND_MISMATCH_MESSAGE.format(
                name=original_name, file_kind=Kind(detected.kind).label, kind=Kind(expected_kind).label
            ),
            code="kind_mismatch",
        )
    record = MaterialFile(
        college=college,
        material=material,
        uploaded_by=actor,
        original_name=original_name,
        content_type=detected.content_type,
        kind=detected.kind,
        size=uploaded.size,
        version=version,
        previous=previous,
    )
    record.file.save(f"upload.{detected.extension}", uploaded, save=False)
    record.save()
    return record


@transaction.atomic
def material_create(
    *,
    actor: User,
    college: College,
    kind: str,
    title: str,
    audience: str,
    section: str = Section.LEARNING,
    description: str = "",
    body: str = "",
    url: str = "",
    groups: Iterable[StudyGroup] = (),
    discipline: Discipline | None = None,
    upload_ids: Iterable[int] = (),
    publish: bool = False,
    publish_at: datetime.datetime | None = None,
    pinned: bool = False,
) -> Material:
    groups = list(groups)
    title = (title or "").strip()
    if not can_post_materials(actor, college):
        raise PermissionDenied(NO_POST_PERMISSION_MESSAGE)
    _check_target(
        actor=actor, college=college, section=section, audience=audience, groups=groups, discipline=discipline
    )
    if not title:
        raise ValidationError({"title": TITLE_REQUIRED_MESSAGE}, code="title_required")
    uploads = _claim_uploads(actor=actor, college=college, upload_ids=upload_ids)
    body, url = _check_content(kind=kind, body=body, url=url, files=uploads)
    material = Material(
        college=college,
        section=section,
        kind=kind,
        title=title,
        description=(description or "").strip(),
        body=body,
        url=url,
        audience=audience,
        discipline=discipline if audience == Audience.DISCIPLINE else None,
        pinned=pinned,
        author=actor,
    )
    if publish:
        material.status = Material.Status.PUBLISHED
        material.published_at = publish_at or timezone.now()
    material.full_clean(exclude=["groups", "url"])
    material.save()
    material.groups.set(groups if audience in GROUP_AUDIENCES else [])
    MaterialFile.objects.filter(pk__in=[u.pk for u in uploads]).update(material=material)
    audit_log(
        actor=actor,
        college=college,
        action="material.create",
        target=material,
        after={
            "kind": kind,
            "audience": audience,
            "groups": [g.pk for g in groups],
            "discipline": material.discipline_id,
            "status": material.status,
            "published_at": material.published_at,
            "files": [u.pk for u in uploads],
        },
    )
    _queue_notification(material)
    return material


def _locked(material: Material) -> Material:
    locked = Material.objects.select_for_update().select_related("college").get(pk=material.pk)
    return locked


def _require_edit(actor: User, material: Material) -> None:
    if not can_edit_material(actor, material):
        raise PermissionDenied(NO_EDIT_PERMISSION_MESSAGE)


@transaction.atomic
def material_update(
    *,
    actor: User,
    material: Material,
    title: str,
    audience: str,
    description: str = "",
    body: str = "",
    url: str = "",
    groups: Iterable[StudyGroup] = (),
    discipline: Discipline | None = None,
    upload_ids: Iterable[int] = (),
) -> Material:
    """Change the text, audience or add files. The kind and section stay as created."""
    material = _locked(material)
    _require_edit(actor, material)
    groups = list(groups)
    title = (title or "").strip()
    college = material.college
    _check_target(
        actor=actor, college=college, section=material.section, audience=audience, groups=groups, discipline=discipline
    )
    if not title:
        raise ValidationError({"title": TITLE_REQUIRED_MESSAGE}, code="title_required")
    uploads = _claim_uploads(actor=actor, college=college, upload_ids=upload_ids)
    existing = list(material.files.filter(is_current=True))
    body, url = _check_content(kind=material.kind, body=body, url=url, files=existing + uploads)
    before = {
        "title": material.title,
        "audience": material.audience,
        "groups": sorted(material.groups.values_list("pk", flat=True)),
    }
    material.title = title
    material.description = (description or "").strip()
    material.body = body
    material.url = url
    material.audience = audience
    material.discipline = discipline if audience == Audience.DISCIPLINE else None
    material.full_clean(exclude=["groups", "url"])
    material.save()
    material.groups.set(groups if audience in GROUP_AUDIENCES else [])
    MaterialFile.objects.filter(pk__in=[u.pk for u in uploads]).update(material=material)
    audit_log(
        actor=actor,
        college=college,
        action="material.update",
        target=material,
        before=before,
        after={
            "title": title,
            "audience": audience,
            "groups": sorted(g.pk for g in groups),
            "files": [u.pk for u in uploads],
        },
    )
    return material


@transaction.atomic
def material_publish(*, actor: User, material: Material, publish_at: datetime.datetime | None = None) -> Material:
    """Publish now or from ``publish_at`` (a scheduled publication is visible from that time)."""
    material = _locked(material)
    _require_edit(actor, material)
    material.status = Material.Status.PUBLISHED
    material.published_at = publish_at or timezone.now()
    material.save(update_fields=["status", "published_at", "updated_at"])
    audit_log(actor=actor, action="material.publish", target=material, after={"published_at": material.published_at})
    _queue_notification(material)
    return material


@transaction.atomic
def material_unpublish(*, actor: User, material: Material) -> Material:
    """Back to a draft: hidden from the audience; publishing again tells only people not told yet."""
    material = _locked(material)
    _require_edit(actor, material)
    if material.status == Material.Status.DRAFT:
        return material
    material.status = Material.Status.DRAFT
    material.published_at = None
    material.notified_at = None
    material.save(update_fields=["status", "published_at", "notified_at", "updated_at"])
    audit_log(actor=actor, action="material.unpublish", target=material)
    return material


@transaction.atomic
def material_pin(*, actor: User, material: Material, pinned: bool) -> Material:
    material = _locked(material)
    _require_edit(actor, material)
    if material.pinned != pinned:
        material.pinned = pinned
        material.save(update_fields=["pinned", "updated_at"])
        audit_log(actor=actor, action="material.pin" if pinned else "material.unpin", target=material)
    return material


@transaction.atomic
def material_delete(*, actor: User, material: Material) -> None:
    """Delete the material and, after commit, its stored files (every version)."""
    material = _locked(material)
    _require_edit(actor, material)
    names = list(MaterialFile.objects.filter(material=material).values_list("file", flat=True))
    audit_log(
        actor=actor,
        college=material.college,
        action="material.delete",
        target=material,
        before={"title": material.title, "kind": material.kind, "files": len(names)},
    )
    material.delete()
    transaction.on_commit(lambda: _delete_stored(names), robust=True)


def _delete_stored(names: list[str]) -> None:
    from materials.storage import MaterialsStorage

    storage = MaterialsStorage()
    for name in names:
        storage.delete(name)


@transaction.atomic
def material_file_replace(*, actor: User, file: MaterialFile, uploaded: UploadedFile) -> MaterialFile:
    """A new version of ``file``; the previous one is kept (not current) for the history."""
    old = (
        MaterialFile.objects.select_for_update(of=("self",))
        .select_related("material", "material__college")
        .get(pk=file.pk)
    )
    material = old.material
    if material is None:
        raise ValidationError(UPLOAD_MISSING_MESSAGE, code="upload_missing")
    _require_edit(actor, material)
    if not old.is_current:
        raise ValidationError("Заменить можно только текущую версию файла.", code="not_current")
    MaterialFile.objects.filter(pk=old.pk).update(is_current=False)
    new = _store_file(
        actor=actor,
        college=material.college,
        uploaded=uploaded,
        material=material,
        expected_kind=material.kind,
        version=old.version + 1,
        previous=old,
    )
    audit_log(
        actor=actor,
        college=material.college,
        action="material.file_replace",
        target=material,
        before={"file": old.pk, "version": old.version},
        after={"file": new.pk, "version": new.version},
    )
    return new


def material_file_register_download(*, file: MaterialFile) -> None:
    """Count a download without a read-modify-write race."""
    MaterialFile.objects.filter(pk=file.pk).update(download_count=F("download_count") + 1)


def material_notify(*, material_id: int) -> int:
    """Tell the audience of a publication whose time has come: a notice each, and an e-mail where they have one.

    Claims the publication with a conditional update, so running twice (a
    retried task, beat and an on-commit task at once) notifies once.
    Returns the number of notices created.
    """
    from accounts.models import User
    from materials.selectors import material_audience_user_ids
    from materials.tasks import material_email_send

    now = timezone.now()
    with transaction.atomic():
        claimed = Material.objects.filter(
            pk=material_id, status=Material.Status.PUBLISHED, published_at__lte=now, notified_at__isnull=True
        ).update(notified_at=now)
        if not claimed:
            return 0
        material = Material.objects.get(pk=material_id)
        user_ids = sorted(material_audience_user_ids(material=material))
        created = MaterialNotice.objects.bulk_create(
            [MaterialNotice(user_id=user_id, material=material) for user_id in user_ids],
            ignore_conflicts=True,
        )
        with_email = User.objects.filter(pk__in=user_ids, is_active=True).exclude(email=None).exclude(email="")
        for user_id in with_email.values_list("pk", flat=True).order_by("pk"):
            transaction.on_commit(lambda user_id=user_id: material_email_send.delay(material_id, user_id), robust=True)
    return len(created)


def material_uploads_discard_stale() -> int:
    """Delete uploads staged by the upload page but never attached to a material (the page was left)."""
    cutoff = timezone.now() - STAGED_UPLOAD_KEPT
    with transaction.atomic():
        stale = list(
            MaterialFile.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(material__isnull=True, created_at__lt=cutoff)
            .values_list("pk", "file")
        )
        MaterialFile.objects.filter(pk__in=[pk for pk, _ in stale], material__isnull=True).delete()
        names = [name for _, name in stale]
        transaction.on_commit(lambda: _delete_stored(names), robust=True)
    return len(stale)


def material_notices_mark_seen(*, user: User, college: College) -> int:
    return MaterialNotice.objects.filter(user=user, material__college=college, seen_at__isnull=True).update(
        seen_at=timezone.now()
    )
