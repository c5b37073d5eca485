"""URLs reversed once per process: the layout's links and the pages of one object by its integer id.

``reverse()`` costs about 40 µs. The menu, the layout's links and a list's rows ask for the same few patterns on
every page, so each pattern is reversed once per URLconf and script prefix and later calls only join strings.
"""

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

_PK_SENTINEL = 918273645

# (URLconf, script prefix, url name) -> the path; or, for pk_url, the path split around the pk (None: reverse()).
_urls: dict[tuple, str] = {}
_pk_urls: dict[tuple, tuple[str, str] | None] = {}


def _key(url_name: str) -> tuple:
    return (get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), url_name)


def url_for(url_name: str) -> str:
    """The path of a URL without arguments, reversed once per URLconf and script prefix."""
    key = _key(url_name)
    if key not in _urls:
        _urls[key] = reverse(url_name)
    return _urls[key]


def pk_url(url_name: str, pk) -> str:
    """``reverse(url_name, args=[pk])`` for a URL whose only argument is an integer pk.

    The URL is reversed once with a sentinel pk and split around it; each call then only joins strings. Anything
    unusual (a non-integer pk, a pattern where the sentinel is not found exactly once) falls back to reverse().
    """
    key = _key(url_name)
    if key not in _pk_urls:
        parts = reverse(url_name, args=[_PK_SENTINEL]).split(str(_PK_SENTINEL))
        _pk_urls[key] = (parts[0], parts[1]) if len(parts) == 2 else None
    around = _pk_urls[key]
    if around is None or isinstance(pk, bool) or not isinstance(pk, int):
        return reverse(url_name, args=[pk])
    return f"{around[0]}{pk}{around[1]}"
