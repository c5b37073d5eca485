from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q


class FormOfStudy(models.TextChoices):
    FULL_TIME = "full_time", "очная"
    PART_TIME = "part_time", "очно-заочная"
    EXTRAMURAL = "extramural", "заочная"


class StudyGroup(models.Model):
    """A study group such as «ИС-21». Named StudyGroup so as not to shadow auth.Group."""

    class Status(models.TextChoices):
        ACTIVE = "active", "обучается"
        GRADUATED = "graduated", "выпущена"
        ARCHIVED = "archived", "в архиве"

    college = models.ForeignKey(
        "colleges.College", on_delete=models.CASCADE, related_name="study_groups", verbose_name="колледж"
    )
    department = models.ForeignKey(
        "colleges.Department", on_delete=models.PROTECT, related_name="study_groups", verbose_name="отделение"
    )
    name = models.CharField("название", max_length=50)
    specialty_code = models.CharField("код специальности", max_length=20, blank=True)
    specialty_name = models.CharField("специальность / профессия", max_length=300, blank=True)
    course = models.PositiveSmallIntegerField(
        "курс", default=1, validators=[MinValueValidator(1), MaxValueValidator(6)]
    )
    admission_year = models.PositiveSmallIntegerField(
        "год набора", validators=[MinValueValidator(1990), MaxValueValidator(2100)]
    )
    form_of_study = models.CharField(
        "форма обучения", max_length=16, choices=FormOfStudy.choices, default=FormOfStudy.FULL_TIME
    )
    status = models.CharField("статус", max_length=16, choices=Status.choices, default=Status.ACTIVE)
    # Active enrollments, kept by groups.services.enrollment in the transaction of every start and end
    # (the list's count would otherwise be a subquery per row on every first view after a change).
    student_count = models.PositiveIntegerField("обучающихся", default=0, editable=False)
    created_at = models.DateTimeField("создано", auto_now_add=True)

    class Meta:
        verbose_name = "учебная группа"
        verbose_name_plural = "учебные группы"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["college", "name"], name="study_group_name_unique_in_college"),
            models.CheckConstraint(condition=Q(course__gte=1) & Q(course__lte=6), name="study_group_course_1_6"),
        ]
        indexes = [models.Index(fields=["college", "status", "name"])]

    def __str__(self) -> str:
        return self.name


class StaffGroup(models.Model):
    """A group of employees, e.g. «Педагогический состав», «Администрация»."""

    college = models.ForeignKey(
        "colleges.College", on_delete=models.CASCADE, related_name="staff_groups", verbose_name="колледж"
    )
    name = models.CharField("название", max_length=200)
    description = models.TextField("описание", blank=True)
    members = models.ManyToManyField(
        "colleges.Membership", blank=True, related_name="staff_groups", verbose_name="участники"
    )
    created_at = models.DateTimeField("создано", auto_now_add=True)

    class Meta:
        verbose_name = "группа сотрудников"
        verbose_name_plural = "группы сотрудников"
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["college", "name"], name="staff_group_name_unique_in_college")]

    def __str__(self) -> str:
        return self.name


class Discipline(models.Model):
    """A subject taught in the college: дисциплина, МДК, профессиональный модуль."""

    college = models.ForeignKey(
        "colleges.College", on_delete=models.CASCADE, related_name="disciplines", verbose_name="колледж"
    )
    name = models.CharField("название", max_length=300)
    code = models.CharField("индекс", max_length=30, blank=True)

    class Meta:
        verbose_name = "дисциплина"
        verbose_name_plural = "дисциплины"
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["college", "name"], name="discipline_name_unique_in_college")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}".strip()


