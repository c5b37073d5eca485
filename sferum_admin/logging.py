import logging
import re

# One-time codes, invitation tokens and API tokens must never reach a log line.
_SECRET_PATTERNS = [
    (re.compile(r"(?i)\b(code|token|password|secret|otp)(['\"]?\s*[:=]\s*['\"]?)[^\s'\",&]+"), r"\1\2***"),
    (re.compile(r"(/i/)[A-Za-z0-9_\-]{16,}"), r"\1***"),
]


def redact(text: str) -> str:
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecretsFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg = redacted
            record.args = ()
        return True
