"""Forms of the groups app: they parse and validate input; services do the writes."""

from django import forms

from groups import selectors
from groups.models import FormOfStudy, StudyGroup


def _member_label(membership) -> str:
    return membership.user.full_name or membership.user.phone_display


class MembershipChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return _member_label(obj)


class StudyGroupForm(forms.Form):
    name = forms.CharField(label="Название", max_length=50, help_text="Например, «ИС-21».")
    department = forms.ModelChoiceField(label="Отделение", queryset=None, empty_label="— выберите отделение —")
    specialty_code = forms.CharField(label="Код специальности", max_length=20, required=False)
    specialty_name = forms.CharField(label="Специальность / профессия", max_length=300, required=False)
    course = forms.TypedChoiceField(label="Курс", choices=[(n, n) for n in range(1, 7)], coerce=int, initial=1)
    admission_year = forms.IntegerField(label="Год набора", min_value=1990, max_value=2100)
    form_of_study = forms.ChoiceField(
        label="Форма обучения", choices=FormOfStudy.choices, initial=FormOfStudy.FULL_TIME
    )
    status = forms.ChoiceField(label="Статус", choices=StudyGroup.Status.choices, initial=StudyGroup.Status.ACTIVE)

    def __init__(self, *args, college, **kwargs):
        super().__init__(*args, **kwargs)
        # Only this college's departments: another college's id is «not one of the choices».
        self.fields["department"].queryset = selectors.department_choices(college=college)
        self.fields["department"].error_messages["invalid_choice"] = "Выберите отделение этого колледжа."

    @classmethod
    def initial_for(cls, group: StudyGroup) -> dict:
        return {
            "name": group.name,
            "department": group.department_id,
            "specialty_code": group.specialty_code,
            "specialty_name": group.specialty_name,
            "course": group.course,
            "admission_year": group.admission_year,
            "form_of_study": group.form_of_study,
            "status": group.status,
        }


class StudyGroupInlineForm(forms.Form):
    """The fields edited in place in the list: name, course, status."""

    name = forms.CharField(label="Название", max_length=50)
    course = forms.TypedChoiceField(label="Курс", choices=[(n, n) for n in range(1, 7)], coerce=int)
    status = forms.ChoiceField(label="Статус", choices=StudyGroup.Status.choices)


class StudyGroupFilterForm(forms.Form):
    q = forms.CharField(label="Поиск", required=False)
    # Choices as (id, name) pairs read in one plain query: a ModelChoiceField would walk its
    # queryset through a server-side cursor (three round trips) on every first view after a change.
    department = forms.TypedChoiceField(
        label="Отделение",
        choices=(),
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.Select(attrs={"aria-label": "Отделение"}),
    )
    course = forms.TypedChoiceField(
        label="Курс",
        choices=[("", "Все курсы")] + [(n, f"{n} курс") for n in range(1, 7)],
        coerce=int,
        required=False,
        widget=forms.Select(attrs={"aria-label": "Курс"}),
    )
    status = forms.ChoiceField(
        label="Статус",
        choices=[("", "Все статусы"), *StudyGroup.Status.choices],
        required=False,
        widget=forms.Select(attrs={"aria-label": "Статус"}),
    )

    attention = forms.ChoiceField(
        label="Требует внимания",
        choices=[("", "—"), ("no_curator", "Без куратора"), ("no_students", "Без обучающихся")],
        required=False,
    )

    def __init__(self, *args, college, **kwargs):
        super().__init__(*args, **kwargs)
        departments = selectors.department_choices(college=college).values_list("pk", "name")
        self.fields["department"].choices = [("", "Все отделения"), *departments]

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "search": data.get("q") or "",
            "department_id": data.get("department"),
            "course": data.get("course") or None,
            "status": data.get("status") or None,
            "attention": data.get("attention") or None,
        }


class CuratorAssignForm(forms.Form):
    teacher = MembershipChoiceField(label="Куратор", queryset=None, empty_label="— выберите преподавателя —")

    def __init__(self, *args, college, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teacher"].queryset = selectors.teacher_choices(college=college)
        self.fields["teacher"].error_messages["invalid_choice"] = "Выберите преподавателя этого колледжа."


class SubjectAssignForm(forms.Form):
    discipline = forms.ModelChoiceField(label="Дисциплина", queryset=None, empty_label="— выберите дисциплину —")
    teacher = MembershipChoiceField(label="Преподаватель", queryset=None, empty_label="— выберите преподавателя —")

    def __init__(self, *args, college, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["discipline"].queryset = selectors.discipline_list(college=college)
        self.fields["teacher"].queryset = selectors.teacher_choices(college=college)
        self.fields["discipline"].error_messages["invalid_choice"] = "Выберите дисциплину этого колледжа."
        self.fields["teacher"].error_messages["invalid_choice"] = "Выберите преподавателя этого колледжа."


class StaffGroupForm(forms.Form):
    name = forms.CharField(label="Название", max_length=200, help_text="Например, «Педагогический состав».")
    description = forms.CharField(label="Описание", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class StaffGroupMemberForm(forms.Form):
    member = MembershipChoiceField(label="Сотрудник", queryset=None, empty_label="— выберите сотрудника —")

    def __init__(self, *args, college, exclude_ids=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = selectors.staff_choices(college=college).exclude(pk__in=list(exclude_ids))
        self.fields["member"].error_messages["invalid_choice"] = "Выберите сотрудника этого колледжа."


class DisciplineForm(forms.Form):
    name = forms.CharField(label="Название", max_length=300, help_text="Дисциплина, МДК или профессиональный модуль.")
    code = forms.CharField(
        label="Индекс", max_length=30, required=False, help_text="Например, «ОП.01» или «МДК.01.01»."
    )
