from playwright.sync_api import Page, expect


def test_sign_in_page_is_in_russian(live_server, page: Page):
    page.goto(live_server.url + "/")

    expect(page).to_have_url(live_server.url + "/accounts/login/")
    expect(page.locator("html")).to_have_attribute("lang", "ru")
