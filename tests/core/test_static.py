"""Production's static files storage (core/static.py): the manifest's URLs, each worked out once."""

import json

import pytest

from core.static import StaticFilesStorage


@pytest.fixture
def storage(tmp_path, settings):
    settings.DEBUG = False
    settings.STATIC_URL = "/static/"
    (tmp_path / "staticfiles.json").write_text(
        json.dumps({"paths": {"css/app.css": "css/app.0123abcd.css"}, "version": "1.1", "hash": "x"}),
        encoding="utf-8",
    )
    return StaticFilesStorage(location=str(tmp_path), base_url="/static/")


def test_a_files_url_is_its_hashed_name_from_the_manifest(storage):
    assert storage.url("css/app.css") == "/static/css/app.0123abcd.css"


def test_the_url_is_worked_out_once(storage, monkeypatch):
    storage.url("css/app.css")
    looked_up = []
    original = StaticFilesStorage.stored_name
    monkeypatch.setattr(
        StaticFilesStorage, "stored_name", lambda self, name: looked_up.append(name) or original(self, name)
    )

    assert storage.url("css/app.css") == "/static/css/app.0123abcd.css"
    assert looked_up == []


def test_a_file_missing_from_the_manifest_is_still_an_error_every_time(storage):
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            storage.url("css/missing.css")


def test_with_debug_on_the_names_are_answered_as_they_are(storage, settings):
    settings.DEBUG = True

    assert storage.url("css/app.css") == "/static/css/app.css"


def test_collecting_the_files_again_forgets_the_urls_found(storage):
    storage.url("css/app.css")

    list(storage.post_process({}, dry_run=True))
    storage.hashed_files["css/app.css"] = "css/app.4567ef01.css"  # what the new collection found

    assert storage.url("css/app.css") == "/static/css/app.4567ef01.css"
