"""Plain text people type (a chat message, an announcement) as safe HTML: links, line breaks and @mentions,
everything else escaped.

The text is stored as typed. ``render_message`` escapes it piece by piece (so nothing typed becomes
markup), turns ``http(s)://`` addresses into links and the @-names of mentioned members into
``<span class="mention" data-member="<id>">``, and then passes the result through ``nh3`` with a list
of exactly those tags as a second guard. Templates and the consumer show its output with ``|safe``
(it is ``SafeString`` already).
"""

import html
import re

import nh3
from django.utils.safestring import SafeString, mark_safe

_URL = re.compile(r"https?://[^\s<>\"'«»]+", re.IGNORECASE)
# Punctuation that ends a sentence rather than the address: «см. https://example.org/a.»
_TRAILING = ".,;:!?)]}"
_ALLOWED_TAGS = {"a", "br", "span"}
_ALLOWED_ATTRIBUTES = {"a": {"href", "target"}, "span": {"class", "data-member"}}


def _link(url: str) -> str:
    stripped = url.rstrip(_TRAILING)
    tail = url[len(stripped) :]
    href = html.escape(stripped, quote=True)
    return f'<a href="{href}" target="_blank">{html.escape(stripped)}</a>{html.escape(tail)}'


def _pattern(mentions: dict[str, int]) -> re.Pattern | None:
    """@-names longest first, so «@Иванова Мария» wins over «@Иванова»."""
    names = sorted((name for name in mentions if name), key=len, reverse=True)
    if not names:
        return None
    return re.compile(r"@(" + "|".join(re.escape(name) for name in names) + r")(?![\w])", re.IGNORECASE)


def _render_plain(text: str, mention_re: re.Pattern | None, lowered: dict[str, int]) -> str:
    if mention_re is None:
        return html.escape(text)
    out, position = [], 0
    for match in mention_re.finditer(text):
        out.append(html.escape(text[position : match.start()]))
        member_id = lowered[match.group(1).lower()]
        out.append(f'<span class="mention" data-member="{int(member_id)}">@{html.escape(match.group(1))}</span>')
        position = match.end()
    out.append(html.escape(text[position:]))
    return "".join(out)


def render_message(text: str, mentions: dict[str, int] | None = None) -> SafeString:
    """Safe HTML of ``text``; ``mentions`` maps an @-name as written (without «@») to a member id."""
    mentions = mentions or {}
    lowered = {name.lower(): member_id for name, member_id in mentions.items()}
    mention_re = _pattern(mentions)
    lines = []
    for line in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        out, position = [], 0
        for match in _URL.finditer(line):
            out.append(_render_plain(line[position : match.start()], mention_re, lowered))
            out.append(_link(match.group(0)))
            position = match.end()
        out.append(_render_plain(line[position:], mention_re, lowered))
        lines.append("".join(out))
    body = "<br>".join(lines)
    cleaned = nh3.clean(
        body,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(cleaned)  # escaped above, cleaned by nh3
