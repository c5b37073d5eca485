"""The Content-Security-Policy: every page forbids inline script, and no template brings any back.

Scripts and styles come only from the project's own static files: a behaviour
is a data- attribute handled by static/js (``data-confirm``, ``data-autosubmit``,
``data-print``…), a style is a class in static/css. These tests walk every
template of the project, so a new template with ``onclick=`` or ``<script>…``
fails here before it fails silently in a browser.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db

POLICY = "Content-Security-Policy"


def _directives(response) -> dict[str, list[str]]:
    header = response[POLICY]
    out = {}
    for part in header.split(";"):
        name, *values = part.split()
        out[name] = values
    return out


def _assert_strict(response) -> None:
    directives = _directives(response)
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["default-src"] == ["'self'"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    assert "'unsafe-inline'" not in response[POLICY].split("style-src")[0]
    assert "'unsafe-eval'" not in response[POLICY]


def test_anonymous_pages_carry_the_policy(client):
    for url in (reverse("home"), reverse("account_login"), "/no-such-page/"):
        response = client.get(url)

        assert POLICY in response, url
        _assert_strict(response)


def test_pages_of_a_signed_in_administrator_carry_the_policy(client, administrator):
    client.force_login(administrator)

    for url_name in ("dashboard", "groups:study_group_list", "invitations:list", "materials:list"):
        response = client.get(reverse(url_name))

        assert response.status_code == 200, url_name
        _assert_strict(response)


def test_api_answers_carry_the_policy_too(client, teacher):
    client.force_login(teacher)

    response = client.get(reverse("api:schema"))

    _assert_strict(response)


def test_the_server_error_page_is_styled_from_a_file_not_inline(client):
    from sferum_admin.views import server_error

    request = client.get(reverse("home")).wsgi_request
    response = server_error(request)

    assert b"style=" not in response.content
    assert b"css/error.css" in response.content


# --- Templates: nothing inline -------------------------------------------------------------

_DJANGO_COMMENT = re.compile(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}|{#.*?#}", re.S)
# An attribute like onclick=, onsubmit=, onchange= (inside a tag: preceded by white space).
_EVENT_HANDLER = re.compile(r"""(?<![\w:.-])on[a-z]+\s*=\s*["'{]""", re.I)
_HTMX_ON = re.compile(r"""\b(?:data-)?hx-on\b""", re.I)
_SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.I)
# Data blocks are not run by the browser: the policy allows them.
_DATA_SCRIPT = re.compile(r"""\btype\s*=\s*["']application/(?:ld\+)?json["']""", re.I)
_STYLE_ATTRIBUTE = re.compile(r"""(?<![\w:.-])style\s*=\s*["'{]""", re.I)
_STYLE_TAG = re.compile(r"<style\b", re.I)
_JS_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']\s*javascript:""", re.I)


def _project_templates() -> list[Path]:
    base = Path(settings.BASE_DIR)
    skip = {".venv", "node_modules", "staticfiles", ".git"}
    files = []
    for folder in base.rglob("templates"):
        if skip & set(folder.relative_to(base).parts) or not folder.is_dir():
            continue
        files.extend(path for path in folder.rglob("*.html") if path.is_file())
    return sorted(files)


def inline_code_in(text: str) -> list[str]:
    """What in this template the policy would block: inline handlers, inline scripts and styles."""
    text = _DJANGO_COMMENT.sub("", text)
    found = []
    for regex, what in (
        (_EVENT_HANDLER, "inline event handler"),
        (_HTMX_ON, "hx-on handler"),
        (_STYLE_ATTRIBUTE, "style attribute"),
        (_STYLE_TAG, "<style> block"),
        (_JS_URL, "javascript: URL"),
    ):
        found += [f"{what}: {match.group(0)!r}" for match in regex.finditer(text)]
    for match in _SCRIPT_TAG.finditer(text):
        attributes = match.group(1)
        if not re.search(r"\bsrc\s*=", attributes) and not _DATA_SCRIPT.search(attributes):
            found.append(f"inline <script>: {match.group(0)!r}")
    return found


def test_the_template_walk_finds_the_project_templates():
    names = {path.relative_to(settings.BASE_DIR).as_posix() for path in _project_templates()}

    assert "templates/base.html" in names
    assert len(names) > 50


@pytest.mark.parametrize(
    "snippet",
    [
        "<form onsubmit=\"return confirm('Точно?')\">",
        "<select name=x onchange='this.form.submit()'>",
        '<input\n  onclick="this.select()">',
        '<button hx-on:click="alert(1)">',
        "<script>alert(1)</script>",
        '<script type="text/javascript">alert(1)</script>',
        '<p style="color:red">',
        "<style>p { color: red }</style>",
        '<a href="javascript:void(0)">',
    ],
)
def test_the_check_catches_inline_code(snippet):
    assert inline_code_in(snippet)


@pytest.mark.parametrize(
    "snippet",
    [
        '<form data-confirm="Отменить этот приказ?" action="/x/">',
        '<select name="language" data-autosubmit>',
        '<script src="/static/js/app.js" defer></script>',
        '<script type="application/json" id="data">{"a": 1}</script>',
        "<p>Сообщение отправлено. Ответ придёт on-line.</p>",
        '{% comment %}no onclick="" here{% endcomment %}',
    ],
)
def test_the_check_lets_static_behaviours_through(snippet):
    assert not inline_code_in(snippet)


def test_no_template_has_inline_script_handlers_or_styles():
    problems = {}
    for path in _project_templates():
        found = inline_code_in(path.read_text(encoding="utf-8"))
        if found:
            problems[path.relative_to(settings.BASE_DIR).as_posix()] = found

    assert not problems, (
        "Inline code the Content-Security-Policy blocks; use a data- attribute handled in static/js "
        f"(data-confirm, data-autosubmit, data-print…) and a class in static/css: {problems}"
    )


def test_rendered_pages_have_no_inline_code_either(client, administrator, college):
    """Markup built in Python (template tags, widgets) obeys the policy too."""
    factories.StudyGroupFactory(college=college, department=factories.DepartmentFactory(college=college))
    client.force_login(administrator)

    for url_name in ("dashboard", "groups:study_group_list", "invitations:list", "materials:list", "accounts:profile"):
        response = client.get(reverse(url_name))

        assert response.status_code == 200, url_name
        assert not inline_code_in(response.content.decode()), url_name


def test_htmx_is_configured_for_the_policy(client):
    html = client.get(reverse("account_login")).content.decode()

    config = re.search(r"""<meta name="htmx-config" content='([^']*)'>""", html)
    assert config, "base.html sets htmx's configuration"
    assert '"includeIndicatorStyles": false' in config.group(1)
    assert '"allowEval": false' in config.group(1)
