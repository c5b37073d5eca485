"""The permission matrix: every URL pattern × every kind of visitor → the expected answer.

Each app lists its rows in ``tests/<app>/matrix.py`` as ``CASES``;
``tests/test_permission_matrix.py`` runs them all and fails when a URL
pattern of the project has no row.

Expected answers: an HTTP status (200, 400, 403, 404, 405…), ``LOGIN``
(a redirect to the sign-in page) or ``HOME`` (a redirect to the home page:
what every college page answers a person with no college, such as platform
staff, see colleges/pages.py). Objects of the main college are built by
``kwargs(world)``; ``other_administrator`` is the administrator of another
college and must get 404 for the main college's objects, never 403, never data.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ROLES = (
    "anonymous",
    "student",
    "parent",
    "teacher",
    "curator",
    "administration",
    "administrator",
    "other_administrator",
    "platform_staff",
)
LOGIN = "login"
HOME = "home"


@dataclass
class World:
    """One college with a person of every role, and a second college with its administrator."""

    college: Any
    other_college: Any
    department: Any
    group: Any
    other_group: Any
    users: dict[str, Any]
    memberships: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class Case:
    url_name: str
    expect: dict[str, int | str]
    kwargs: Callable[[World], dict[str, Any]] | None = None
    method: str = "get"
    data: Callable[[World], dict[str, Any]] | None = None
    query: str = ""
    id: str = ""

    def __post_init__(self):
        missing = set(ROLES) - set(self.expect)
        if missing:
            raise ValueError(f"{self.url_name}: no expected answer for {sorted(missing)}")


def answers(default: int | str, **overrides: int | str) -> dict[str, int | str]:
    """``answers(403, administrator=200, anonymous=LOGIN)``: one answer for most, exceptions by role."""
    unknown = set(overrides) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}")
    return {role: overrides.get(role, default) for role in ROLES}


# Common shapes.
def page_for(*allowed: str, denied: int | str = 403, other_administrator: int | str | None = None) -> dict:
    """A college page: anonymous → sign-in, no college → home, ``allowed`` roles → 200, others → ``denied``."""
    out = answers(denied, anonymous=LOGIN, platform_staff=HOME) | {role: 200 for role in allowed}
    if other_administrator is not None:
        out["other_administrator"] = other_administrator
    return out


def api_for(*allowed: str, denied: int = 403, other_administrator: int | None = None) -> dict:
    out = answers(denied, anonymous=401, **{role: 200 for role in allowed})
    if other_administrator is not None:
        out["other_administrator"] = other_administrator
    return out
