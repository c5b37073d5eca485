"""``{% message_row message chat %}``: a message's ``<li>`` fragment from ``chats.fragments``, the renderer the chat
page's history (``history_part``) and live events use too."""

from django import template

from chats.fragments import message_fragment

register = template.Library()


@register.simple_tag
def message_row(message, chat):
    """One message (its own page, a confirmation, a report)."""
    return message_fragment(message, chat)
