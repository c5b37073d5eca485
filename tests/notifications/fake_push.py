"""A local push service for the tests: receives pywebpush's POST, checks its VAPID signature, decrypts it.

It plays both sides a real push service and a real browser would: it holds the
browser's private key and auth secret (made here), so it can read the
aes128gcm payload the way the browser does, and it checks the request the way
a push service does (the ES256 JWT of ``Authorization: vapid t=…, k=…`` signed by
the site's key, ``aud`` the endpoint's origin, ``exp`` in the future).
"""

import base64
import json
import os
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class VapidError(AssertionError):
    pass


def verify_vapid(header: str, *, origin: str) -> dict:
    """The JWT's claims after checking ``vapid t=<jwt>, k=<key>``; raises VapidError otherwise."""
    if not header or not header.startswith("vapid "):
        raise VapidError(f"not a VAPID Authorization header: {header!r}")
    params = dict(part.strip().split("=", 1) for part in header[len("vapid ") :].split(","))
    token, key = params["t"], params["k"]
    public_key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(key))
    head_b64, claims_b64, signature_b64 = token.split(".")
    head = json.loads(unb64url(head_b64))
    if head.get("alg") != "ES256":
        raise VapidError(f"not ES256: {head}")
    signature = unb64url(signature_b64)
    if len(signature) != 64:
        raise VapidError("an ES256 signature is r and s, 32 bytes each")
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    try:
        public_key.verify(der, f"{head_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as exc:
        raise VapidError("the JWT's signature does not match the key") from exc
    claims = json.loads(unb64url(claims_b64))
    if claims.get("aud") != origin:
        raise VapidError(f"aud {claims.get('aud')!r} is not the endpoint's origin {origin!r}")
    if int(claims.get("exp", 0)) <= time.time():
        raise VapidError("the JWT has expired")
    if not str(claims.get("sub", "")).startswith(("mailto:", "https:")):
        raise VapidError(f"sub must be mailto: or https: ({claims.get('sub')!r})")
    return {"claims": claims, "key": key}


class FakePushService:
    """Answers with the queued statuses in order (the last one repeats); records what it received."""

    def __init__(self):
        self.statuses = [201]
        self.received: list[dict] = []
        self.browser_key = ec.generate_private_key(ec.SECP256R1())
        self.auth_secret = os.urandom(16)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.origin = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._count = 0

    def subscription(self) -> dict:
        """What the browser's ``PushSubscription.toJSON()`` would give, at a new endpoint of this service."""
        self._count += 1
        point = self.browser_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {
            "endpoint": f"{self.origin}/push/{self._count}",
            "keys": {"p256dh": b64url(point), "auth": b64url(self.auth_secret)},
        }

    def _handler(self):
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                record = {"path": self.path, "headers": {k.lower(): v for k, v in self.headers.items()}, "body": body}
                try:
                    record["vapid"] = verify_vapid(self.headers.get("Authorization", ""), origin=service.origin)
                    record["payload"] = json.loads(
                        http_ece.decrypt(body, private_key=service.browser_key, auth_secret=service.auth_secret)
                    )
                except Exception as exc:  # noqa: BLE001 (the test reads it from the record)
                    record["error"] = repr(exc)
                service.received.append(record)
                statuses = service.statuses
                status = statuses.pop(0) if len(statuses) > 1 else statuses[0]
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        return Handler

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()
