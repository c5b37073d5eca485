"""Production's storage of static files: WhiteNoise's compressed manifest, each file's URL worked out once.

Django's manifest storage looks a file's hashed name up and joins it to STATIC_URL on every ``{% static %}``:
ten times on every page (the style sheets, scripts and icons of ``base.html``), for the same answers. The
manifest is read when the process starts and stays as it is until the process is restarted (``collectstatic``
writes a new one for the next deploy), so a file's URL is kept once found.
"""

from django.conf import settings
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._urls: dict[str, str] = {}

    def url(self, name, force=False):
        if force or settings.DEBUG:  # DEBUG answers the names as they are, from the files
            return super().url(name, force)
        url = self._urls.get(name)
        if url is None:
            url = self._urls[name] = super().url(name)
        return url

    def post_process(self, *args, **kwargs):
        # collectstatic hashes the files anew: nothing found before holds.
        self._urls.clear()
        yield from super().post_process(*args, **kwargs)
        self._urls.clear()
