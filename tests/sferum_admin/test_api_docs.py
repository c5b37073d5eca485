"""/api/v1/docs/: Swagger UI served from the project's own static files, so it works without internet.

Both the docs page and the schema are for signed-in people only.
"""

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(client, teacher):
    client.force_login(teacher)
    return client


def _script_and_style_urls(html: str) -> list[str]:
    return re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)


def test_api_docs_load_swagger_ui_from_the_project_not_a_cdn(client):
    response = client.get(reverse("api:docs"))

    assert response.status_code == 200
    urls = _script_and_style_urls(response.text)
    assert any(url.endswith("swagger-ui-bundle.js") for url in urls)
    for url in urls:
        assert not url.startswith(("http://", "https://", "//")), url


def test_api_docs_assets_exist_among_the_static_files(client):
    response = client.get(reverse("api:docs"))

    static_paths = [
        url.removeprefix("/static/") for url in _script_and_style_urls(response.text) if url.startswith("/static/")
    ]
    assert len(static_paths) >= 3  # the bundle, the standalone preset and the style sheet
    for path in static_paths:
        assert finders.find(path.split("?")[0]), path


def test_api_docs_page_has_no_inline_script(client):
    response = client.get(reverse("api:docs"))

    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", response.text)
    script_url = [url for url in _script_and_style_urls(response.text) if "script=" in url][0]
    script = client.get(script_url)
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()


def test_api_docs_send_an_anonymous_visitor_to_sign_in(client):
    client.logout()

    response = client.get(reverse("api:docs"))

    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.get(reverse("api:docs") + "?script=").status_code == 302


def test_api_schema_is_refused_to_an_anonymous_caller(client):
    client.logout()

    response = client.get(reverse("api:schema"))

    assert response.status_code == 401
    assert b"paths" not in response.content


def test_api_schema_is_given_to_a_signed_in_person(client):
    response = client.get(reverse("api:schema"))

    assert response.status_code == 200
    assert b"/api/v1/" in response.content


def test_api_docs_page_may_have_inline_styles_but_never_inline_script(client):
    policy = client.get(reverse("api:docs"))["Content-Security-Policy"]

    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert "'unsafe-inline'" in directives["style-src"]
    assert directives["script-src"] == "'self'"


def test_the_schema_builds_without_warnings(tmp_path):
    from django.core.management import call_command

    call_command("spectacular", "--fail-on-warn", "--validate", "--file", str(tmp_path / "schema.yaml"))

    assert "/api/v1/colleges/{college_id}/study-groups/" in (tmp_path / "schema.yaml").read_text()


def test_every_college_endpoint_takes_the_college_id_as_an_integer_in_its_path(client):
    paths = client.get(reverse("api:schema"), {"format": "json"}).json()["paths"]

    college_paths = [path for path in paths if path.startswith("/api/v1/colleges/{college_id}/")]
    declared = [
        [p for p in operation["parameters"] if p["name"] == "college_id"]
        for path in college_paths
        for operation in paths[path].values()
    ]
    assert len(college_paths) >= 30
    assert all(
        params == [{"in": "path", "name": "college_id", "schema": {"type": "integer"}, "required": True}]
        for params in declared
    )
