from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from accounts.phones import format_phone, normalize_phone
from accounts.search import person_search_text, person_sort_key

# The fields search_text and sort_name are made of.
SEARCH_SOURCE_FIELDS = frozenset({"last_name", "first_name", "patronymic", "phone", "email"})


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, phone: str, password: str | None, **extra):
        phone = normalize_phone(phone)
        email = extra.pop("email", None)
        # Lower case whole: sign-in looks e-mails up in lower case.
        email = self.normalize_email(email).lower() if email else None
        user = self.model(phone=phone, email=email, **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_user(self, phone: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(phone, password, **extra)

    def create_superuser(self, phone: str, password: str | None = None, **extra):
        extra["is_staff"] = True
        extra["is_superuser"] = True
        return self._create_user(phone, password, **extra)


def short_name(*, last_name: str, first_name: str, patronymic: str, phone: str) -> str:
    """«Иванов И. И.», or the phone when the person gave no name: ``User.short_name`` for rows read as values."""
    initials = " ".join(f"{part[0]}." for part in (first_name, patronymic) if part)
    return f"{last_name} {initials}".strip() or format_phone(phone)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Identified by a phone number (E.164); e-mail is optional.

    ``is_staff`` marks the operators of this installation (platform staff),
    not college staff: college roles live in ``colleges.Membership``.
    """

    phone = models.CharField("телефон", max_length=16, unique=True)
    phone_verified = models.BooleanField("телефон подтверждён", default=False)
    email = models.EmailField("e-mail", null=True, blank=True)
    last_name = models.CharField("фамилия", max_length=100, blank=True)
    first_name = models.CharField("имя", max_length=100, blank=True)
    patronymic = models.CharField("отчество", max_length=100, blank=True)
    is_staff = models.BooleanField("сотрудник платформы", default=False)
    is_active = models.BooleanField("активен", default=True)
    date_joined = models.DateTimeField("дата регистрации", default=timezone.now)
    # Derived from the name, phone and e-mail by fill_search_fields() (see accounts.search).
    search_text = models.TextField("текст для поиска", blank=True, default="", editable=False)
    sort_name = models.TextField("ключ сортировки по имени", blank=True, default="", editable=False)

    objects = UserManager()

    USERNAME_FIELD = "phone"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = "пользователь"
        verbose_name_plural = "пользователи"
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.full_name or self.phone_display

    def save(self, *args, **kwargs):
        self.fill_search_fields()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and SEARCH_SOURCE_FIELDS.intersection(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_text", "sort_name"}
        super().save(*args, **kwargs)

    def fill_search_fields(self) -> None:
        """Set ``search_text`` and ``sort_name`` from the name, phone and e-mail.

        ``save()`` calls it; code that writes users without ``save()``
        (``bulk_create``) calls it on each user first.
        """
        self.search_text = person_search_text(
            last_name=self.last_name,
            first_name=self.first_name,
            patronymic=self.patronymic,
            phone=self.phone,
            email=self.email,
        )
        self.sort_name = person_sort_key(
            last_name=self.last_name, first_name=self.first_name, patronymic=self.patronymic
        )

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.last_name, self.first_name, self.patronymic) if part)

    @property
    def short_name(self) -> str:
        """«Иванов И. И.»"""
        return short_name(
            last_name=self.last_name, first_name=self.first_name, patronymic=self.patronymic, phone=self.phone
        )

    @property
    def phone_display(self) -> str:
        return format_phone(self.phone)

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.first_name


class ApiToken(models.Model):
    """A person's named API key for one integration (an e-journal, 1C), acting in one college.

    Only the SHA-256 of the key is stored: the key itself is shown once, when
    it is made. A key works until ``expires_at``, or until it is revoked by
    hand or by «Выйти на всех других устройствах». Keys carried over from the
    former one-key-per-person scheme have no college and act in the person's
    current college, as before.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens", verbose_name="пользователь"
    )
    # Colleges are a higher layer: referenced by name, never imported here.
    college = models.ForeignKey(
        "colleges.College",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="колледж",
    )
    name = models.CharField("название", max_length=100)
    key_prefix = models.CharField("начало ключа", max_length=12)
    key_hash = models.CharField("SHA-256 ключа", max_length=64, unique=True)
    created_at = models.DateTimeField("создан", default=timezone.now)
    expires_at = models.DateTimeField("действует до")
    revoked_at = models.DateTimeField("отозван", null=True, blank=True)

    class Meta:
        verbose_name = "ключ API"
        verbose_name_plural = "ключи API"
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "name"],
                condition=models.Q(revoked_at__isnull=True),
                name="accounts_apitoken_live_name_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()
