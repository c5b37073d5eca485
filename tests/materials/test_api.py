from rest_framework.test import APIClient

from materials.models import Audience, Kind, Material
from tests.accounts.helpers import api_key_for
from tests.college_api import api_url
from tests.materials.conftest import EXE_BYTES, pdf, upload
from tests.materials.helpers import publish_document


def _api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_key_for(user)}")
    return client


def test_teacher_uploads_and_publishes_through_the_api(mw):
    api = _api(mw.users["teacher"])
    uploaded = api.post(api_url("api:material-file-list", mw.college), {"file": pdf("Задание.pdf")}, format="multipart")

    response = api.post(
        api_url("api:material-list", mw.college),
        {
            "kind": Kind.DOCUMENT,
            "title": "Задание",
            "audience": Audience.DISCIPLINE,
            "groups": [mw.group.pk],
            "discipline": mw.discipline.pk,
            "files": [uploaded.json()["id"]],
            "publish": True,
        },
        format="json",
    )

    assert uploaded.status_code == 201
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "published"
    assert [f["name"] for f in body["files"]] == ["Задание.pdf"]
    assert body["discipline"] == {"id": mw.discipline.pk, "name": "Математика"}


def test_api_upload_refuses_a_disguised_executable(mw):
    response = _api(mw.users["teacher"]).post(
        api_url("api:material-file-list", mw.college), {"file": upload("setup.pdf", EXE_BYTES)}, format="multipart"
    )

    assert response.status_code == 400
    assert "не принят" in response.json()["file"][0]


def test_api_refuses_a_discipline_the_teacher_does_not_teach(mw):
    response = _api(mw.users["teacher"]).post(
        api_url("api:material-list", mw.college),
        {
            "kind": Kind.LINK,
            "title": "Ссылка",
            "url": "https://example.org/",
            "audience": Audience.DISCIPLINE,
            "groups": [mw.group.pk],
            "discipline": mw.other_discipline.pk,
        },
        format="json",
    )

    assert response.status_code == 403
    assert not Material.objects.exists()


def test_api_answers_field_errors_in_russian(mw):
    response = _api(mw.users["administration"]).post(
        api_url("api:material-list", mw.college),
        {"kind": Kind.LINK, "title": "Ссылка", "url": "javascript:alert(1)", "audience": Audience.COLLEGE},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["url"] == ["Ссылка должна начинаться с http:// или https://."]


def test_api_list_shows_only_what_the_student_may_see(mw):
    publish_document(actor=mw.users["teacher"], college=mw.college, group=mw.group, title="Своей группе")
    publish_document(actor=mw.users["administration"], college=mw.college, group=mw.other_group, title="Другой группе")

    response = _api(mw.users["student"]).get(api_url("api:material-list", mw.college))

    assert [m["title"] for m in response.json()["results"]] == ["Своей группе"]


def test_api_material_of_another_college_is_404(mw):
    material = publish_document(actor=mw.users["teacher"], college=mw.college, group=mw.group)

    response = _api(mw.users["other_administrator"]).get(
        api_url("api:material-detail", mw.other_college, pk=material.pk)
    )

    assert response.status_code == 404


def test_api_download_counts_and_names_the_file(mw):
    material = publish_document(actor=mw.users["teacher"], college=mw.college, group=mw.group, title="Лекция")
    file = material.files.get()

    response = _api(mw.users["student"]).get(api_url("api:material-file-download", mw.college, pk=file.pk))

    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    file.refresh_from_db()
    assert file.download_count == 1


def test_api_update_changes_the_audience_within_the_teachers_rights(mw):
    material = publish_document(actor=mw.users["teacher"], college=mw.college, group=mw.group)

    response = _api(mw.users["teacher"]).put(
        api_url("api:material-detail", mw.college, pk=material.pk),
        {"title": "Новое название", "audience": Audience.GROUPS, "groups": [mw.group.pk]},
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response.json()["title"] == "Новое название"


def test_api_publish_with_a_date_schedules(mw):
    material = publish_document(actor=mw.users["teacher"], college=mw.college, group=mw.group, publish=False)

    response = _api(mw.users["teacher"]).post(
        api_url("api:material-publish", mw.college, pk=material.pk),
        {"publish_at": "2030-09-01T09:00:00+03:00"},
        format="json",
    )

    assert response.status_code == 200
    material.refresh_from_db()
    assert material.is_scheduled
