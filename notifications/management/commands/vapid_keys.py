"""``manage.py vapid_keys``: a new VAPID key pair for Web Push, printed as lines for the .env file."""

import base64

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.core.management.base import BaseCommand


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def vapid_key_pair() -> tuple[str, str]:
    """(public, private): the uncompressed P-256 point and the 32-byte secret, unpadded base64url."""
    key = ec.generate_private_key(ec.SECP256R1())
    public = key.public_key().public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    private = key.private_numbers().private_value.to_bytes(32, "big")
    return _b64url(public), _b64url(private)


class Command(BaseCommand):
    help = "Печатает новую пару ключей VAPID для push-уведомлений в формате файла .env."

    def add_arguments(self, parser):
        parser.add_argument(
            "--subject", default="mailto:admin@example.org", help="VAPID_SUBJECT: e-mail для служб push"
        )

    def handle(self, *args, **options):
        public, private = vapid_key_pair()
        self.stdout.write(
            f"VAPID_PUBLIC_KEY={public}\nVAPID_PRIVATE_KEY={private}\nVAPID_SUBJECT={options['subject']}\n"
        )
