from support.articles import articles, render_markdown

EXPECTED = {
    "join-by-invitation",
    "sign-in-by-phone",
    "totp-for-staff",
    "curator-sends-links",
    "chats",
    "write-to-support",
}


def test_every_instruction_is_there_with_a_russian_title():
    found = {article.slug: article for article in articles()}

    assert set(found) == EXPECTED
    assert all(article.title.startswith("Как") for article in found.values())


def test_the_markdown_subset_becomes_headings_lists_and_emphasis():
    out = render_markdown(
        "## Шаги\n\n1. Откройте **Вход**\n2. Введите `код`\n\n- один\n- два\n\nТекст [ссылка](https://example.org/)."
    )

    assert "<h2>Шаги</h2>" in out
    assert "<ol><li>Откройте <strong>Вход</strong></li><li>Введите <code>код</code></li></ol>" in out
    assert "<ul><li>один</li><li>два</li></ul>" in out
    assert '<a href="https://example.org/" rel="noopener noreferrer nofollow">ссылка</a>' in out


def test_html_and_script_links_in_an_article_are_shown_as_text():
    out = render_markdown('<script>alert(1)</script> <img src=x onerror="alert(1)"> [нажми](javascript:alert(1))')

    assert "<script" not in out and "<img" not in out and 'href="javascript' not in out
    assert "&lt;script&gt;" in out
