"""Permission matrix rows of the accounts app (own profile pages: every signed-in person, nobody else's data)."""

from tests.matrix import LOGIN, Case, answers

_SIGNED_IN = dict(anonymous=LOGIN)

CASES = [
    Case("accounts:profile", answers(200, **_SIGNED_IN)),
    # Staff (college and platform) in the matrix world have TOTP already: the page sends them home.
    Case(
        "accounts:mfa_required",
        answers(
            200, anonymous=LOGIN, administration=302, administrator=302, other_administrator=302, platform_staff=302
        ),
    ),
    Case("accounts:sessions_end_others", answers(302, **_SIGNED_IN), method="post"),
    Case("accounts:api_token_create", answers(302, **_SIGNED_IN), method="post"),
    Case("accounts:api_token_revoke", answers(302, **_SIGNED_IN), method="post"),
    Case("api:me", answers(200, anonymous=401)),
]
