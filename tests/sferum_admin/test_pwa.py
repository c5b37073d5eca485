"""The installable site: the web app manifest, the service worker at the root, and the policy that lets them load."""

import json

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.urls import reverse
from PIL import Image

from tests import factories

pytestmark = pytest.mark.django_db


def _directives(response) -> dict[str, list[str]]:
    return {name: values for name, *values in (part.split() for part in response["Content-Security-Policy"].split(";"))}


def test_the_manifest_describes_an_installable_app(client):
    response = client.get("/manifest.webmanifest")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] == "Сферум Админ"
    assert manifest["short_name"] == "Сферум"
    assert (manifest["start_url"], manifest["scope"], manifest["display"]) == ("/", "/", "standalone")
    assert manifest["theme_color"] == "#0172ad"
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}


def test_the_manifests_icons_are_square_pngs_of_their_stated_size(client):
    manifest = json.loads(client.get("/manifest.webmanifest").content)

    for icon in manifest["icons"]:
        path = finders.find(icon["src"].removeprefix("/static/"))
        with Image.open(path) as image:
            assert image.format == "PNG"
            assert f"{image.width}x{image.height}" == icon["sizes"]


def test_the_service_worker_is_served_from_the_root_as_javascript(client):
    response = client.get("/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript; charset=utf-8"
    assert "no-cache" in response["Cache-Control"]
    script = response.content.decode()
    assert 'addEventListener("push"' in script
    assert 'addEventListener("notificationclick"' in script
    assert "/static/icons/icon-192.png" in script
    assert "{%" not in script and "{{" not in script


def test_the_policy_lets_the_worker_and_the_manifest_load_from_this_site_only(client):
    for url in ("/", "/sw.js", "/manifest.webmanifest"):
        directives = _directives(client.get(url))

        assert directives["worker-src"] == ["'self'"], url
        assert directives["manifest-src"] == ["'self'"], url
        assert directives["script-src"] == ["'self'"], url


def test_every_page_links_the_manifest_and_the_theme_colour(client):
    client.force_login(factories.UserFactory())

    page = client.get(reverse("accounts:profile")).content.decode()

    assert '<link rel="manifest" href="/manifest.webmanifest">' in page
    assert '<meta name="theme-color" content="#0172ad">' in page
    assert reverse("notifications:push_device") in page


def test_vapid_keys_prints_a_usable_pair_in_the_env_format(capsys):
    from cryptography.hazmat.primitives import serialization
    from py_vapid import Vapid
    from py_vapid.utils import b64urlencode

    call_command("vapid_keys", subject="mailto:it@college.example")

    lines = dict(line.split("=", 1) for line in capsys.readouterr().out.split())
    assert lines["VAPID_SUBJECT"] == "mailto:it@college.example"
    vapid = Vapid.from_string(private_key=lines["VAPID_PRIVATE_KEY"])
    public = vapid.public_key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    assert b64urlencode(public) == lines["VAPID_PUBLIC_KEY"]
