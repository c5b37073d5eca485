from html.parser import HTMLParser

import pytest

from chats.formatting import render_message

XSS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">жми</a>',
    'https://example.org/"><script>alert(1)</script>',
    "javascript:alert(1)",
    "<svg/onload=alert(1)>",
    "@<b>Иванов</b>",
]


@pytest.mark.parametrize("payload", XSS)
def test_xss_payloads_come_out_inert(payload):
    html = render_message(payload, {"Иванов": 5})

    tags = Tags()
    tags.feed(html)
    assert {tag for tag, _ in tags.seen} <= {"a", "br", "span"}
    for _, attributes in tags.seen:
        assert not any(name.startswith("on") for name, _ in attributes)
        assert all(value.startswith("https://") for name, value in attributes if name == "href")


class Tags(HTMLParser):
    """The tags and attributes a browser would build from the HTML."""

    def __init__(self):
        super().__init__()
        self.seen = []

    def handle_starttag(self, tag, attrs):
        self.seen.append((tag, attrs))


def test_links_line_breaks_and_mentions():
    html = render_message("Привет, @Петрова Мария!\nСм. https://example.org/plan?a=1&b=2.", {"Петрова Мария": 7})

    assert '<span class="mention" data-member="7">@Петрова Мария</span>' in html
    assert "<br>" in html
    assert 'href="https://example.org/plan?a=1&amp;b=2"' in html and "</a>." in html
    assert 'rel="noopener noreferrer nofollow"' in html


def test_a_mention_of_someone_not_mentioned_stays_text():
    assert render_message("@Сидоров привет", {}) == "@Сидоров привет"


def test_names_in_text_are_escaped():
    assert render_message("a < b & c > d") == "a &lt; b &amp; c &gt; d"
