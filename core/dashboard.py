"""Dashboard cards. Each app registers its «требует внимания» cards in ``AppConfig.ready()``.

A card is a provider ``(request, college) -> dict | None``: ``{"title": str,
"count": int, "url": str}`` (``url`` may be ""), or None to show nothing
(for example when the viewer may not act on it). A provider runs a fixed
number of queries (one ``count()`` is typical), so the dashboard's query
count does not grow with the data::

    from core import dashboard

    def pending_join_requests(request, college):
        count = JoinRequest.objects.filter(college=college, status="pending").count()
        return {"title": "Заявки на вступление", "count": count, "url": reverse("invitations:join_requests")}

    dashboard.register(key="invitations.pending_join_requests", provider=pending_join_requests, order=20)

Cards with ``count == 0`` are still returned; the template shows them muted.
A card may add ``"names"``: a short list of strings (names) shown under it, or
``"figures"``: a few short lines of figures shown under it whatever its count.

A new college's dashboard also lists its *first steps* (filling in the
profile, departments, groups, curators, invitation links…). A step is a
provider ``(request, college) -> dict | None``: ``{"title": str, "url": str,
"done": bool}``, or None when the viewer may not take that step (ask the
owning app's permission predicate). Steps are asked only while the college
has no students, so an established college's dashboard pays nothing for them::

    def create_invitations_step(request, college):
        if not can_create_invitation(request.user, college, role=Role.TEACHER):
            return None
        done = Invitation.objects.filter(college=college).exists()
        return {"title": gettext("Создайте ссылки-приглашения"), "url": reverse("invitations:create"), "done": done}

    dashboard.register_step(key="invitations.create", provider=create_invitations_step, order=60)
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Provider = Callable[[Any, Any], dict[str, Any] | None]


@dataclass(frozen=True)
class Card:
    key: str
    provider: Provider
    order: int = 100


_cards: list[Card] = []
_steps: list[Card] = []


def _add(registry: list[Card], *, key: str, provider: Provider, order: int) -> None:
    """Registering the same ``key`` again replaces it (ready() may run twice in tests)."""
    registry[:] = [item for item in registry if item.key != key]
    registry.append(Card(key=key, provider=provider, order=order))
    registry.sort(key=lambda item: (item.order, item.key))


def _provide(registry: list[Card], request, college, defaults: dict[str, Any]) -> list[dict[str, Any]]:
    """What each provider gives for this request, in order; a provider answering None is left out."""
    out = []
    for item in registry:
        data = item.provider(request, college)
        if data is not None:
            out.append({"key": item.key, **defaults, **data})
    return out


def register(*, key: str, provider: Provider, order: int = 100) -> None:
    """Add a card."""
    _add(_cards, key=key, provider=provider, order=order)


def cards_for(request, college) -> list[dict[str, Any]]:
    """The cards to show on ``college``'s dashboard for this request, in order."""
    return _provide(_cards, request, college, {"url": ""})


def registered_keys() -> list[str]:
    return [card.key for card in _cards]


def register_step(*, key: str, provider: Provider, order: int = 100) -> None:
    """Add a first step for a new college."""
    _add(_steps, key=key, provider=provider, order=order)


def steps_for(request, college) -> list[dict[str, Any]]:
    """The first steps this viewer may take in ``college``, in order, each marked done or not."""
    return _provide(_steps, request, college, {"done": False})
