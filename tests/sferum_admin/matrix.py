from tests.matrix import LOGIN, Case, answers

CASES = [
    Case("healthz", answers(200)),
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
    ),
    Case("api:schema", answers(200)),
    Case("api:docs", answers(200)),
]
