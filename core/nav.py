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

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.translation import gettext, gettext_noop

from core import college_cache

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


# url_name -> path, per URLconf and script prefix: the menu's URLs take no
# arguments, so each is reversed once per process instead of on every page.
_urls: dict[tuple, str] = {}


def url_for(url_name: str) -> str:
    """The path of a URL without arguments, reversed once per URLconf and script prefix."""
    key = (get_urlconf() or settings.ROOT_URLCONF, get_script_prefix(), url_name)
    if key not in _urls:
        _urls[key] = reverse(url_name)
    return _urls[key]


def _college_entries(request, college) -> frozenset[str]:
    """The url names of the entries of ``nav.allowed`` predicates the user sees in ``college``.

    Kept in the college cache per user: they depend only on the user's roles and assignments in the college,
    which every service changes with an audit event, dropping the cache. A teacher's menu asks the database
    for their groups (``groups.permissions.teacher_scope``), which otherwise costs every page they open.
    """
    return college_cache.get_or_compute(
        college,
        "nav.entries",
        vary=(request.user.pk,),
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


def items_for(request) -> list[dict]:
    out = [
        {"label": gettext(item.label), "url": url_for(item.url_name), "active": False, "section": item.section}
        for item in _visible(request)
    ]
    # Only the longest matching entry is current: «/college/departments/» is
    # «Отделения», not also «Профиль колледжа» at «/college/».
    matching = [entry for entry in out if entry["url"] != "/" and request.path.startswith(entry["url"])]
    if matching:
        max(matching, key=lambda entry: len(entry["url"]))["active"] = True
    return out


def menu_for(request) -> list[dict]:
    """The visible entries grouped: links without a section first, then one entry per section.

    A section is ``{"label", "items", "active"}`` (``active`` when it holds the
    current page). A section with a single visible link is shown as that link:
    a drop-down of one is one click too many. Computed once per request.
    """
    cached = getattr(request, "_nav_menu", None)
    if cached is not None:
        return cached
    items = items_for(request)
    menu: list[dict] = [item for item in items if not item["section"]]
    for key, label in SECTIONS.items():
        members = [item for item in items if item["section"] == key]
        if len(members) == 1:
            menu.append(members[0])
        elif members:
            menu.append({"label": gettext(label), "items": members, "active": any(item["active"] for item in members)})
    request._nav_menu = menu
    return menu


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
