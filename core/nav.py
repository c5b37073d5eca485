"""Main navigation. Each app registers its entries in ``AppConfig.ready()``.

An entry shows when its predicate returns True for the request, so the menu
follows the user's roles in the current college without the base template
knowing every app. An entry may belong to a section (``COLLEGE``, ``PEOPLE``,
``MATERIALS``): a wide screen shows each section as one drop-down, a phone
shows the whole menu behind one «Меню» button, so 13 links of an
administrator take one row, not three.

Which entries of ``allowed`` predicates a person sees in a college is kept in the college cache
(``core.college_cache``, per person): a teacher's entries ask the database for their groups. For people whose
predicates ask nothing (students, administrators) that is one cache round trip instead of a few dozen
microseconds of predicates.
"""

import functools
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf
from django.utils.translation import get_language, gettext, gettext_noop

from core import college_cache
from core.urls import url_for

# The menu's sections, in the order they appear; their labels are translated when shown.
COLLEGE = "college"
PEOPLE = "people"
MATERIALS = "materials"
SECTIONS = {
    COLLEGE: gettext_noop("Колледж"),
    PEOPLE: gettext_noop("Люди"),
    MATERIALS: gettext_noop("Материалы"),
}


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    visible: Callable[[object], bool]
    order: int = 100
    section: str = ""


_items: list[NavItem] = []


def register(
    *, label: str, url_name: str, visible: Callable[[object], bool], order: int = 100, section: str = ""
) -> None:
    if section and section not in SECTIONS:
        raise ValueError(f"unknown menu section {section!r}; known: {', '.join(SECTIONS)}")
    if any(item.url_name == url_name for item in _items):
        return
    _items.append(NavItem(label=label, url_name=url_name, visible=visible, order=order, section=section))
    _items.sort(key=lambda item: item.order)


def cached_part(request) -> tuple[str, tuple]:
    """The (name, vary) of the menu's part of the college cache for the signed-in user: a page that reads other
    parts too expects it with them (``college_cache.expected``), so one round trip reads them all."""
    return "nav.entries", (request.user.pk,)


def _college_entries(request, college) -> frozenset[str]:
    """The url names of the entries of ``nav.allowed`` predicates the user sees in ``college``.

    Kept in the college cache per user: they depend only on the user's roles and assignments in the college,
    which every service changes with an audit event, dropping the cache. A teacher's menu asks the database
    for their groups (``groups.permissions.teacher_scope``), which otherwise costs every page they open.
    """
    name, vary = cached_part(request)
    return college_cache.get_or_compute(
        college,
        name,
        vary=vary,
        compute=lambda: frozenset(
            item.url_name for item in _items if getattr(item.visible, "college_scoped", False) and item.visible(request)
        ),
    )


def _visible(request) -> list[NavItem]:
    college = getattr(request, "college", None)
    scoped = _college_entries(request, college) if college and request.user.is_authenticated else frozenset()
    return [
        item
        for item in _items
        if (item.url_name in scoped if getattr(item.visible, "college_scoped", False) else item.visible(request))
    ]


def menu_key(request) -> tuple:
    """What the menu shown on this request depends on, hashable: the entries the person sees, the language,
    the URLconf and script prefix, and which entry is current. Worked out once per request."""
    key = getattr(request, "_nav_key", None)
    if key is None:
        base = (tuple(_visible(request)), get_language(), get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
        entries = _entries(*base)
        # Only the longest matching entry is current: «/college/departments/» is
        # «Отделения», not also «Профиль колледжа» at «/college/».
        matching = [
            i for i, (_label, url, _section) in enumerate(entries) if url != "/" and request.path.startswith(url)
        ]
        current = max(matching, key=lambda i: len(entries[i][1])) if matching else None
        key = request._nav_key = (*base, current)
    return key


@functools.lru_cache(maxsize=1024)
def _entries(items: tuple[NavItem, ...], language: str, urlconf: str, prefix: str) -> tuple[tuple[str, str, str], ...]:
    """(label, url, section) of each of ``items``, translated and reversed once per process: the same people see
    the same menu on every page they open. Called with ``language``, ``urlconf`` and ``prefix`` the current ones."""
    return tuple((gettext(item.label), url_for(item.url_name), item.section) for item in items)


@functools.lru_cache(maxsize=1024)
def menu_from_key(key: tuple) -> list[dict]:
    """The menu for a ``menu_key`` (see ``menu_for``), built once per process. Shared: read it, never change it."""
    items = _items_of(key)
    menu: list[dict] = [item for item in items if not item["section"]]
    for section, label in SECTIONS.items():
        members = [item for item in items if item["section"] == section]
        if len(members) == 1:
            menu.append(members[0])
        elif members:
            menu.append({"label": gettext(label), "items": members, "active": any(item["active"] for item in members)})
    return menu


def _items_of(key: tuple) -> list[dict]:
    *base, current = key
    return [
        {"label": label, "url": url, "active": i == current, "section": section}
        for i, (label, url, section) in enumerate(_entries(*base))
    ]


def items_for(request) -> list[dict]:
    """The visible entries in order: ``{"label", "url", "active", "section"}``."""
    return _items_of(menu_key(request))


def menu_for(request) -> list[dict]:
    """The visible entries grouped: links without a section first, then one entry per section.

    A section is ``{"label", "items", "active"}`` (``active`` when it holds the
    current page). A section with a single visible link is shown as that link:
    a drop-down of one is one click too many. Shared between the requests with the same ``menu_key``: read it,
    never change it.
    """
    return menu_from_key(menu_key(request))


def allowed(predicate: Callable[[object, object], bool]) -> Callable[[object], bool]:
    """An entry's ``visible`` from a permission predicate over (user, college): the question its page asks.

    Without a current college there is nothing of a college to show (``request.college``
    is a lazy object, so it is asked by truth, not by ``is None``).
    """

    def visible(request) -> bool:
        college = getattr(request, "college", None)
        return bool(college) and predicate(request.user, college)

    visible.college_scoped = True  # the menu keeps its answer in the college cache (``_college_entries``)
    return visible
