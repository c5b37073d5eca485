"""Notes on the home page of a signed-in person. Each app registers its providers in ``AppConfig.ready()``.

A provider is ``(request) -> list[str]``: sentences for the person about
their own state (for example a join request waiting for the administrator),
in a fixed number of queries. A person with no college yet who has a note
is told that instead of being sent to find a link again::

    from core import home

    home.register(key="invitations.pending_join_requests", provider=pending_join_request_notes)
"""

from collections.abc import Callable
from typing import Any

Provider = Callable[[Any], list[str]]

_providers: dict[str, Provider] = {}


def register(*, key: str, provider: Provider) -> None:
    """Add a provider; registering the same ``key`` again replaces it (ready() may run twice in tests)."""
    _providers[key] = provider


def notes_for(request) -> list[str]:
    notes: list[str] = []
    for key in sorted(_providers):
        notes.extend(_providers[key](request))
    return notes
