"""The smoke test's college and its administrator, made inside the web container by
`manage.py shell` (an operator's access, not a path into the app): phone SMOKE_ADMIN_PHONE,
TOTP with the secret SMOKE_TOTP_SECRET the smoke test chose. Idempotent."""

import os

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP

from accounts.models import User
from colleges.models import College, Membership, Role

phone = os.environ["SMOKE_ADMIN_PHONE"]
college, _ = College.objects.get_or_create(
    inn="6950000017",
    defaults={
        "full_name": "ГБПОУ «Колледж проверки развёртывания»",
        "short_name": "Колледж проверки",
        "ogrn": "1026900000016",
        "region": "Тверская область",
        "address": "г. Тверь, ул. Учебная, д. 1",
    },
)
user, _ = User.objects.get_or_create(
    phone=phone, defaults={"phone_verified": True, "first_name": "Смоук", "last_name": "Проверкин"}
)
Membership.objects.get_or_create(user=user, college=college, role=Role.ADMINISTRATOR)
if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
    TOTP.activate(user, os.environ["SMOKE_TOTP_SECRET"])
print(f"administrator {phone} of college {college.pk}")
