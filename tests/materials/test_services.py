import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from materials import services
from materials.models import Audience, Kind, Material, MaterialFile, MaterialNotice, Section
from materials.storage import MaterialsStorage
from materials.tasks import material_notify_due
from tests.materials.conftest import EXE_BYTES, MP4_BYTES, pdf, upload
from tests.materials.helpers import publish_document, publish_link


def test_teacher_publishes_a_document_for_their_discipline(mw):
    teacher = mw.users["teacher"]

    material = publish_document(actor=teacher, college=mw.college, group=mw.group, discipline=mw.discipline)

    assert material.status == Material.Status.PUBLISHED
    assert material.audience == Audience.DISCIPLINE
    assert list(material.groups.all()) == [mw.group]
    assert material.files.get().original_name == "Методичка.pdf"
    assert AuditEvent.objects.filter(action="material.create", target_id=str(material.pk)).exists()


def test_teacher_cannot_post_to_a_discipline_they_do_not_teach(mw):
    with pytest.raises(PermissionDenied):
        publish_document(actor=mw.users["teacher"], college=mw.college, group=mw.group, discipline=mw.other_discipline)


def test_teacher_cannot_post_to_a_group_they_are_not_assigned_to(mw):
    with pytest.raises(PermissionDenied):
        publish_link(actor=mw.users["teacher"], college=mw.college, audience=Audience.GROUPS, groups=[mw.other_group])


def test_teacher_cannot_post_college_wide(mw):
    with pytest.raises(PermissionDenied):
        publish_link(actor=mw.users["teacher"], college=mw.college, audience=Audience.COLLEGE)


def test_curator_posts_to_their_group_and_its_parents(mw):
    curator = mw.users["curator"]

    for_group = publish_link(actor=curator, college=mw.college, audience=Audience.GROUPS, groups=[mw.group])
    for_parents = publish_link(actor=curator, college=mw.college, audience=Audience.PARENTS, groups=[mw.group])

    assert for_group.audience == Audience.GROUPS
    assert for_parents.audience == Audience.PARENTS


def test_subject_teacher_cannot_address_parents(mw):
    with pytest.raises(PermissionDenied):
        publish_link(actor=mw.users["teacher"], college=mw.college, audience=Audience.PARENTS, groups=[mw.group])


def test_administration_posts_anywhere_in_the_college(mw):
    for audience, groups in ((Audience.COLLEGE, []), (Audience.STAFF, []), (Audience.GROUPS, [mw.other_group])):
        material = publish_link(actor=mw.users["administration"], college=mw.college, audience=audience, groups=groups)
        assert material.audience == audience


def test_group_of_another_college_is_refused(mw):
    with pytest.raises(ValidationError) as exc:
        publish_link(
            actor=mw.users["administrator"], college=mw.college, audience=Audience.GROUPS, groups=[mw.foreign_group]
        )

    assert "groups" in exc.value.message_dict


def test_only_management_posts_college_documents(mw):
    document = publish_link(actor=mw.users["administrator"], college=mw.college, section=Section.DOCUMENTS)

    assert document.section == Section.DOCUMENTS
    with pytest.raises(PermissionDenied):
        publish_link(
            actor=mw.users["curator"],
            college=mw.college,
            section=Section.DOCUMENTS,
            audience=Audience.GROUPS,
            groups=[mw.group],
        )


@pytest.mark.parametrize("role", ["student", "parent", "other_administrator"])
def test_readers_cannot_upload_files(mw, role):
    with pytest.raises(PermissionDenied):
        services.material_file_stage(actor=mw.users[role], college=mw.college, uploaded=pdf())


def test_disguised_executable_is_refused_and_nothing_is_stored(mw):
    with pytest.raises(ValidationError) as exc:
        services.material_file_stage(
            actor=mw.users["teacher"], college=mw.college, uploaded=upload("Приказ.pdf", EXE_BYTES)
        )

    assert "по содержимому это не документ и не видео" in exc.value.messages[0]
    assert not MaterialFile.objects.exists()


def test_oversize_file_is_refused_with_the_limit(mw, settings):
    settings.MATERIALS_MAX_BYTES = {"document": 64, "video": 1024}

    with pytest.raises(ValidationError) as exc:
        services.material_file_stage(actor=mw.users["teacher"], college=mw.college, uploaded=pdf("Большой.pdf"))

    assert "не больше 64 Б" in exc.value.messages[0]
    assert not MaterialFile.objects.exists()


def test_file_is_stored_under_a_random_name_and_keeps_a_readable_one(mw):
    staged = services.material_file_stage(
        actor=mw.users["teacher"], college=mw.college, uploaded=pdf("../../План занятий.pdf")
    )

    assert staged.original_name == "План занятий.pdf"
    assert staged.file.name.startswith(f"{mw.college.pk}/")
    assert "План" not in staged.file.name
    assert MaterialsStorage().exists(staged.file.name)


