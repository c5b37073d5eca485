"""Receivers of lower apps' signals."""

from colleges.models import Membership


def copy_user_names(sender, user, **kwargs) -> None:
    """``accounts.signals.user_names_changed``: the person's memberships take the new search text and sort key."""
    Membership.objects.filter(user_id=user.pk).update(search_text=user.search_text, sort_name=user.sort_name)
