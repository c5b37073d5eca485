"""The container's health check: GET http://127.0.0.1:8000<path> (``/healthz`` liveness by default,
``/readyz`` readiness), exit 0 on 200. Standard library only, run by Docker inside the web container.

The request names the first of DJANGO_ALLOWED_HOSTS as its Host, so production settings accept it;
the health paths are exempt from the HTTPS redirect (SECURE_REDIRECT_EXEMPT), as the proxy, not the
app, speaks TLS."""

import os
import sys
import urllib.request


def main(path: str) -> int:
    hosts = [h.strip() for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",") if h.strip()]
    host = (hosts[0].lstrip(".") if hosts else "localhost").replace("*", "") or "localhost"
    port = os.environ.get("PORT", "8000")
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=4) as response:
            return 0 if response.status == 200 else 1
    except Exception as exc:  # noqa: BLE001 (any failure is "unhealthy")
        print(f"{path}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "/healthz"))