def test_article_is_stored_clean(mw):
    material = services.material_create(
        actor=mw.users["teacher"],
        college=mw.college,
        kind=Kind.ARTICLE,
        title="Правила лабораторной",
        body='<p>Текст</p><script>alert(1)</script><img src=x onerror="alert(2)"><a href="javascript:x()">a</a>',
        audience=Audience.GROUPS,
        groups=[mw.group],
    )

    material.refresh_from_db()
    assert "<script" not in material.body
    assert "onerror" not in material.body
    assert "javascript:" not in material.body
    assert "<p>Текст</p>" in material.body


def test_document_needs_a_file(mw):
    with pytest.raises(ValidationError) as exc:
        services.material_create(
            actor=mw.users["teacher"],
            college=mw.college,
            kind=Kind.DOCUMENT,
            title="Без файла",
            audience=Audience.GROUPS,
            groups=[mw.group],
        )

    assert exc.value.message_dict["files"] == [services.FILES_REQUIRED_MESSAGE]


def test_video_file_cannot_be_attached_to_a_document(mw):
    staged = services.material_file_stage(
        actor=mw.users["teacher"], college=mw.college, uploaded=upload("lecture.mp4", MP4_BYTES)
    )

    with pytest.raises(ValidationError) as exc:
        services.material_create(
            actor=mw.users["teacher"],
            college=mw.college,
            kind=Kind.DOCUMENT,
            title="Лекция",
            audience=Audience.GROUPS,
            groups=[mw.group],
            upload_ids=[staged.pk],
        )

    assert "видео" in exc.value.message_dict["files"][0]


def test_someone_elses_upload_cannot_be_attached(mw):
    staged = services.material_file_stage(actor=mw.users["curator"], college=mw.college, uploaded=pdf())

    with pytest.raises(ValidationError) as exc:
        services.material_create(
            actor=mw.users["teacher"],
            college=mw.college,
            kind=Kind.DOCUMENT,
            title="Чужой файл",
            audience=Audience.GROUPS,
            groups=[mw.group],
            upload_ids=[staged.pk],
        )

    assert exc.value.message_dict["files"] == [services.UPLOAD_MISSING_MESSAGE]


def test_link_must_be_http(mw):
    with pytest.raises(ValidationError) as exc:
        services.material_create(
            actor=mw.users["teacher"],
            college=mw.college,
            kind=Kind.LINK,
            title="Ссылка",
            url="javascript:alert(1)",
            audience=Audience.GROUPS,
            groups=[mw.group],
        )

    assert "url" in exc.value.message_dict


def test_video_can_be_a_link_to_a_video_service(mw):
    material = services.material_create(
        actor=mw.users["teacher"],
        college=mw.college,
        kind=Kind.VIDEO,
        title="Лекция",
        url="https://rutube.ru/video/123/",
        audience=Audience.GROUPS,
        groups=[mw.group],
    )

    assert material.url == "https://rutube.ru/video/123/"


def test_replacing_a_file_keeps_the_previous_version(mw):
    material = publish_document(actor=mw.users["teacher"], college=mw.college, group=mw.group)
    first = material.files.get()

    second = services.material_file_replace(actor=mw.users["teacher"], file=first, uploaded=pdf("Методичка v2.pdf"))

    first.refresh_from_db()
    assert (first.is_current, second.is_current) == (False, True)
    assert second.version == 2 and second.previous_id == first.pk
    assert MaterialsStorage().exists(first.file.name)


def test_replacement_of_another_kind_is_refused(mw):
    material = publish_document(actor=mw.users["teacher"], college=mw.college, group=mw.group)

    with pytest.raises(ValidationError):
        services.material_file_replace(
            actor=mw.users["teacher"], file=material.files.get(), uploaded=upload("v.mp4", MP4_BYTES)
        )

    assert material.files.filter(is_current=True).count() == 1


def test_another_teacher_cannot_edit_a_material(mw):
    material = publish_document(actor=mw.users["teacher"], college=mw.college, group=mw.group)

    with pytest.raises(PermissionDenied):
        services.material_unpublish(actor=mw.users["curator"], material=material)


@pytest.mark.django_db(transaction=True)
def test_deleting_removes_the_material_and_its_stored_files(mw):
    material = publish_document(actor=mw.users["teacher"], college=mw.college, group=mw.group)
    name = material.files.get().file.name

    services.material_delete(actor=mw.users["administration"], material=material)

    assert not Material.objects.filter(pk=material.pk).exists()
    assert not MaterialsStorage().exists(name)


