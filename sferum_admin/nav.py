"""Main navigation. Each app registers its entries in ``AppConfig.ready()``.

An entry shows when its predicate returns True for the request, so the menu
follows the user's roles in the current college without the base template
knowing every app.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse


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


def items_for(request) -> list[dict[str, str]]:
    out = []
    for item in _items:
        if item.visible(request):
            url = reverse(item.url_name)
            out.append({"label": item.label, "url": url, "active": request.path.startswith(url) and url != "/"})
    return out


def has_current_role(*roles: str) -> Callable[[object], bool]:
    def predicate(request) -> bool:
        return bool(set(getattr(request, "roles", ())) & set(roles))

    return predicate
