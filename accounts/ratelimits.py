"""One rate limiter for the whole project: allauth's, with its client address.

allauth counts sign-in attempts in the cache with a sliding window and takes
the client address from ``X-Forwarded-For`` behind ``ALLAUTH_TRUSTED_PROXY_COUNT``
proxies (or from ``ALLAUTH_TRUSTED_CLIENT_IP_HEADER``). The project's own limits
(opening invitation links, joining) use the same counter and the same address,
so a school behind one NAT address is counted the same way everywhere.

allauth's public ``allauth.core.ratelimit.consume`` reads only
``ACCOUNT_RATE_LIMITS`` and lets every GET through; the module it wraps takes
the rates as an argument and counts GETs too (allauth is pinned in
requirements/prod.txt; tests/invitations and tests/accounts exercise both paths).
"""

import math
import time

from allauth.core.internal import ratelimit as _allauth_ratelimit
from django.core.cache import cache

APP = "sferum"


def consume(request, *, action: str, rates: str, key: str | None = None, user=None) -> bool:
    """Count one ``action`` against ``rates`` (allauth's format: ``"60/m/ip,10/m/user"``); False when over.

    Counts GET requests too: opening a link is a GET.
    """
    usage = _allauth_ratelimit.consume(
        request, app=APP, action=action, config={action: rates}, key=key, user=user, limit_get=True
    )
    return usage is not None


def retry_after_minutes(request, *, app: str, action: str, rates: dict[str, str], key: str | None = None) -> int:
    """Whole minutes until ``action`` is allowed again under the exhausted one of ``rates`` (at least 1)."""
    wait = 0.0
    now = time.time()
    for rate in _allauth_ratelimit.get_rates(app=app, action=action, config=rates):
        if rate.per == "key" and key is None:
            continue
        if rate.per == "user" and not request.user.is_authenticated:
            continue
        cache_key = _allauth_ratelimit.get_cache_key(request, app=app, action=action, rate=rate, key=key)
        history = [ts for ts in cache.get(cache_key, []) if ts > now - rate.duration]
        if len(history) >= rate.amount:
            # The oldest hit still counted leaves the window first.
            wait = max(wait, history[rate.amount - 1] + rate.duration - now)
    return max(1, math.ceil(wait / 60))