def test_publishing_notifies_the_group_in_app_and_by_email(mw, django_capture_on_commit_callbacks):
    student = mw.users["student"]
    student.email = "student@example.org"
    student.save(update_fields=["email"])

    with django_capture_on_commit_callbacks(execute=True):
        material = publish_document(actor=mw.users["teacher"], college=mw.college, group=mw.group)

    assert list(MaterialNotice.objects.values_list("user_id", flat=True)) == [student.pk]
    assert [m.to for m in mail.outbox] == [["student@example.org"]]
    assert "Методичка" in mail.outbox[0].subject
    assert f"/materials/{material.pk}/" in mail.outbox[0].body


def test_a_publication_is_notified_once(mw, django_capture_on_commit_callbacks):
    mw.users["student"].email = "student@example.org"
    mw.users["student"].save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        material = publish_document(actor=mw.users["teacher"], college=mw.college, group=mw.group)

    with django_capture_on_commit_callbacks(execute=True):
        again = services.material_notify(material_id=material.pk)

    assert again == 0
    assert MaterialNotice.objects.count() == 1
    assert len(mail.outbox) == 1


def test_draft_notifies_nobody(mw, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        publish_document(actor=mw.users["teacher"], college=mw.college, group=mw.group, publish=False)

    assert not MaterialNotice.objects.exists()


def test_scheduled_publication_is_notified_when_its_time_comes(mw, django_capture_on_commit_callbacks):
    later = timezone.now() + datetime.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        material = publish_document(actor=mw.users["teacher"], college=mw.college, group=mw.group, publish_at=later)
    assert not MaterialNotice.objects.exists()
    assert material_notify_due() == 0
    Material.objects.filter(pk=material.pk).update(published_at=timezone.now() - datetime.timedelta(seconds=1))

    with django_capture_on_commit_callbacks(execute=True):
        due = material_notify_due()

    assert due == 1
    assert MaterialNotice.objects.filter(user=mw.users["student"], material=material).exists()


def test_unpublish_returns_a_draft(mw):
    material = publish_document(actor=mw.users["teacher"], college=mw.college, group=mw.group)

    services.material_unpublish(actor=mw.users["teacher"], material=material)

    material.refresh_from_db()
    assert (material.status, material.published_at) == (Material.Status.DRAFT, None)


def test_pin_marks_the_material(mw):
    material = publish_link(actor=mw.users["administration"], college=mw.college)

    services.material_pin(actor=mw.users["administration"], material=material, pinned=True)

    material.refresh_from_db()
    assert material.pinned


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_simultaneous_downloads_are_all_counted(mw):
    import threading

    from django.db import connection

    file = publish_document(actor=mw.users["teacher"], college=mw.college, group=mw.group).files.get()
    barrier = threading.Barrier(8)

    def download():
        try:
            barrier.wait()
            for _ in range(5):
                services.material_file_register_download(file=file)
        finally:
            connection.close()

    threads = [threading.Thread(target=download) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    file.refresh_from_db()
    assert file.download_count == 40


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_concurrent_notification_runs_notify_once(mw):
    import threading

    from django.db import connection

    mw.users["student"].email = "student@example.org"
    mw.users["student"].save(update_fields=["email"])
    material = publish_document(actor=mw.users["teacher"], college=mw.college, group=mw.group, publish=False)
    Material.objects.filter(pk=material.pk).update(status=Material.Status.PUBLISHED, published_at=timezone.now())
    barrier = threading.Barrier(6)
    results = []

    def run():
        try:
            barrier.wait()
            results.append(services.material_notify(material_id=material.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [0, 0, 0, 0, 0, 1]
    assert MaterialNotice.objects.count() == 1
    assert len(mail.outbox) == 1


@pytest.mark.django_db(transaction=True)
def test_uploads_never_attached_are_discarded_after_a_day(mw):
    stale = services.material_file_stage(actor=mw.users["teacher"], college=mw.college, uploaded=pdf("old.pdf"))
    fresh = services.material_file_stage(actor=mw.users["teacher"], college=mw.college, uploaded=pdf("new.pdf"))
    attached = publish_document(actor=mw.users["teacher"], college=mw.college, group=mw.group).files.get()
    MaterialFile.objects.filter(pk__in=[stale.pk, attached.pk]).update(
        created_at=timezone.now() - datetime.timedelta(days=2)
    )

    removed = services.material_uploads_discard_stale()

    assert removed == 1
    assert set(MaterialFile.objects.values_list("pk", flat=True)) == {fresh.pk, attached.pk}
    assert not MaterialsStorage().exists(stale.file.name)
    assert MaterialsStorage().exists(fresh.file.name)
