"""Support's settings («Помощь»: screenshots and PDFs on questions and replies), imported by settings.py.

The files live in the private ``support`` storage alias, like materials' and chats': a folder under var/
outside MEDIA_ROOT by default (nothing serves it by URL), the bucket's ``support/`` prefix with a private
ACL when S3 is configured. Every download goes through support's permission-checked view; behind nginx it
answers with X-Accel-Redirect to ``SUPPORT_ACCEL_REDIRECT`` (deploy/nginx/sferum.conf.template).
"""

from pathlib import Path

import environ

# settings.py has read .env into the environment before importing this module.
env = environ.Env()
_BASE_DIR = Path(__file__).resolve().parent.parent
_TESTING = env.str("DJANGO_ENV", default="development") == "test"

SUPPORT_ROOT = Path(
    env.str("SUPPORT_ROOT", default=str(_BASE_DIR / "var" / ("test-support" if _TESTING else "support")))
)
# One screenshot or PDF: a phone's full-screen PNG is 1–5 MB, a scanned page a few.
SUPPORT_ATTACHMENT_MAX_BYTES = env.int("SUPPORT_ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
# The question's page shows an image as a small copy made once, at upload (support/thumbnails.py): at most this
# wide and this high, in JPEG. A phone screenshot of 3–5 MB becomes some 50–100 KB at 480 wide; a scrolling
# screenshot stops at the height.
SUPPORT_THUMBNAIL_SIZE = (480, 1440)
# Pixels decoded to make that copy: a screenshot of an 8K screen fits (33 MP), a PNG that unpacks to gigabytes of
# memory does not (it is refused at upload with a message). A JPEG photo is decoded at a reduced scale first.
SUPPORT_THUMBNAIL_MAX_PIXELS = env.int("SUPPORT_THUMBNAIL_MAX_PIXELS", default=40_000_000)
# As MATERIALS_ACCEL_REDIRECT, for the internal location that serves SUPPORT_ROOT. Empty: the app streams.
SUPPORT_ACCEL_REDIRECT = env.str("SUPPORT_ACCEL_REDIRECT", default="")


def support_storage(*, s3: bool) -> dict:
    """The ``STORAGES["support"]`` entry: the private bucket prefix with S3, else the local folder."""
    if s3:
        return {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {"location": "support", "default_acl": "private", "querystring_auth": True},
        }
    return {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": SUPPORT_ROOT}}
