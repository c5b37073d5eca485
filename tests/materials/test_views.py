import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from materials.models import Audience, Kind, Material, MaterialFile, Section
from tests.college_api import api_url
from tests.materials.conftest import EXE_BYTES, pdf, upload
from tests.materials.helpers import publish_document, publish_link


def test_upload_endpoint_accepts_a_pdf_and_answers_its_id(mw, client):
    client.force_login(mw.users["teacher"])

    response = client.post(reverse("materials:upload"), {"file": pdf("План.pdf")})

    assert response.status_code == 201
    staged = MaterialFile.objects.get(pk=response.json()["id"])
    assert (staged.original_name, staged.material_id) == ("План.pdf", None)


def test_upload_endpoint_refuses_a_disguised_executable_with_a_russian_message(mw, client):
    client.force_login(mw.users["teacher"])

    response = client.post(reverse("materials:upload"), {"file": upload("Приказ.pdf", EXE_BYTES)})

    assert response.status_code == 400
    assert "«Приказ.pdf» не принят" in response.json()["error"]
    assert not MaterialFile.objects.exists()


def test_upload_endpoint_refuses_an_oversize_file_naming_the_limit(mw, client, settings):
    settings.MATERIALS_MAX_BYTES = {"document": 10 * 1024 * 1024, "video": 100 * 1024 * 1024}
    client.force_login(mw.users["teacher"])
    big = upload("Большой.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024 + 1))

    response = client.post(reverse("materials:upload"), {"file": big})

    assert response.status_code == 400
    assert "не больше 10 МБ" in response.json()["error"]


def test_upload_page_offers_only_the_teachers_own_groups_and_disciplines(mw, client):
    client.force_login(mw.users["teacher"])

    response = client.get(reverse("materials:create"))

    form = response.context["form"]
    assert list(form.fields["groups"].queryset) == [mw.group]
    assert list(form.fields["discipline"].queryset) == [mw.discipline]
    assert {value for value, _ in form.fields["audience"].choices} == {Audience.GROUPS, Audience.DISCIPLINE}


def test_teacher_uploads_two_files_and_publishes_for_a_discipline(mw, client):
    client.force_login(mw.users["teacher"])
    ids = [client.post(reverse("materials:upload"), {"file": pdf(n)}).json()["id"] for n in ("1.pdf", "2.pdf")]

    response = client.post(
        reverse("materials:create"),
        {
            "kind": Kind.DOCUMENT,
            "title": "Лабораторная №1",
            "audience": Audience.DISCIPLINE,
            "groups": [mw.group.pk],
            "discipline": mw.discipline.pk,
            "upload_ids": ids,
            "action": "publish",
        },
    )

    material = Material.objects.get(title="Лабораторная №1")
    assert response.status_code == 302 and response["Location"] == reverse("materials:detail", args=[material.pk])
    assert material.is_live
    assert sorted(material.files.values_list("original_name", flat=True)) == ["1.pdf", "2.pdf"]


def test_form_without_script_posts_files_with_the_form(mw, client):
    client.force_login(mw.users["teacher"])

    client.post(
        reverse("materials:create"),
        {
            "kind": Kind.DOCUMENT,
            "title": "Без скрипта",
            "audience": Audience.GROUPS,
            "groups": [mw.group.pk],
            "files": [pdf("a.pdf"), pdf("b.pdf")],
            "action": "draft",
        },
    )

    material = Material.objects.get(title="Без скрипта")
    assert material.status == Material.Status.DRAFT
    assert material.files.count() == 2


def test_teacher_posting_to_a_foreign_discipline_gets_a_form_error(mw, client):
    client.force_login(mw.users["teacher"])

    response = client.post(
        reverse("materials:create"),
        {
            "kind": Kind.LINK,
            "title": "Чужая дисциплина",
            "url": "https://example.org/",
            "audience": Audience.DISCIPLINE,
            "groups": [mw.group.pk],
            "discipline": mw.other_discipline.pk,
            "action": "publish",
        },
    )

    assert response.status_code == 400
    assert not Material.objects.exists()


def test_student_downloads_with_the_original_name_and_the_download_is_counted(mw, client):
    material = publish_document(actor=mw.users["teacher"], college=mw.college, group=mw.group, title="Конспект лекции")
    file = material.files.get()
    client.force_login(mw.users["student"])

    response = client.get(reverse("materials:file_download", args=[file.pk]))

    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert "attachment" in response["Content-Disposition"]
    assert "filename*=utf-8''%D0%9A%D0%BE%D0%BD%D1%81%D0%BF%D0%B5%D0%BA%D1%82" in response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf"
    file.refresh_from_db()
    assert file.download_count == 1


def test_student_of_another_group_cannot_download(mw, client):
    material = publish_document(actor=mw.users["teacher"], college=mw.college, group=mw.group)
    client.force_login(mw.users["other_student"])

    response = client.get(reverse("materials:file_download", args=[material.files.get().pk]))

    assert response.status_code == 404


def test_stored_files_are_not_under_media_root(mw, settings):
    material = publish_document(actor=mw.users["teacher"], college=mw.college, group=mw.group)

    path = material.files.get().file.path

    assert not path.startswith(str(settings.MEDIA_ROOT))


def test_article_is_shown_clean(mw, client):
    client.force_login(mw.users["teacher"])
    client.post(
        reverse("materials:create"),
        {
            "kind": Kind.ARTICLE,
            "title": "Статья",
            "body": '<p>Абзац</p><script>alert("x")</script><p onmouseover="alert(1)">второй</p>',
            "audience": Audience.GROUPS,
            "groups": [mw.group.pk],
            "action": "publish",
        },
    )
    material = Material.objects.get(title="Статья")
    client.force_login(mw.users["student"])

    response = client.get(reverse("materials:detail", args=[material.pk]))

    assert response.status_code == 200
    assert "<p>Абзац</p>" in response.text
    assert 'alert("x")' not in response.text and "onmouseover" not in response.text


def test_list_page_has_an_empty_state(mw, client):
    client.force_login(mw.users["student"])

    response = client.get(reverse("materials:list"))

    assert "Материалов пока нет." in response.text


def test_search_with_no_result_says_so(mw, client):
    publish_link(actor=mw.users["administration"], college=mw.college, title="Расписание")
    client.force_login(mw.users["student"])

    response = client.get(reverse("materials:list"), {"q": "экзамен"})

    assert "Ничего не найдено" in response.text


def test_list_filters_by_kind(mw, client):
    publish_link(actor=mw.users["administration"], college=mw.college, title="Ссылка на сайт")
    publish_document(actor=mw.users["administration"], college=mw.college, title="Приказ о практике")
    client.force_login(mw.users["student"])

    response = client.get(reverse("materials:list"), {"kind": "document"})

    assert [m.title for m in response.context["materials"]] == ["Приказ о практике"]


def test_group_page_filters_by_discipline(mw, client):
    publish_document(actor=mw.users["teacher"], college=mw.college, group=mw.group, discipline=mw.discipline)
    publish_link(actor=mw.users["curator"], college=mw.college, audience=Audience.GROUPS, groups=[mw.group])
    client.force_login(mw.users["student"])

    response = client.get(reverse("materials:group", args=[mw.group.pk]), {"discipline": mw.discipline.pk})

    assert [m.title for m in response.context["materials"]] == ["Методичка"]
    assert response.context["disciplines"] == [mw.discipline]


def test_delete_asks_for_confirmation_first(mw, client):
    material = publish_link(actor=mw.users["administration"], college=mw.college, title="Удаляемый")
    client.force_login(mw.users["administration"])

    page = client.get(reverse("materials:delete", args=[material.pk]))
    assert "Да, удалить" in page.text and Material.objects.filter(pk=material.pk).exists()
    response = client.post(reverse("materials:delete", args=[material.pk]))

    assert response.status_code == 302
    assert not Material.objects.filter(pk=material.pk).exists()


def test_replace_page_uploads_a_new_version(mw, client):
    material = publish_document(actor=mw.users["teacher"], college=mw.college, group=mw.group)
    first = material.files.get()
    client.force_login(mw.users["teacher"])

    response = client.post(reverse("materials:file_replace", args=[first.pk]), {"file": pdf("Версия 2.pdf")})

    assert response.status_code == 302
    assert list(material.files.order_by("version").values_list("version", "is_current")) == [(1, False), (2, True)]


def test_notices_page_lists_new_materials_and_marks_them_seen(mw, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        publish_document(actor=mw.users["teacher"], college=mw.college, group=mw.group, title="Новая тема")
    client.force_login(mw.users["student"])

    response = client.get(reverse("materials:notices"))

    assert "Новая тема" in response.text
    assert mw.users["student"].material_notices.filter(seen_at__isnull=True).count() == 0


def test_menu_shows_materials_to_a_college_member(mw, client):
    client.force_login(mw.users["student"])

    response = client.get(reverse("materials:list"))

    assert f'href="{reverse("materials:list")}"' in response.text
    assert f'href="{reverse("materials:documents")}"' in response.text


def _make(mw, count, section=Section.LEARNING):
    admin = mw.users["administration"]
    for i in range(count):
        if i % 3 == 0:
            publish_document(actor=admin, college=mw.college, group=mw.group, title=f"Документ {i}", section=section)
        else:
            publish_link(
                actor=admin,
                college=mw.college,
                title=f"Ссылка {i}",
                audience=Audience.GROUPS,
                groups=[mw.group],
                section=section,
            )


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("url_for", "section"),
    [
        (lambda mw: reverse("materials:list"), Section.LEARNING),
        (lambda mw: reverse("materials:group", args=[mw.group.pk]), Section.LEARNING),
        (lambda mw: reverse("materials:documents"), Section.DOCUMENTS),
        (lambda mw: reverse("materials:notices"), Section.LEARNING),
        (lambda mw: api_url("api:material-list", mw.college), Section.LEARNING),
    ],
    ids=["list", "group", "documents", "notices", "api-list"],
)
def test_list_query_count_is_the_same_for_3_and_30_materials(
    mw, client, django_assert_num_queries, django_capture_on_commit_callbacks, url_for, section
):
    client.force_login(mw.users["student"])
    with django_capture_on_commit_callbacks(execute=True):
        _make(mw, 3, section)
    url = url_for(mw)
    small = _count_queries(client, url)
    with django_capture_on_commit_callbacks(execute=True):
        _make(mw, 27, section)

    with django_assert_num_queries(small):
        response = client.get(url)

    assert len(response.context["page_obj"].object_list if response.context else response.json()["results"]) >= 20


def test_edit_page_changes_the_title_and_keeps_the_files(mw, client):
    material = publish_document(actor=mw.users["teacher"], college=mw.college, group=mw.group, title="Старое")
    client.force_login(mw.users["teacher"])
    page = client.get(reverse("materials:update", args=[material.pk]))
    assert page.status_code == 200 and 'value="Старое"' in page.text

    response = client.post(
        reverse("materials:update", args=[material.pk]),
        {"title": "Новое", "audience": Audience.GROUPS, "groups": [mw.group.pk]},
    )

    assert response.status_code == 302
    material.refresh_from_db()
    assert material.title == "Новое" and material.files.count() == 1


def test_administration_posts_a_college_document_for_everyone(mw, client):
    client.force_login(mw.users["administration"])
    staged = client.post(reverse("materials:upload"), {"file": pdf("Положение о Сферуме.pdf")}).json()["id"]

    client.post(
        reverse("materials:create") + "?section=documents",
        {
            "kind": Kind.DOCUMENT,
            "title": "Положение об использовании ИКОП «Сферум»",
            "audience": Audience.COLLEGE,
            "upload_ids": [staged],
            "action": "publish",
        },
    )
    client.force_login(mw.users["parent"])

    response = client.get(reverse("materials:documents"))

    assert [m.title for m in response.context["materials"]] == ["Положение об использовании ИКОП «Сферум»"]


def test_curator_cannot_open_the_college_documents_upload(mw, client):
    client.force_login(mw.users["curator"])

    response = client.get(reverse("materials:create") + "?section=documents")

    assert response.status_code == 403


def test_scheduled_publication_is_hidden_until_its_time(mw, client):
    client.force_login(mw.users["curator"])
    client.post(
        reverse("materials:create"),
        {
            "kind": Kind.LINK,
            "title": "К понедельнику",
            "url": "https://example.org/",
            "audience": Audience.GROUPS,
            "groups": [mw.group.pk],
            "publish_at": "2031-09-01T09:00",
            "action": "publish",
        },
    )
    material = Material.objects.get(title="К понедельнику")
    client.force_login(mw.users["student"])

    response = client.get(reverse("materials:detail", args=[material.pk]))

    assert material.is_scheduled
    assert response.status_code == 404


def test_upload_larger_than_any_limit_is_refused_before_reading(mw, client, settings):
    settings.MATERIALS_MAX_BYTES = {"document": 1024, "video": 2048}
    client.force_login(mw.users["teacher"])
    body = upload("Огромный.pdf", b"%PDF-1.4\n" + b"0" * 200_000)

    response = client.post(reverse("materials:upload"), {"file": body})

    assert response.status_code == 400
    assert response.json()["error"] == "Файл слишком большой: можно загрузить не больше 2 КБ."
    assert not MaterialFile.objects.exists()


def test_article_stored_unsafe_by_another_path_is_still_shown_clean(mw, client):
    material = publish_link(actor=mw.users["administration"], college=mw.college, title="Статья из админки")
    Material.objects.filter(pk=material.pk).update(kind=Kind.ARTICLE, url="", body="<p>ok</p><script>alert(1)</script>")
    client.force_login(mw.users["student"])

    response = client.get(reverse("materials:detail", args=[material.pk]))

    assert "<p>ok</p>" in response.text and "alert(1)" not in response.text


def test_list_shows_how_many_new_materials_wait(mw, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        publish_document(actor=mw.users["teacher"], college=mw.college, group=mw.group, title="Первая")
        publish_document(actor=mw.users["teacher"], college=mw.college, group=mw.group, title="Вторая")
    client.force_login(mw.users["student"])

    before = client.get(reverse("materials:list"))
    client.get(reverse("materials:notices"))
    after = client.get(reverse("materials:list"))

    assert before.context["unseen_notices"] == 2
    assert after.context["unseen_notices"] == 0


def test_long_list_is_paginated_newest_first(mw, client):
    for i in range(25):
        publish_link(actor=mw.users["administration"], college=mw.college, title=f"Объявление {i:02d}")
    client.force_login(mw.users["student"])

    first = client.get(reverse("materials:list"))
    second = client.get(reverse("materials:list"), {"page": 2})

    assert [m.title for m in first.context["materials"]][:2] == ["Объявление 24", "Объявление 23"]
    assert len(first.context["materials"]) == 20 and "Страница 1 из 2" in first.text
    assert [m.title for m in second.context["materials"]][-1] == "Объявление 00"


def test_student_cannot_open_another_groups_page(mw, client):
    client.force_login(mw.users["other_student"])

    response = client.get(reverse("materials:group", args=[mw.group.pk]))

    assert response.status_code == 404


def test_dates_on_pages_are_in_the_college_time_zone(mw, client):
    mw.college.time_zone = "Asia/Yekaterinburg"
    mw.college.save(update_fields=["time_zone"])
    material = publish_link(actor=mw.users["administrator"], college=mw.college, title="Время")
    Material.objects.filter(pk=material.pk).update(
        published_at=datetime.datetime(2026, 3, 2, 7, 30, tzinfo=datetime.UTC)
    )
    client.force_login(mw.users["student"])

    response = client.get(reverse("materials:detail", args=[material.pk]))

    assert "опубликован 02.03.2026 12:30" in response.text


def test_a_time_typed_into_a_form_is_read_in_the_college_time_zone(mw, client):
    mw.college.time_zone = "Asia/Yekaterinburg"
    mw.college.save(update_fields=["time_zone"])
    client.force_login(mw.users["curator"])

    client.post(
        reverse("materials:create"),
        {
            "kind": Kind.LINK,
            "title": "К понедельнику",
            "url": "https://example.org/",
            "audience": Audience.GROUPS,
            "groups": [mw.group.pk],
            "publish_at": "2031-09-01T09:00",
            "action": "publish",
        },
    )

    material = Material.objects.get(title="К понедельнику")
    assert material.published_at == datetime.datetime(2031, 9, 1, 4, 0, tzinfo=datetime.UTC)
