"""The container's health check: GET http://127.0.0.1:8000<path> (``/healthz`` liveness by default,
``/readyz`` readiness), exit 0 on 200. Standard library only, run by Docker inside the web container.

The request names the first of DJANGO_ALLOWED_HOSTS as its Host, so production settings accept it;
the health paths are exempt from the HTTPS redirect (SECURE_REDIRECT_EXEMPT), as the proxy, not the
app, speaks TLS.

A path under ``/ws/`` (the asgi service: ``/ws/ping/``) is checked by a WebSocket handshake instead, from
the site's own origin (Channels refuses other origins): healthy when the server switches protocols (101)."""

import base64
import os
import socket
import sys
import urllib.request


def websocket_handshake(port: str, host: str, path: str) -> int:
    key = base64.b64encode(os.urandom(16)).decode()
    request = (
        f"GET {path} HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\nOrigin: https://{host}\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", int(port)), timeout=4) as connection:
        connection.sendall(request.encode())
        status = connection.recv(1024).split(b"\r\n", 1)[0]
    if status.split()[1:2] == [b"101"]:
        return 0
    print(f"{path}: {status.decode(errors='replace')}", file=sys.stderr)
    return 1


def main(path: str) -> int:
    hosts = [h.strip() for h in os.environ.get("DJANGO_ALLOWED_HOSTS", "").split(",") if h.strip()]
    host = (hosts[0].lstrip(".") if hosts else "localhost").replace("*", "") or "localhost"
    port = os.environ.get("PORT", "8000")
    if path.startswith("/ws/"):
        try:
            return websocket_handshake(port, host, path)
        except OSError as exc:
            print(f"{path}: {exc}", file=sys.stderr)
            return 1
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": host})
    try:
        with urllib.request.urlopen(request, timeout=4) as response:
            return 0 if response.status == 200 else 1
    except Exception as exc:  # noqa: BLE001 (any failure is "unhealthy")
        print(f"{path}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "/healthz"))
