import datetime

from django import forms

from colleges.models import Membership, Role
from core.dates import DateField
from groups.models import Discipline, StudyGroup
from movement.importers import check_upload_size
from movement.models import STAFF_KINDS, ExpelReason, MovementKind
from movement.selectors import current_enrollment, last_leave

DATE_INPUT_FORMATS = ["%d.%m.%Y", "%Y-%m-%d"]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _date_field(label: str, *, required: bool = True) -> forms.DateField:
    return DateField(label=label, required=required, input_formats=DATE_INPUT_FORMATS, widget=DateInput())


def kinds_for(person: Membership) -> set[str]:
    """The orders that make sense for the person's current state (the service re-checks on apply)."""
    if person.role != Role.STUDENT:
        if person.status == Membership.Status.LEFT:
            return set()
        return set(STAFF_KINDS - {MovementKind.HIRE})
    if person.status == Membership.Status.LEFT:
        return {MovementKind.REINSTATE}
    if current_enrollment(person) is not None:
        return {MovementKind.TRANSFER, MovementKind.ACADEMIC_LEAVE, MovementKind.EXPEL, MovementKind.GRADUATE}
    if last_leave(person) is not None:
        return {MovementKind.LEAVE_RETURN, MovementKind.EXPEL}
    return {MovementKind.ENROL, MovementKind.EXPEL}


# The fields each kind of order asks for, besides the kind, the order's number and dates and the comment.
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    MovementKind.ENROL: ("to_group",),
    MovementKind.TRANSFER: ("to_group",),
    MovementKind.ACADEMIC_LEAVE: ("planned_return_date",),
    MovementKind.LEAVE_RETURN: ("to_group",),
    MovementKind.EXPEL: ("expel_reason",),
    MovementKind.GRADUATE: (),
    MovementKind.REINSTATE: ("to_group",),
    MovementKind.DISMISS: (),
    MovementKind.CURATOR_ASSIGN: ("to_group",),
    MovementKind.CURATOR_UNASSIGN: ("to_group",),
    MovementKind.SUBJECT_ASSIGN: ("to_group", "discipline"),
    MovementKind.SUBJECT_UNASSIGN: ("to_group", "discipline"),
}
KIND_SPECIFIC_FIELDS = {name for names in KIND_FIELDS.values() for name in names}
# Destructive orders come last in the list, so a slip of the finger does not pick them.
KIND_ORDER = [
    MovementKind.TRANSFER,
    MovementKind.ACADEMIC_LEAVE,
    MovementKind.LEAVE_RETURN,
    MovementKind.ENROL,
    MovementKind.REINSTATE,
    MovementKind.GRADUATE,
    MovementKind.EXPEL,
    MovementKind.CURATOR_ASSIGN,
    MovementKind.CURATOR_UNASSIGN,
    MovementKind.SUBJECT_ASSIGN,
    MovementKind.SUBJECT_UNASSIGN,
    MovementKind.DISMISS,
]


