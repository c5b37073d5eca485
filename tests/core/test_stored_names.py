"""Where an uploaded file is stored (``core.files.random_stored_name``, every app's ``upload_to``)."""

import pytest

from core.files import random_stored_name


@pytest.mark.parametrize(
    ("uploaded", "suffix"),
    [
        ("Скриншот 1.PNG", ".png"),
        ("../../etc/passwd", ""),
        ("отчёт.tar.gz", ".gz"),
        ("photo.j p g", ""),
        ("name.verylongext", ""),
        ("no-extension", ""),
        ("evil.php%00.png", ".png"),
    ],
)
def test_only_the_colleges_folder_a_random_name_and_a_plain_extension_reach_the_path(uploaded, suffix):
    stored = random_stored_name(7, uploaded)

    folder, name = stored.split("/")
    assert folder == "7"
    assert len(name) == 32 + len(suffix) and name.endswith(suffix)
    assert int(name[:32], 16) >= 0  # hex


def test_two_uploads_of_one_name_never_share_a_path():
    assert random_stored_name(1, "a.pdf") != random_stored_name(1, "a.pdf")
