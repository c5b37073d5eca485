"""A stand-in SMS gateway for the compose smoke test (never in production): POST /send with
{"to", "text", "sender"} and the bearer token is kept in memory and answered {"id": n}; GET /messages
lists them; GET /health answers ok. Standard library only."""

import json
import os
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TOKEN = os.environ.get("SMS_GATEWAY_TOKEN", "")
messages: list[dict] = []
lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    def _answer(self, status: int, body) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/health":
            return self._answer(200, {"status": "ok"})
        if self.path == "/messages":
            with lock:
                return self._answer(200, list(messages))
        return self._answer(404, {"error": "not found"})

    def do_POST(self):
        if self.path != "/send":
            return self._answer(404, {"error": "not found"})
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self._answer(401, {"error": "bad token"})
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        with lock:
            messages.append({"to": body.get("to"), "text": body.get("text"), "sender": body.get("sender")})
            number = len(messages)
        return self._answer(200, {"id": str(number)})

    def log_message(self, format, *args):
        pass


if __name__ == "__main__":
    ThreadingHTTPServer(("0.0.0.0", 8025), Handler).serve_forever()
