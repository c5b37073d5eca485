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
    # An empty form: the key needs a name.
    Case("accounts:api_token_create", answers(400, **_SIGNED_IN), method="post"),
    # Only the owner (the administrator here) revokes a key; anybody else gets «not found».
    Case(
        "accounts:api_token_revoke",
        answers(404, administrator=302, **_SIGNED_IN),
        method="post",
        kwargs=lambda world: {"pk": _administrators_key(world)},
    ),
    Case("api:me", answers(200, anonymous=401)),
]


def _administrators_key(world) -> int:
    from accounts.models import ApiToken
    from tests.accounts.helpers import api_key_for

    administrator = world.users["administrator"]
    api_key_for(administrator, college=world.college, name="Матрица")
    return ApiToken.objects.get(user=administrator, name="Матрица").pk


# «Уведомления на этом устройстве»: every signed-in person for their own browsers.
CASES += [
    Case("notifications:push_device", answers(200, **_SIGNED_IN)),
    # An empty body is not a subscription.
    Case("notifications:push_subscribe", answers(400, **_SIGNED_IN), method="post"),
    Case("notifications:push_unsubscribe", answers(400, **_SIGNED_IN), method="post"),
]
