"""Checks of what people write in materials: article HTML and links; file checks live in ``core.files``.

The file names below are re-exported from ``core.files`` so materials' callers and tests keep one import.
"""

from urllib.parse import urlsplit

import nh3
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from core.files import (  # noqa: F401 — materials' public names for the shared file checks
    ALLOWED_FORMATS_TEXT,
    BOMB_MESSAGE,
    DAMAGED_MESSAGE,
    EMPTY_FILE_MESSAGE,
    ENCRYPTED_MESSAGE,
    EXTERNAL_MESSAGE,
    MACROS_MESSAGE,
    MARKUP_MESSAGE,
    TOO_BIG_MESSAGE,
    UNKNOWN_TYPE_MESSAGE,
    DetectedFile,
    check_size,
    clean_original_name,
    detect_file,
    human_size,
)

LINK_SCHEME_MESSAGE = "Ссылка должна начинаться с http:// или https://."
VIDEO_HOST_MESSAGE = "Ссылка на видео должна вести на видеосервис: {hosts}. Или загрузите видеофайл."

ARTICLE_TAGS = {
    "p",
    "br",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "s",
    "h2",
    "h3",
    "h4",
    "ul",
    "ol",
    "li",
    "blockquote",
    "a",
    "code",
    "pre",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
}


def clean_article_html(html: str) -> str:
    """Article text without scripts, event attributes or javascript: links (only safe tags survive)."""
    return nh3.clean(
        html or "",
        tags=ARTICLE_TAGS,
        attributes={"a": {"href", "title"}, "th": {"colspan", "rowspan"}, "td": {"colspan", "rowspan"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    ).strip()


_http_url = URLValidator(schemes=["http", "https"], message=LINK_SCHEME_MESSAGE)


def validate_link(url: str) -> None:
    _http_url(url)


def validate_video_link(url: str) -> None:
    validate_link(url)
    host = (urlsplit(url).hostname or "").lower()
    hosts = settings.MATERIALS_VIDEO_HOSTS
    if not any(host == allowed or host.endswith("." + allowed) for allowed in hosts):
        raise ValidationError(VIDEO_HOST_MESSAGE.format(hosts=", ".join(hosts)), code="video_host")
