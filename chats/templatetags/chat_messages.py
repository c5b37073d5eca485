"""``{% message_rows messages chat %}`` and ``{% message_row message chat %}``: messages' ``<li>`` fragments from
``chats.fragments``, the renderer live events use too."""

from django import template

from chats.fragments import message_fragment, message_fragments

register = template.Library()


@register.simple_tag
def message_rows(messages, chat):
    """A page of history, one fragment per message."""
    return message_fragments(messages, chat)


@register.simple_tag
def message_row(message, chat):
    """One message (its own page, a confirmation, a report)."""
    return message_fragment(message, chat)
