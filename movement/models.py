"""Movement of students and staff, recorded as orders and applied exactly once.

A movement is never edited after it is applied: a mistake is corrected by a
new movement (a compensating one for a whole import batch).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from groups.signals import EnrollmentChange


def _student(change: EnrollmentChange) -> tuple[str, str]:
    """A student's movement is the enrollment change it makes: one value and one wording for both."""
    return change.value, change.label


class MovementKind(models.TextChoices):
    ENROL = _student(EnrollmentChange.ENROL)
    TRANSFER = _student(EnrollmentChange.TRANSFER)
    ACADEMIC_LEAVE = _student(EnrollmentChange.ACADEMIC_LEAVE)
    LEAVE_RETURN = _student(EnrollmentChange.LEAVE_RETURN)
    EXPEL = _student(EnrollmentChange.EXPEL)
    GRADUATE = _student(EnrollmentChange.GRADUATE)
    REINSTATE = _student(EnrollmentChange.REINSTATE)
    HIRE = "hire", "приём на работу"
    DISMISS = "dismiss", "увольнение"
    CURATOR_ASSIGN = "curator_assign", "назначение куратором"
    CURATOR_UNASSIGN = "curator_unassign", "снятие кураторства"
    SUBJECT_ASSIGN = "subject_assign", "назначение преподавателем дисциплины"
    SUBJECT_UNASSIGN = "subject_unassign", "снятие с дисциплины"


STUDENT_KINDS = frozenset(
    {
        MovementKind.ENROL,
        MovementKind.TRANSFER,
        MovementKind.ACADEMIC_LEAVE,
        MovementKind.LEAVE_RETURN,
        MovementKind.EXPEL,
        MovementKind.GRADUATE,
        MovementKind.REINSTATE,
    }
)
STAFF_KINDS = frozenset(set(MovementKind.values) - STUDENT_KINDS)


class ExpelReason(models.TextChoices):
    OWN_WISH = "own_wish", "по собственному желанию"
    POOR_PROGRESS = "poor_progress", "за неуспеваемость"
    TRANSFER_OUT = "transfer_out", "в связи с переводом в другую организацию"
    DISCIPLINE = "discipline", "за нарушение устава / правил внутреннего распорядка"
    HEALTH = "health", "по состоянию здоровья"
    NOT_IN_ROSTER = "not_in_roster", "отсутствует в контингенте (импорт)"
    CORRECTION = "correction", "исправление ошибочного приказа"
    OTHER = "other", "иная причина"


