"""Main navigation. Each app registers its entries in ``AppConfig.ready()``.

An entry shows when its predicate returns True for the request, so the menu
follows the user's roles in the current college without the base template
knowing every app.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import gettext


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    visible: Callable[[object], bool]
    order: int = 100


_items: list[NavItem] = []


def register(*, label: str, url_name: str, visible: Callable[[object], bool], order: int = 100) -> None:
    if any(item.url_name == url_name for item in _items):
        return
    _items.append(NavItem(label=label, url_name=url_name, visible=visible, order=order))
    _items.sort(key=lambda item: item.order)


# url_name -> path, per URLconf and script prefix: the menu's URLs take no
# arguments, so each is reversed once per process instead of on every page.
_urls: dict[tuple, str] = {}


def url_for(url_name: str) -> str:
    """The path of a URL without arguments, reversed once per URLconf and script prefix."""
    key = (get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), url_name)
    if key not in _urls:
        _urls[key] = reverse(url_name)
    return _urls[key]


def items_for(request) -> list[dict[str, str]]:
    out = [
        {"label": gettext(item.label), "url": url_for(item.url_name), "active": False}
        for item in _items
        if item.visible(request)
    ]
    # Only the longest matching entry is current: «/college/departments/» is
    # «Отделения», not also «Профиль колледжа» at «/college/».
    matching = [entry for entry in out if entry["url"] != "/" and request.path.startswith(entry["url"])]
    if matching:
        max(matching, key=lambda entry: len(entry["url"]))["active"] = True
    return out


def has_current_role(*roles: str) -> Callable[[object], bool]:
    def predicate(request) -> bool:
        return bool(set(getattr(request, "roles", ())) & set(roles))

    return predicate
