from tests.matrix import LOGIN, Case, answers, page_for

CASES = [
    # The shell's pages: home sends each person on; the dashboard is the overseers'.
    Case(
        "home",
        answers(
            200,
            anonymous=LOGIN,
            student=302,
            teacher=302,
            curator=302,
            administration=302,
            administrator=302,
            other_administrator=302,
            platform_staff=302,
        ),
        id="home",
    ),
    Case("dashboard", page_for("administration", "administrator", "other_administrator")),
    Case("healthz", answers(200)),
    Case("favicon", answers(200)),
    Case("manifest", answers(200)),
    Case("service_worker", answers(200)),
    Case("readyz", answers(200)),
    # The API's description is for signed-in people (integrations), not the internet.
    Case("api:schema", answers(200, anonymous=401)),
    Case("api:docs", answers(200, anonymous=LOGIN)),
]
