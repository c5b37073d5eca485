import datetime
import json
import secrets
from urllib.parse import quote

from django.conf import settings
from django.db import models
from django.db.models import Q

# The longest session one may plan: a school day of lessons is split into sessions, not one of 12 hours.
DURATION_MIN = 5
DURATION_MAX = 8 * 60
# «Войти» opens this long before the start.
JOIN_EARLY = datetime.timedelta(minutes=15)


class Kind(models.TextChoices):
    LESSON = "lesson", "онлайн-занятие"
    CONSULTATION = "consultation", "консультация"
    PARENT_MEETING = "parent_meeting", "родительское собрание"
    STAFF_MEETING = "staff_meeting", "рабочее совещание"
    BROADCAST = "broadcast", "трансляция"
    # Seed §3.4: teachers may attend seminars and webinars on teaching methods; always for the staff.
    SEMINAR = "seminar", "семинар / вебинар для педагогов"


class Audience(models.TextChoices):
    COLLEGE = "college", "весь колледж"
    STAFF = "staff", "только сотрудники"
    GROUPS = "groups", "учебные группы"


def room_name_new() -> str:
    """A room name nobody guesses: the room of a public video service is open to whoever knows its name."""
    return f"sferum-{secrets.token_hex(12)}"


class Session(models.Model):
    """A planned video session or broadcast of a college, addressed to an audience.

    With audience «учебные группы», a parent meeting is for the parents of those
    groups; any other kind is for their students.
    """

    class Status(models.TextChoices):
        PLANNED = "planned", "запланирован"
        CANCELLED = "cancelled", "отменён"
        HELD = "held", "проведён"

    college = models.ForeignKey(
        "colleges.College", on_delete=models.CASCADE, related_name="sessions", verbose_name="колледж", db_index=False
    )
    kind = models.CharField("вид", max_length=16, choices=Kind.choices)
    title = models.CharField("тема", max_length=200)
    description = models.TextField("описание", blank=True)
    starts_at = models.DateTimeField("начало")
    duration_minutes = models.PositiveSmallIntegerField("длительность, минут")
    # starts_at + duration, kept so lists split upcoming from past in SQL.
    ends_at = models.DateTimeField("окончание")
    host = models.ForeignKey(
        "colleges.Membership", on_delete=models.PROTECT, related_name="hosted_sessions", verbose_name="ведущий"
    )
    audience = models.CharField("кому", max_length=16, choices=Audience.choices)
    groups = models.ManyToManyField("groups.StudyGroup", blank=True, related_name="sessions", verbose_name="группы")
    status = models.CharField("статус", max_length=16, choices=Status.choices, default=Status.PLANNED)
    cancel_reason = models.CharField("причина отмены", max_length=500, blank=True)
    room_name = models.CharField("комната видеосвязи", max_length=64, unique=True, default=room_name_new)
    recording_url = models.URLField("ссылка на запись", max_length=500, blank=True)
    # Set once, by the reminder run that claimed this session (a conditional UPDATE).
    reminded_at = models.DateTimeField("напоминание отправлено", null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", verbose_name="создал"
    )
    created_at = models.DateTimeField("создано", auto_now_add=True)
    updated_at = models.DateTimeField("изменено", auto_now=True)

    class Meta:
        verbose_name = "сеанс видеосвязи"
        verbose_name_plural = "сеансы видеосвязи"
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(duration_minutes__gte=DURATION_MIN, duration_minutes__lte=DURATION_MAX),
                name="session_duration_in_range",
            ),
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="session_ends_after_start"),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancel_reason=""), name="session_cancelled_has_reason"
            ),
        ]
        indexes = [
            models.Index(fields=["college", "starts_at", "id"], name="session_college_start"),
            models.Index(fields=["status", "reminded_at", "starts_at"], name="session_remind_due"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_planned(self) -> bool:
        return self.status == self.Status.PLANNED

    @property
    def opens_at(self) -> datetime.datetime:
        return self.starts_at - JOIN_EARLY

    def is_open(self, now: datetime.datetime) -> bool:
        """«Войти» works: planned, from 15 minutes before the start until the end."""
        return self.is_planned and self.opens_at <= now < self.ends_at

    def room_url(self, *, display_name: str = "") -> str:
        """The video room's address; with ``VIDEO_ROOM_NAME_FRAGMENT`` and a name, Jitsi shows the person
        under that name (``#userInfo.displayName="…"``, JSON in the fragment, URL-encoded). The fragment
        never reaches the video server's logs; a BigBlueButton gateway ignores it, and a deploy can switch it off.
        """
        url = settings.VIDEO_ROOM_URL.rstrip("/") + "/" + self.room_name
        display_name = " ".join((display_name or "").split())[:100]
        if display_name and settings.VIDEO_ROOM_NAME_FRAGMENT:
            url += "#userInfo.displayName=" + quote(json.dumps(display_name, ensure_ascii=False), safe="")
        return url


class Attendance(models.Model):
    """A person's first entry into a session's room (later entries change nothing)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendances", verbose_name="сеанс")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name="участник"
    )
    joined_at = models.DateTimeField("вошёл")

    class Meta:
        verbose_name = "посещение"
        verbose_name_plural = "посещения"
        ordering = ["joined_at", "id"]
        constraints = [models.UniqueConstraint(fields=["session", "user"], name="one_attendance_per_session_user")]

    def __str__(self) -> str:
        return f"{self.user} → {self.session}"
