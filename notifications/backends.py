"""SMS backends, chosen by ``settings.SMS_BACKEND``.

Console and file for development, memory for tests, an HTTP gateway for
production. Each offers ``send(phone, text) -> provider_message_id`` and
raises ``SmsDeliveryError`` when the message did not go out.
"""

import json
import logging
import threading
import uuid
from pathlib import Path

import requests
from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)


class SmsDeliveryError(Exception):
    """The gateway refused or could not be reached; ``retryable`` says whether to try again."""

    def __init__(self, message: str, *, retryable: bool = True):
        super().__init__(message)
        self.retryable = retryable


class BaseSmsBackend:
    def send(self, phone: str, text: str) -> str:
        raise NotImplementedError


class ConsoleSmsBackend(BaseSmsBackend):
    """Prints the SMS to the console: the developer reads the code there."""

    def send(self, phone: str, text: str) -> str:
        print(f"[SMS → {phone}] {text}", flush=True)  # noqa: T201 (that is the backend's whole job)
        return f"console-{uuid.uuid4().hex[:12]}"


class FileSmsBackend(BaseSmsBackend):
    """Appends one JSON line per SMS to ``settings.SMS_FILE_PATH``."""

    _lock = threading.Lock()

    def send(self, phone: str, text: str) -> str:
        path = Path(settings.SMS_FILE_PATH)
        path.parent.mkdir(parents=True, exist_ok=True)
        message_id = f"file-{uuid.uuid4().hex[:12]}"
        line = json.dumps({"id": message_id, "phone": phone, "text": text}, ensure_ascii=False)
        with self._lock, path.open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")
        return message_id


class MemorySmsBackend(BaseSmsBackend):
    """Keeps sent SMS in ``MemorySmsBackend.outbox`` for tests (like ``mail.outbox``)."""

    outbox: list[dict[str, str]] = []
    _lock = threading.Lock()

    def send(self, phone: str, text: str) -> str:
        message_id = f"mem-{uuid.uuid4().hex[:12]}"
        with self._lock:
            self.outbox.append({"id": message_id, "phone": phone, "text": text})
        return message_id

    @classmethod
    def clear(cls) -> None:
        with cls._lock:
            cls.outbox.clear()


class HttpGatewaySmsBackend(BaseSmsBackend):
    """POSTs ``{"to", "text", "sender"}`` as JSON with a bearer token to ``SMS_GATEWAY_URL``.

    The gateway answers 2xx with ``{"id": "..."}``. 4xx means the message is
    refused for good (bad number); 5xx and network errors are worth a retry.
    """

    def send(self, phone: str, text: str) -> str:
        if not settings.SMS_GATEWAY_URL:
            raise SmsDeliveryError("SMS_GATEWAY_URL не задан", retryable=False)
        try:
            response = requests.post(
                settings.SMS_GATEWAY_URL,
                json={"to": phone, "text": text, "sender": settings.SMS_SENDER_NAME},
                headers={"Authorization": f"Bearer {settings.SMS_GATEWAY_TOKEN}"},
                timeout=settings.SMS_GATEWAY_TIMEOUT,
            )
        except requests.RequestException as exc:
            raise SmsDeliveryError(f"шлюз недоступен: {exc.__class__.__name__}") from exc
        status = response.status_code
        # 408 and 429 are the gateway asking to come back later, like a 5xx.
        if status >= 500 or status in (408, 429):
            raise SmsDeliveryError(f"шлюз ответил {status}")
        if status >= 400:
            raise SmsDeliveryError(f"шлюз отклонил сообщение: {status}", retryable=False)
        try:
            payload = response.json()
        except ValueError:
            return ""
        return str(payload.get("id", "")) if isinstance(payload, dict) else ""


def get_sms_backend() -> BaseSmsBackend:
    return import_string(settings.SMS_BACKEND)()