class CuratorAssignment(models.Model):
    """A teacher as the curator of a group. At most one active per group (ended_at is null)."""

    college = models.ForeignKey("colleges.College", on_delete=models.CASCADE, related_name="+", verbose_name="колледж")
    group = models.ForeignKey(
        StudyGroup, on_delete=models.CASCADE, related_name="curator_assignments", verbose_name="учебная группа"
    )
    teacher = models.ForeignKey(
        "colleges.Membership", on_delete=models.CASCADE, related_name="curatorships", verbose_name="преподаватель"
    )
    started_at = models.DateField("с")
    ended_at = models.DateField("по", null=True, blank=True)
    created_at = models.DateTimeField("создано", auto_now_add=True)

    class Meta:
        verbose_name = "назначение куратора"
        verbose_name_plural = "назначения кураторов"
        constraints = [
            models.UniqueConstraint(
                fields=["group"], condition=Q(ended_at__isnull=True), name="one_active_curator_per_group"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.teacher.user} → {self.group}"


class SubjectTeacherAssignment(models.Model):
    """A teacher teaching a discipline to a group."""

    college = models.ForeignKey("colleges.College", on_delete=models.CASCADE, related_name="+", verbose_name="колледж")
    group = models.ForeignKey(
        StudyGroup, on_delete=models.CASCADE, related_name="subject_assignments", verbose_name="учебная группа"
    )
    teacher = models.ForeignKey(
        "colleges.Membership",
        on_delete=models.CASCADE,
        related_name="subject_assignments",
        verbose_name="преподаватель",
    )
    discipline = models.ForeignKey(
        Discipline, on_delete=models.PROTECT, related_name="assignments", verbose_name="дисциплина"
    )
    started_at = models.DateField("с")
    ended_at = models.DateField("по", null=True, blank=True)
    created_at = models.DateTimeField("создано", auto_now_add=True)

    class Meta:
        verbose_name = "преподаватель дисциплины"
        verbose_name_plural = "преподаватели дисциплин"
        constraints = [
            models.UniqueConstraint(
                fields=["group", "teacher", "discipline"],
                condition=Q(ended_at__isnull=True),
                name="one_active_subject_assignment",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.teacher.user}: {self.discipline} ({self.group})"


class Enrollment(models.Model):
    """A student in a study group over a period. History is appended to, never rewritten."""

    college = models.ForeignKey("colleges.College", on_delete=models.CASCADE, related_name="+", verbose_name="колледж")
    student = models.ForeignKey(
        "colleges.Membership", on_delete=models.CASCADE, related_name="enrollments", verbose_name="обучающийся"
    )
    # No index of its own: the (group, ended_at) index below leads with it.
    group = models.ForeignKey(
        StudyGroup, on_delete=models.PROTECT, related_name="enrollments", verbose_name="учебная группа", db_index=False
    )
    started_at = models.DateField("зачислен с")
    ended_at = models.DateField("по", null=True, blank=True)
    created_at = models.DateTimeField("создано", auto_now_add=True)

    class Meta:
        verbose_name = "зачисление в группу"
        verbose_name_plural = "зачисления в группы"
        ordering = ["-started_at", "-id"]
        constraints = [
            # A student studies in exactly one group at a time (seed §2.5).
            models.UniqueConstraint(
                fields=["student"], condition=Q(ended_at__isnull=True), name="one_active_enrollment_per_student"
            ),
        ]
        indexes = [models.Index(fields=["group", "ended_at"])]

    def __str__(self) -> str:
        return f"{self.student.user} в {self.group}"


class GroupParent(models.Model):
    """A parent of a study group: the group whose parent link the parent followed.

    A parent joins the college once (one membership) and may belong to several
    groups (a child in each); parent-addressed materials of a group reach its
    parents only.
    """

    college = models.ForeignKey("colleges.College", on_delete=models.CASCADE, related_name="+", verbose_name="колледж")
    parent = models.ForeignKey(
        "colleges.Membership", on_delete=models.CASCADE, related_name="parent_groups", verbose_name="родитель"
    )
    group = models.ForeignKey(StudyGroup, on_delete=models.CASCADE, related_name="parents", verbose_name="группа")
    created_at = models.DateTimeField("создано", auto_now_add=True)

    class Meta:
        verbose_name = "родитель группы"
        verbose_name_plural = "родители групп"
        constraints = [models.UniqueConstraint(fields=["parent", "group"], name="group_parent_unique")]
        indexes = [models.Index(fields=["group", "parent"])]

    def __str__(self) -> str:
        return f"{self.parent.user} — родитель группы {self.group}"


class Guardian(models.Model):
    """A parent (законный представитель) of one student, as the parent named them among their group's students.

    The parent claims; the group's curator or the student themself confirms or rejects. A student may have
    several guardians, a parent several children; one row per pair, its status changing with the decisions.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "ждёт подтверждения"
        CONFIRMED = "confirmed", "подтверждён"
        REJECTED = "rejected", "отклонён"

    college = models.ForeignKey("colleges.College", on_delete=models.CASCADE, related_name="+", verbose_name="колледж")
    parent = models.ForeignKey(
        "colleges.Membership", on_delete=models.CASCADE, related_name="wards", verbose_name="родитель"
    )
    student = models.ForeignKey(
        "colleges.Membership", on_delete=models.CASCADE, related_name="guardians", verbose_name="обучающийся"
    )
    # The group whose parent link brought the parent (the curator who decides is the student's current one).
    group = models.ForeignKey(
        StudyGroup, on_delete=models.CASCADE, related_name="guardians", verbose_name="группа", db_index=False
    )
    status = models.CharField("состояние", max_length=16, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name="решил"
    )
    decided_at = models.DateTimeField("решено", null=True, blank=True)
    created_at = models.DateTimeField("создано", auto_now_add=True)

    class Meta:
        verbose_name = "законный представитель"
        verbose_name_plural = "законные представители"
        constraints = [models.UniqueConstraint(fields=["parent", "student"], name="guardian_unique_pair")]
        indexes = [models.Index(fields=["group", "status"]), models.Index(fields=["student", "status"])]

    def __str__(self) -> str:
        return f"{self.parent_id} → {self.student_id} ({self.status})"
