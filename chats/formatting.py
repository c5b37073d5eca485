"""A message's text as safe HTML: ``core.formatting.render_message`` (shared with the announcements), and
the @-names a person is mentioned by."""

from core.formatting import render_message

__all__ = ["mention_names", "render_message"]


def mention_names(user) -> list[str]:
    """The @-names a person is mentioned by: «Фамилия Имя» and «Фамилия»."""
    names = []
    if user.last_name and user.first_name:
        names.append(f"{user.last_name} {user.first_name}")
    if user.last_name:
        names.append(user.last_name)
    return names
