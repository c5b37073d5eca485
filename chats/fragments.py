"""A message's HTML fragment (its ``<li>``): the one renderer of the chat page's rows, the single-message
pages and the ``html`` of live events (``chats.events.message_html``), so the page and the live feed cannot
drift apart.

Built in Python, not by a template include per message: 50 includes cost the chat page more than everything
else on it together. The markup is the one ``static/chats/live.js`` and the tests select on (``#m-<id>``,
``data-id``, ``data-author``, the ``message-*`` classes), whitespace included. The fragment has no per-viewer
branches: every member gets the same bytes, which is what lets the publisher render an event once for all.

``message`` is shaped by ``chats.selectors`` (``html``, ``hidden``, ``reply_preview``, ``reactions_summary``,
its files in ``files``); a message shaped only by ``_shape`` (a report's) reads its files itself.

``history_part`` is the chat page's history as HTML, kept in the college cache (``core.college_cache``) for the
newest page.
"""

from dataclasses import dataclass

from django.http import Http404
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator

from chats import permissions, selectors
from core import college_cache

REPLY_PREVIEW_CHARS = 100

_MORE_LINK_END = 'aria-label="Действия с сообщением" title="Действия с сообщением">⋯</a>'


def _files(message) -> list:
    files = getattr(message, "files", None)
    return list(message.attachments.all()) if files is None else files


def _files_html(message) -> str:
    files = _files(message)
    if not files:
        return ""
    items = "".join(
        f'<li><a href="{escape(reverse("chats:attachment", args=[file.pk]))}">📎 {escape(file.original_name)}</a> '
        f'<small class="muted">{escape(filesizeformat(file.size))}</small></li>'
        for file in files
    )
    return f'\n  <ul class="message-files">\n    {items}\n  </ul>\n  '


def _reactions_html(message) -> str:
    summary = getattr(message, "reactions_summary", None)
    if not summary:
        return ""
    items = "".join(f'<span class="reaction">{escape(emoji)} {count}</span> ' for emoji, count, _mine in summary)
    return f'\n  <p class="message-reactions">{items}</p>\n  '


def _reply_html(message) -> str:
    preview = getattr(message, "reply_preview", None)
    if not preview:
        return ""
    text = Truncator(preview["text"]).chars(REPLY_PREVIEW_CHARS)
    return (
        f'\n  <a class="message-reply" href="#m-{preview["id"]}"><small><strong>{escape(preview["author"])}</strong>: '
        f"{escape(text)}</small></a>\n  "
    )


def _body_html(message, html: str) -> str:
    if getattr(message, "hidden", False):
        return f'\n  <p class="message-text muted"><em>{html}</em></p>\n  '
    text = f'<p class="message-text">{html}</p>' if message.text else ""
    return f"\n  {text}\n  {_files_html(message)}\n  {_reactions_html(message)}\n  "


def message_fragment(message, chat) -> SafeString:
    """The ``<li>`` of ``message`` of ``chat``, newline-terminated, as every member sees it."""
    hidden = getattr(message, "hidden", False)
    html = conditional_escape(getattr(message, "html", ""))
    classes = "message"
    if message.kind == "system":
        classes += " system"
    if hidden:
        classes += " deleted"
    if message.pinned_at:
        classes += " pinned"
    author_id = "" if message.author_id is None else message.author_id
    head = f'<li class="{classes}" id="m-{message.pk}" data-id="{message.pk}" data-author="{author_id}">\n  '
    if message.kind == "system":
        return mark_safe(f'{head}\n  <p class="message-system">{html}</p>\n  \n</li>\n')
    author = message.author
    name = escape(author.user.short_name) if author else "Бывший участник"
    created = timezone.localtime(message.created_at)
    edited = '<small class="muted">изменено</small>' if message.edited_at and not hidden else ""
    reply = "" if hidden else _reply_html(message)
    return mark_safe(
        f'{head}\n  <div class="message-head">\n    <strong class="message-author">{name}</strong>\n'
        f'    <time datetime="{created.isoformat()}" class="muted">{created.strftime("%d.%m %H:%M")}</time>\n'
        f'    {edited}\n    <a class="message-more" href="{escape(chat.page_url)}m/{message.pk}/" {_MORE_LINK_END}\n'
        f"  </div>\n  {reply}\n  {_body_html(message, html)}\n  \n</li>\n"
    )


def message_fragments(messages, chat) -> SafeString:
    """The ``<li>`` of each of ``messages`` (a page of history), in order."""
    return mark_safe("".join(message_fragment(message, chat) for message in messages))


@dataclass(frozen=True)
class Pinned:
    pk: int
    author: str
    html: str


@dataclass(frozen=True)
class HistoryPart:
    """A page of a chat's history as its page shows it: the rows' HTML, the newest row's id (what opening the
    page marks read), the cursor to the older page and the pinned messages."""

    rows: SafeString
    count: int
    last_id: int | None
    has_more: bool
    before_id: int | None
    pinned: list[Pinned]


def _history_part(viewer, chat, *, before_id: int | None, limit: int) -> HistoryPart:
    history = selectors.chat_history(viewer, chat, before_id=before_id, limit=limit)
    pinned = selectors.pinned_messages(viewer, chat) if before_id is None else []
    return HistoryPart(
        rows=message_fragments(history.messages, chat),
        count=len(history.messages),
        last_id=history.messages[-1].pk if history.messages else None,
        has_more=history.has_more,
        before_id=history.before_id,
        pinned=[Pinned(m.pk, m.author.user.short_name if m.author else "", m.html) for m in pinned],
    )


def history_part(viewer, chat, *, before_id: int | None = None, limit: int = 50) -> HistoryPart:
    """The page of ``chat``'s history older than ``before_id`` (the newest when None) for ``viewer``.

    The newest page comes from the college cache: it is the same for every member who reads the chat from the
    same message (the rows have no per-viewer branches, the pinned messages neither), so it varies only by the
    viewer's first visible message. It is keyed by the chat's ``history_version``, which every write to its
    messages bumps in its transaction (a message posted, edited or deleted, a reaction, a pin: their audit
    events leave the college's other cached pages alone); the chat's status or settings and a person's name
    drop the college's cached parts through their audit events. Older pages are read each time.
    """
    if not permissions.can_view_chat(viewer, chat):
        raise Http404
    if before_id is not None:
        return _history_part(viewer, chat, before_id=before_id, limit=limit)
    name, vary = newest_cached_part(viewer, chat, limit=limit)
    return college_cache.get_or_compute(
        chat.college, name, vary=vary, compute=lambda: _history_part(viewer, chat, before_id=None, limit=limit)
    )


def newest_cached_part(viewer, chat, *, limit: int) -> tuple[str, tuple]:
    """The (name, vary) of the newest page of ``chat``'s history for ``viewer`` (a current member) in the
    college cache: the chat page expects it with the menu's (``college_cache.expected``)."""
    start = permissions.viewer_member(viewer, chat).first_visible_message_id
    return "chats.history", (chat.pk, chat.history_version, start, limit, timezone.get_current_timezone_name())
