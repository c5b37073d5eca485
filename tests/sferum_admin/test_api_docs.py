"""/api/v1/docs/: Swagger UI served from the project's own static files, so it works without internet."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

pytestmark = pytest.mark.django_db


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