class ImportBatch(models.Model):
    """One uploaded roster file: its parsed rows, the dry-run diff and the progress of applying it."""

    class Status(models.TextChoices):
        NEEDS_MAPPING = "needs_mapping", "нужно сопоставить столбцы"
        PREVIEWED = "previewed", "проверен, ждёт применения"
        APPLYING = "applying", "применяется"
        APPLIED = "applied", "применён"
        FAILED = "failed", "ошибка"
        ROLLED_BACK = "rolled_back", "отменён"

    class Kind(models.TextChoices):
        ROSTER = "roster", "импорт контингента"
        ROLLOVER = "rollover", "переход на новый учебный год"
        ROLLBACK = "rollback", "отмена импорта"

    college = models.ForeignKey("colleges.College", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField("вид", max_length=16, choices=Kind.choices, default=Kind.ROSTER)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    file_name = models.CharField("файл", max_length=255, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    encoding = models.CharField("кодировка", max_length=16, blank=True)
    delimiter = models.CharField("разделитель", max_length=4, blank=True)
    headers = models.JSONField(default=list, blank=True)
    raw_rows = models.JSONField(default=list, blank=True)
    mapping = models.JSONField(default=dict, blank=True)
    status = models.CharField("статус", max_length=16, choices=Status.choices, default=Status.PREVIEWED)
    order_number = models.CharField("номер приказа", max_length=50, blank=True)
    order_date = models.DateField("дата приказа", null=True, blank=True)
    effective_date = models.DateField("дата вступления в силу", null=True, blank=True)
    include_expulsions = models.BooleanField("отчислить отсутствующих в файле", default=False)
    threshold_confirmed = models.BooleanField(default=False)
    summary = models.JSONField(default=dict, blank=True)
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    rolled_back_by = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="rollback_of"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # When the batch was last handed to the worker: one still «применяется» long after is queued again.
    queued_at = models.DateTimeField("поставлен в очередь", null=True, blank=True)
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "пакет движения контингента"
        verbose_name_plural = "пакеты движения контингента"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.file_name}".strip()

    @property
    def percent(self) -> int:
        return int(self.processed * 100 / self.total) if self.total else 100


class RosterRow(models.Model):
    """A line of an uploaded roster (or a student missing from it) and what applying it would do."""

    class Action(models.TextChoices):
        NEW = "new", "новый обучающийся"
        ENROL = "enrol", "зачисление в группу"
        TRANSFER = "transfer", "перевод"
        UNCHANGED = "unchanged", "без изменений"
        MISSING = "missing", "нет в файле"
        ERROR = "error", "ошибка"

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rows")
    line_no = models.PositiveIntegerField(null=True, blank=True)
    last_name = models.CharField(max_length=100, blank=True)
    first_name = models.CharField(max_length=100, blank=True)
    patronymic = models.CharField(max_length=100, blank=True)
    phone = models.CharField(max_length=32, blank=True)
    group_name = models.CharField(max_length=50, blank=True)
    birth_date = models.DateField(null=True, blank=True)
    group = models.ForeignKey("groups.StudyGroup", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    current_group = models.ForeignKey(
        "groups.StudyGroup", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    membership = models.ForeignKey(
        "colleges.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=16, choices=Action.choices)
    error = models.CharField(max_length=500, blank=True)
    applied = models.BooleanField(default=False)

    class Meta:
        ordering = ["line_no", "id"]
        indexes = [models.Index(fields=["batch", "action", "applied"])]

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)


class Movement(models.Model):
    """One order (приказ) moving one person. Applied exactly once; never edited afterwards."""

    class Status(models.TextChoices):
        PENDING = "pending", "ожидает"
        APPLYING = "applying", "применяется"
        APPLIED = "applied", "применено"
        FAILED = "failed", "не применено"
        CANCELLED = "cancelled", "отменено"

    college = models.ForeignKey("colleges.College", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField("вид движения", max_length=20, choices=MovementKind.choices)
    person = models.ForeignKey(
        "colleges.Membership",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="movements",
        verbose_name="участник",
    )
    # For a hire the person does not exist yet: who to hire.
    phone = models.CharField("телефон", max_length=16, blank=True)
    last_name = models.CharField("фамилия", max_length=100, blank=True)
    first_name = models.CharField("имя", max_length=100, blank=True)
    patronymic = models.CharField("отчество", max_length=100, blank=True)
    role = models.CharField("роль", max_length=16, blank=True)
    position = models.CharField("должность", max_length=200, blank=True)
    from_group = models.ForeignKey(
        "groups.StudyGroup", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="из группы"
    )
    to_group = models.ForeignKey(
        "groups.StudyGroup", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="в группу"
    )
    discipline = models.ForeignKey(
        "groups.Discipline",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="дисциплина",
    )
    order_number = models.CharField("номер приказа", max_length=50)
    order_date = models.DateField("дата приказа")
    effective_date = models.DateField("дата вступления в силу", db_index=True)
    reason = models.CharField("основание / причина", max_length=300, blank=True)
    planned_return_date = models.DateField("плановая дата выхода из отпуска", null=True, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField("статус", max_length=12, choices=Status.choices, default=Status.PENDING)
    applied_at = models.DateTimeField("применено", null=True, blank=True)
    error = models.TextField("ошибка", blank=True)
    batch = models.ForeignKey(ImportBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="movements")
    # The movement that caused this one: an academic leave for its automatic return, a movement for its compensation.
    caused_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="consequences")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "движение контингента"
        verbose_name_plural = "движение контингента"
        ordering = ["-effective_date", "-id"]
        indexes = [
            models.Index(fields=["college", "status", "effective_date"]),
            models.Index(fields=["person", "effective_date"]),
            # The college's list in its order: read from its first row, not from the installation's dates.
            models.Index(fields=["college", "-effective_date", "-id"], name="movement_college_list_idx"),
        ]
        constraints = [
            # An academic leave has at most one automatic return.
            models.UniqueConstraint(
                fields=["caused_by", "kind"],
                condition=Q(kind="leave_return"),
                name="one_return_per_academic_leave",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: приказ № {self.order_number} от {self.order_date:%d.%m.%Y}"

    @property
    def is_student_kind(self) -> bool:
        return self.kind in STUDENT_KINDS
