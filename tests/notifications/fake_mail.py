"""A mailer for the tests of e-mail batches: counts the connections it opens, refuses some addresses,
and can drop the connection after a number of letters (the SMTP backend's failures, without a server)."""

import smtplib

from django.core import mail
from django.core.mail.backends.locmem import EmailBackend


class FlakyMailer(EmailBackend):
    opened = 0
    refused: set[str] = set()
    break_after: int | None = None

    @classmethod
    def reset(cls) -> None:
        cls.opened = 0
        cls.refused = set()
        cls.break_after = None

    def open(self):
        type(self).opened += 1
        return True

    def send_messages(self, messages):
        for message in messages:
            if self.break_after is not None and len(mail.outbox) >= self.break_after:
                raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
            if message.to[0] in self.refused:
                raise smtplib.SMTPRecipientsRefused({message.to[0]: (550, b"No such user")})
        return super().send_messages(messages)
