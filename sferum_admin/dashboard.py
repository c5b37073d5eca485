"""Dashboard cards. Each app registers its «требует внимания» cards in ``AppConfig.ready()``.

A card is a provider ``(request, college) -> dict | None``: ``{"title": str,
"count": int, "url": str}`` (``url`` may be ""), or None to show nothing
(for example when the viewer may not act on it). A provider runs a fixed
number of queries (one ``count()`` is typical), so the dashboard's query
count does not grow with the data::

    from sferum_admin import dashboard

    def pending_join_requests(request, college):
        count = JoinRequest.objects.filter(college=college, status="pending").count()
        return {"title": "Заявки на вступление", "count": count, "url": reverse("invitations:join_requests")}

    dashboard.register(key="invitations.pending_join_requests", provider=pending_join_requests, order=20)

Cards with ``count == 0`` are still returned; the template shows them muted.
A card may add ``"names"``: a short list of strings (names) shown under it.

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


def register(*, key: str, provider: Provider, order: int = 100) -> None:
    """Add a card; registering the same ``key`` again replaces it (ready() may run twice in tests)."""
    _cards[:] = [card for card in _cards if card.key != key]
    _cards.append(Card(key=key, provider=provider, order=order))
    _cards.sort(key=lambda card: (card.order, card.key))


def cards_for(request, college) -> list[dict[str, Any]]:
    """The cards to show on ``college``'s dashboard for this request, in order."""
    out = []
    for card in _cards:
        data = card.provider(request, college)
        if data is None:
            continue
        out.append({"key": card.key, "url": "", **data})
    return out


def registered_keys() -> list[str]:
    return [card.key for card in _cards]


_steps: list[Card] = []


def register_step(*, key: str, provider: Provider, order: int = 100) -> None:
    """Add a first step; registering the same ``key`` again replaces it."""
    _steps[:] = [step for step in _steps if step.key != key]
    _steps.append(Card(key=key, provider=provider, order=order))
    _steps.sort(key=lambda step: (step.order, step.key))


def steps_for(request, college) -> list[dict[str, Any]]:
    """The first steps this viewer may take in ``college``, in order, each marked done or not."""
    out = []
    for step in _steps:
        data = step.provider(request, college)
        if data is None:
            continue
        out.append({"key": step.key, "done": False, **data})
    return out
