"""Log hygiene: one-time codes, tokens and passwords never reach a log line.

``RedactSecretsFilter`` is attached to every handler in settings.LOGGING. It
masks ``code=123456``, ``"token": "abc"``, ``Bearer abc``, «код: 123456» and
invitation links (``/i/<token>``) in the formatted message, in the text of a
logged exception and in extra attributes of the record — Celery passes a
task's arguments as ``extra={"data": {...}}``, which the JSON formatter writes
out.
"""

import contextvars
import logging
import re
import uuid

MASK = "***"

_SECRET_WORDS = r"(?:code|token|password|passwd|secret|otp|api[_-]?key|код|пароль)"
_SECRET_PATTERNS = [
    # key=value, key: value, 'key': 'value', "login_code": "1234", access_token=...
    (
        re.compile(rf"(?i)(\w*{_SECRET_WORDS}\w*)(['\"]?\s*[:=]\s*['\"]?)[^\s'\",&;)}}\]\[{{]+"),
        rf"\1\2{MASK}",
    ),
    (re.compile(r"(?i)\b(bearer|token)(\s+)[A-Za-z0-9._~+/=\-]{6,}"), rf"\1\2{MASK}"),
    # «Код для входа в Сферум Админ: 123456» — an SMS text quoted whole.
    (re.compile(r"(?i)(код[^:\n]{0,60}:\s*)\d{4,8}"), rf"\1{MASK}"),
    (re.compile(r"(/i/)[A-Za-z0-9_\-]{16,}"), rf"\1{MASK}"),
]


def redact(text: str) -> str:
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


_SECRET_KEY = re.compile(rf"(?i){_SECRET_WORDS}")
# Attributes every LogRecord has; anything else came in through ``extra``.
_STANDARD_ATTRIBUTES = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


def redact_value(value, key: str = ""):
    """``value`` with secrets masked: strings by ``redact``, values under secret-looking keys whole."""
    if key and _SECRET_KEY.search(key) and isinstance(value, (str, int)) and value != "":
        return MASK
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {k: redact_value(v, str(k)) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [redact_value(v) for v in value]
    return value


class RedactSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in list(record.__dict__.items()):
            if name not in _STANDARD_ATTRIBUTES and isinstance(value, (str, dict, list, tuple)):
                setattr(record, name, redact_value(value))
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg = redacted
            record.args = ()
        if record.exc_info and record.exc_info[1] is not None:
            # The traceback is formatted here, redacted, and kept as exc_text
            # only: both the plain and the JSON formatter print exc_text when
            # exc_info is gone, and would re-format exc_info unredacted.
            text = record.exc_text or logging.Formatter().formatException(record.exc_info)
            record.exc_text = redact(text)
            record.exc_info = None
        return True


# The id of the request being served (X-Request-ID from the proxy, or one made here), for every log line.
current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("current_request_id", default="")
_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._\-]{8,64}$")


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to each record logged while a request is served (empty elsewhere)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            # Django logs a 4xx/5xx answer (django.request) after the middleware has returned: the record
            # carries the request, and the request its id.
            request = getattr(record, "request", None)
            record.request_id = current_request_id.get() or getattr(request, "request_id", "")
        return True


class RequestIdMiddleware:
    """Takes the proxy's X-Request-ID (nginx's $request_id, also in its access log) or makes one, keeps it
    for the log lines of this request and answers it in X-Request-ID. A malformed header is replaced."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.headers.get("X-Request-ID", "")
        request_id = given if _REQUEST_ID_RE.match(given) else uuid.uuid4().hex
        request.request_id = request_id
        token = current_request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            current_request_id.reset(token)
        response.headers.setdefault("X-Request-ID", request_id)
        return response
