"""Signals the accounts app sends; higher apps (colleges) connect receivers.

``user_names_changed`` — a person's name, phone or e-mail changed, and with them
``User.search_text`` and ``User.sort_name``. Argument: ``user``, the saved
``User``. Sent by the accounts services themselves (``accounts/services.py``,
the phone change in ``accounts/adapter.py``), inside the transaction that
saved the user and not after its commit: a receiver keeps copies of these
fields (``colleges.Membership``), which must never disagree with the user
once the change is committed.
"""

from django.dispatch import Signal

user_names_changed = Signal()


def names_changed(user, fields) -> None:
    """Send ``user_names_changed`` if ``fields`` (the ones just saved) include what search and sort are made of."""
    from accounts.models import SEARCH_SOURCE_FIELDS

    if SEARCH_SOURCE_FIELDS.intersection(fields):
        user_names_changed.send(sender=type(user), user=user)
