"""The knowledge base «Инструкции»: Markdown files in ``support/articles/``, read once per process.

A file ``NN-slug.md`` is one article: ``NN`` orders the list, ``slug`` is its
address, the first ``# `` line its title. Only a small subset of Markdown is
understood — headings (``#``, ``##``, ``###``), paragraphs, lists (``- `` and
``1. ``), ``**bold**``, ``` `code` ``` and ``[text](https://…)`` links — because
the project has no Markdown library and the articles need no more. Every
character of the source is escaped before the subset turns into tags, and the
result passes ``nh3`` with only those tags allowed.
"""

import functools
import html
import re
from dataclasses import dataclass
from pathlib import Path

import nh3
from django.utils.safestring import SafeString, mark_safe

from accounts.search import fold

ARTICLES_DIR = Path(__file__).resolve().parent / "articles"
_FILE_RE = re.compile(r"^(\d+)-([a-z0-9-]+)\.md$")
_ORDERED_RE = re.compile(r"^\d+\.\s+")
_BOLD_RE = re.compile(r"\*\*(.+?)\*\*")
_CODE_RE = re.compile(r"`([^`]+)`")
_LINK_RE = re.compile(r"\[([^\]]+)\]\(((?:https?://|/)[^)\s\"']*)\)")
ALLOWED_TAGS = {"h2", "h3", "h4", "p", "ul", "ol", "li", "strong", "code", "a"}


@dataclass(frozen=True)
class Article:
    slug: str
    title: str
    source: str
    html: SafeString

    @property
    def summary(self) -> str:
        """The first paragraph, as plain text."""
        for block in self.source.split("\n\n"):
            block = block.strip()
            if block and not block.startswith(("#", "-", "1.")):
                return re.sub(r"[*`]", "", " ".join(block.split()))
        return ""


def _inline(text: str) -> str:
    text = html.escape(text, quote=True)
    text = _CODE_RE.sub(r"<code>\1</code>", text)
    text = _BOLD_RE.sub(r"<strong>\1</strong>", text)
    return _LINK_RE.sub(r'<a href="\2">\1</a>', text)


def render_markdown(source: str) -> SafeString:
    """The subset of Markdown above as safe HTML; a ``#`` heading in the text becomes h2 (the page has its h1)."""
    out: list[str] = []
    for block in re.split(r"\n\s*\n", source.strip()):
        lines = [line.strip() for line in block.strip().splitlines() if line.strip()]
        if not lines:
            continue
        first = lines[0]
        if first.startswith("#") and len(lines) == 1:
            level = min(max(len(first) - len(first.lstrip("#")), 2), 4)
            out.append(f"<h{level}>{_inline(first.lstrip('#').strip())}</h{level}>")
        elif all(line.startswith(("- ", "* ")) for line in lines):
            out.append("<ul>" + "".join(f"<li>{_inline(line[2:])}</li>" for line in lines) + "</ul>")
        elif all(_ORDERED_RE.match(line) for line in lines):
            out.append("<ol>" + "".join(f"<li>{_inline(_ORDERED_RE.sub('', line))}</li>" for line in lines) + "</ol>")
        else:
            out.append(f"<p>{_inline(' '.join(lines))}</p>")
    cleaned = nh3.clean(
        "".join(out),
        tags=ALLOWED_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https"},
        link_rel="noopener noreferrer nofollow",
    )
    return mark_safe(cleaned)  # escaped by _inline, cleaned by nh3


def parse_article(slug: str, source: str) -> Article:
    title_line, _, body = source.strip().partition("\n")
    title = title_line.lstrip("#").strip()
    return Article(slug=slug, title=title, source=body.strip(), html=render_markdown(body))


@functools.cache
def articles() -> tuple[Article, ...]:
    """Every article, in the order of the files' numbers."""
    found = []
    for path in ARTICLES_DIR.glob("*.md"):
        match = _FILE_RE.match(path.name)
        if match:
            found.append((int(match.group(1)), parse_article(match.group(2), path.read_text(encoding="utf-8"))))
    return tuple(article for _, article in sorted(found, key=lambda item: item[0]))


def article_get(slug: str) -> Article | None:
    return next((article for article in articles() if article.slug == slug), None)


def article_search(query: str) -> list[Article]:
    """Articles whose title or text holds every word of ``query`` (case and «ё» ignored); all for an empty one."""
    words = fold(query).split()
    if not words:
        return list(articles())
    return [a for a in articles() if all(word in fold(f"{a.title} {a.source}") for word in words)]
