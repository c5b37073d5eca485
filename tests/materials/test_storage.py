import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from materials.storage import MaterialsStorage

PROBE = (
    "import django; django.setup();"
    "from django.core.files.storage import storages;"
    "s = storages['materials'];"
    "print(type(s).__module__ + '.' + type(s).__name__, s.location, s.default_acl, s.querystring_auth);"
    "print(type(storages['default']).__name__)"
)


@pytest.mark.slow
def test_s3_bucket_switches_default_and_materials_storage_to_private_s3():
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sferum_admin.settings",
        "DJANGO_ENV": "development",
        "DATABASE_URL": "sqlite:///:memory:",
        "AWS_STORAGE_BUCKET_NAME": "college-files",
        "AWS_S3_ENDPOINT_URL": "https://storage.example.ru",
    }

    out = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, check=True
    ).stdout.split("\n")

    assert out[0] == "storages.backends.s3.S3Storage materials private True"
    assert out[1] == "S3Storage"


def test_local_materials_folder_is_outside_media_root():
    root = Path(settings.MATERIALS_ROOT).resolve()
    media = Path(settings.MEDIA_ROOT).resolve()

    assert media not in root.parents and root != media


def test_material_files_have_no_public_url():
    with pytest.raises(NotImplementedError):
        MaterialsStorage().url("1/abc.pdf")