class MovementForm(forms.Form):
    """One order for one person, entered from the person's card.

    Only the chosen kind's fields are shown (``field_kinds`` tells the template
    which); the values of the other kinds' fields are ignored. No kind is chosen
    in advance: the person picks one.
    """

    kind = forms.ChoiceField(label="Вид движения")
    to_group = forms.ModelChoiceField(label="Группа", queryset=StudyGroup.objects.none(), required=False)
    discipline = forms.ModelChoiceField(label="Дисциплина", queryset=Discipline.objects.none(), required=False)
    expel_reason = forms.ChoiceField(
        label="Причина отчисления", required=False, choices=[("", "—")] + list(ExpelReason.choices)
    )
    planned_return_date = _date_field("Плановая дата выхода из отпуска", required=False)
    order_number = forms.CharField(label="Номер приказа", max_length=50)
    order_date = _date_field("Дата приказа")
    effective_date = _date_field("Дата вступления в силу")
    reason = forms.CharField(label="Основание / комментарий", max_length=300, required=False)

    def __init__(self, *args, person: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = kinds_for(person)
        self.fields["kind"].choices = [("", "— выберите вид движения —")] + [
            (k.value, k.label) for k in KIND_ORDER if k in allowed
        ]
        self.fields["to_group"].queryset = StudyGroup.objects.filter(college_id=person.college_id).order_by("name")
        self.fields["discipline"].queryset = Discipline.objects.filter(college_id=person.college_id)
        today = datetime.date.today()
        self.fields["order_date"].initial = today
        self.fields["effective_date"].initial = today

    @property
    def chosen_kind(self) -> str:
        """The kind picked in the submitted data, else the one asked for in the link; "" when none is."""
        value = self.data.get("kind") if self.is_bound else self.initial.get("kind")
        allowed = {value for value, _ in self.fields["kind"].choices if value}
        return value if value in allowed else ""

    def field_kinds(self) -> list[tuple[forms.BoundField, str, bool]]:
        """Each field with the kinds it belongs to ("" for every kind) and whether it is hidden now."""
        chosen = self.chosen_kind
        rows = []
        for field in self:
            if field.name in KIND_SPECIFIC_FIELDS:
                kinds = " ".join(k for k, names in KIND_FIELDS.items() if field.name in names)
                rows.append((field, kinds, field.name not in KIND_FIELDS.get(chosen, ())))
            else:
                rows.append((field, "", False))
        return rows

    def clean(self):
        data = super().clean()
        wanted = KIND_FIELDS.get(data.get("kind", ""), ())
        for name in KIND_SPECIFIC_FIELDS - set(wanted):
            data[name] = None if name != "expel_reason" else ""
            self.errors.pop(name, None)
        return data

    def reason_value(self) -> str:
        data = self.cleaned_data
        if data["kind"] == MovementKind.EXPEL and data.get("expel_reason"):
            label = ExpelReason(data["expel_reason"]).label
            return f"{label}. {data['reason']}".strip(". ") if data.get("reason") else label
        return data.get("reason", "")


class EnrolForm(forms.Form):
    """Enrol one new student by an order (зачисление): found or created by the phone when applied."""

    last_name = forms.CharField(label="Фамилия", max_length=100)
    first_name = forms.CharField(label="Имя", max_length=100)
    patronymic = forms.CharField(label="Отчество", max_length=100, required=False)
    phone = forms.CharField(label="Мобильный телефон", max_length=32)
    to_group = forms.ModelChoiceField(label="Учебная группа", queryset=StudyGroup.objects.none())
    order_number = forms.CharField(label="Номер приказа", max_length=50)
    order_date = _date_field("Дата приказа")
    effective_date = _date_field("Дата зачисления")

    def __init__(self, *args, college, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_group"].queryset = StudyGroup.objects.filter(college=college).order_by("name")
        today = datetime.date.today()
        self.fields["order_date"].initial = today
        self.fields["effective_date"].initial = today


class HandoverForm(forms.Form):
    incoming = forms.ModelChoiceField(label="Новый куратор", queryset=Membership.objects.none())
    order_number = forms.CharField(label="Номер приказа", max_length=50)
    order_date = _date_field("Дата приказа")

    def __init__(self, *args, outgoing: Membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["incoming"].queryset = (
            Membership.objects.filter(college_id=outgoing.college_id, role=Role.TEACHER, status="active")
            .exclude(pk=outgoing.pk)
            .select_related("user")
            .order_by("user__last_name", "user__first_name")
        )
        self.fields["incoming"].label_from_instance = lambda m: m.user.full_name or m.user.phone
        self.fields["order_date"].initial = datetime.date.today()


class RosterDateForm(forms.Form):
    date = DateField(label="На дату", required=False, input_formats=DATE_INPUT_FORMATS, widget=DateInput())


class ImportUploadForm(forms.Form):
    file = forms.FileField(label="Файл контингента (CSV или XLSX)")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        check_upload_size(upload.size)  # before the file is read
        return upload

    order_number = forms.CharField(label="Номер приказа", max_length=50)
    order_date = _date_field("Дата приказа")
    effective_date = _date_field("Дата вступления в силу")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = datetime.date.today()
        self.fields["order_date"].initial = today
        self.fields["effective_date"].initial = today


class ImportApplyForm(forms.Form):
    include_expulsions = forms.BooleanField(label="Отчислить обучающихся, которых нет в файле", required=False)
    confirm_threshold = forms.BooleanField(label="Я понимаю, что из колледжа выбудет много обучающихся", required=False)


class RolloverForm(forms.Form):
    order_number = forms.CharField(label="Номер приказа", max_length=50)
    order_date = _date_field("Дата приказа")
    effective_date = _date_field("Дата перехода (обычно 1 сентября)")


class HireForm(forms.Form):
    last_name = forms.CharField(label="Фамилия", max_length=100)
    first_name = forms.CharField(label="Имя", max_length=100)
    patronymic = forms.CharField(label="Отчество", max_length=100, required=False)
    phone = forms.CharField(label="Мобильный телефон", max_length=32)
    role = forms.ChoiceField(
        label="Роль",
        choices=[(Role.TEACHER.value, Role.TEACHER.label), (Role.ADMINISTRATION.value, Role.ADMINISTRATION.label)],
    )
    position = forms.CharField(label="Должность", max_length=200, required=False)
    order_number = forms.CharField(label="Номер приказа", max_length=50)
    order_date = _date_field("Дата приказа")
    effective_date = _date_field("Дата приёма")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = datetime.date.today()
        self.fields["order_date"].initial = today
        self.fields["effective_date"].initial = today
