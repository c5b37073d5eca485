from django import forms

from broadcasts import selectors
from broadcasts.models import DURATION_MAX, DURATION_MIN, Audience, Kind
from broadcasts.permissions import TEACHER_KINDS, can_manage_all_sessions
from colleges.models import Membership
from core.dates import DateTimeField
from core.pages import IdsChoiceField
from groups.models import StudyGroup


class HostChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Membership) -> str:
        return f"{obj.user.full_name} ({obj.get_role_display()})"


class SessionForm(forms.Form):
    """The planning page. Kinds, groups and hosts offered are only what the person may plan."""

    kind = forms.ChoiceField(label="Вид", choices=Kind.choices, initial=Kind.LESSON)
    title = forms.CharField(label="Тема", max_length=200)
    description = forms.CharField(label="Описание", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    starts_at = DateTimeField(
        label="Начало",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%d.%m.%Y %H:%M", "%Y-%m-%d %H:%M"],
        help_text="Дата и время по времени колледжа, например 15.09.2026 10:30.",
    )
    duration_minutes = forms.IntegerField(
        label="Длительность, минут", min_value=DURATION_MIN, max_value=DURATION_MAX, initial=45
    )
    audience = forms.ChoiceField(label="Для кого", choices=Audience.choices, initial=Audience.GROUPS)
    groups = IdsChoiceField(
        label="Учебные группы", queryset=StudyGroup.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    host = HostChoiceField(label="Ведущий", queryset=Membership.objects.none(), required=False, empty_label=None)

    def __init__(self, *args, user, college, editing=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["groups"].queryset = selectors.plannable_groups(user=user, college=college)
        if can_manage_all_sessions(user, college):
            self.fields["host"].queryset = selectors.host_choices(user=user, college=college)
            self.fields["host"].empty_label = "— я —"
        else:
            del self.fields["host"]
            self.fields["kind"].choices = [(kind.value, kind.label) for kind in TEACHER_KINDS]
            self.fields["audience"].choices = [(Audience.GROUPS.value, Audience.GROUPS.label)]
        if editing is not None:
            del self.fields["kind"]  # the kind stays as planned
            if "host" in self.fields:
                # The current host is preselected; «— я —» would read as «make me the host».
                self.fields["host"].empty_label = None
                self.fields["host"].required = True


class SessionCancelForm(forms.Form):
    reason = forms.CharField(
        label="Причина отмены",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Её увидят все, кого приглашали.",
    )


class SessionHeldForm(forms.Form):
    recording_url = forms.CharField(
        label="Ссылка на запись",
        required=False,
        max_length=500,
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
        help_text="Необязательно: запись можно добавить позже.",
    )


class SessionFilterForm(forms.Form):
    q = forms.CharField(label="Поиск", required=False, max_length=200)
    kind = forms.ChoiceField(label="Вид", required=False, choices=[("", "Все виды"), *Kind.choices])
