import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class FakeGateway:
    """A local SMS gateway: answers with the queued statuses in order (the last one repeats)."""

    def __init__(self):
        self.statuses = [200]
        self.requests: list[dict] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}/api/send"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def _handler(self):
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                gateway.requests.append(
                    {"json": json.loads(self.rfile.read(length)), "auth": self.headers.get("Authorization")}
                )
                status = gateway.statuses.pop(0) if len(gateway.statuses) > 1 else gateway.statuses[0]
                body = json.dumps({"id": f"gw-{len(gateway.requests)}"} if status < 300 else {"error": "x"})
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body.encode())

            def log_message(self, *args):
                pass

        return Handler

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def gateway(settings):
    fake = FakeGateway().start()
    settings.SMS_BACKEND = "notifications.backends.HttpGatewaySmsBackend"
    settings.SMS_GATEWAY_URL = fake.url
    settings.SMS_GATEWAY_TOKEN = "gateway-token"
    settings.SMS_GATEWAY_TIMEOUT = 2.0
    yield fake
    fake.stop()


@pytest.fixture
def refused_url():
    """A URL on 127.0.0.1 where nothing listens: the connection is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}/api/send"


@pytest.fixture
def vapid(settings):
    """Push switched on with a fresh key pair, accepting endpoints on 127.0.0.1 over HTTP (the fake service)."""
    from notifications.management.commands.vapid_keys import vapid_key_pair

    public, private = vapid_key_pair()
    settings.VAPID_PUBLIC_KEY = public
    settings.VAPID_PRIVATE_KEY = private
    settings.VAPID_SUBJECT = "mailto:admin@college.example"
    settings.PUSH_ENDPOINT_HOSTS = ["127.0.0.1"]
    settings.PUSH_ALLOW_HTTP_ENDPOINTS = True
    return settings


@pytest.fixture
def push_service(vapid):
    from tests.notifications.fake_push import FakePushService

    fake = FakePushService().start()
    yield fake
    fake.stop()
