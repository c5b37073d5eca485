"""Behind nginx (MATERIALS_ACCEL_REDIRECT) the app checks the permission and counts the download, and
nginx sends the file: the answer carries X-Accel-Redirect and no body."""

from urllib.parse import quote

from django.urls import reverse

from tests.materials.helpers import publish_document

PREFIX = "/_protected/materials/"


def test_download_is_handed_to_the_proxy(mw, client, settings):
    settings.MATERIALS_ACCEL_REDIRECT = PREFIX
    material = publish_document(actor=mw.users["teacher"], college=mw.college, group=mw.group, title="Конспект")
    file = material.files.get()
    client.force_login(mw.users["student"])

    response = client.get(reverse("materials:file_download", args=[file.pk]))

    assert response.status_code == 200
    assert response["X-Accel-Redirect"] == PREFIX + quote(file.file.name)
    assert response.content == b""
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert response["Cache-Control"] == "private, no-store"
    file.refresh_from_db()
    assert file.download_count == 1


def test_api_download_is_handed_to_the_proxy(mw, client, settings):
    settings.MATERIALS_ACCEL_REDIRECT = PREFIX
    file = publish_document(actor=mw.users["teacher"], college=mw.college, group=mw.group).files.get()
    client.force_login(mw.users["student"])

    response = client.get(f"/api/v1/colleges/{mw.college.pk}/material-files/{file.pk}/download/")

    assert response.status_code == 200
    assert response["X-Accel-Redirect"].startswith(PREFIX)


def test_no_redirect_for_someone_without_access(mw, client, settings):
    settings.MATERIALS_ACCEL_REDIRECT = PREFIX
    file = publish_document(actor=mw.users["teacher"], college=mw.college, group=mw.group).files.get()
    client.force_login(mw.users["other_student"])

    response = client.get(reverse("materials:file_download", args=[file.pk]))

    assert response.status_code == 404
    assert "X-Accel-Redirect" not in response


def test_a_missing_file_is_not_found_rather_than_handed_over(mw, client, settings):
    settings.MATERIALS_ACCEL_REDIRECT = PREFIX
    file = publish_document(actor=mw.users["teacher"], college=mw.college, group=mw.group).files.get()
    file.file.storage.delete(file.file.name)
    client.force_login(mw.users["student"])

    response = client.get(reverse("materials:file_download", args=[file.pk]))

    assert response.status_code == 404
    file.refresh_from_db()
    assert file.download_count == 0
