import datetime

from django import forms
from django.utils import timezone

from colleges.models import Role
from groups.models import StudyGroup


class InvitationForm(forms.Form):
    role = forms.ChoiceField(label="Роль", choices=Role.choices)
    group = forms.ModelChoiceField(
        label="Учебная группа",
        queryset=StudyGroup.objects.none(),
        required=False,
        help_text="Для обучающихся и родителей.",
    )
    max_uses = forms.IntegerField(label="Не более присоединений", min_value=1, max_value=10000, initial=40)
    days = forms.IntegerField(label="Действует дней", min_value=1, max_value=365, initial=30)
    requires_approval = forms.BooleanField(label="Присоединение только после одобрения администратором", required=False)
    auto_approve_hours = forms.IntegerField(
        label="Без одобрения первые N часов (потом — на рассмотрение)", min_value=1, max_value=24 * 365, required=False
    )

    def __init__(self, *args, college, roles, groups=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(value, label) for value, label in Role.choices if value in roles]
        qs = StudyGroup.objects.filter(college=college, status=StudyGroup.Status.ACTIVE)
        if groups is not None:
            qs = qs.filter(pk__in=groups)
        self.fields["group"].queryset = qs.order_by("name")

    def service_kwargs(self) -> dict:
        data = self.cleaned_data
        now = timezone.now()
        return {
            "role": data["role"],
            "group": data["group"],
            "max_uses": data["max_uses"],
            "expires_at": now + datetime.timedelta(days=data["days"]),
            "requires_approval": data["requires_approval"],
            "auto_approve_until": (
                now + datetime.timedelta(hours=data["auto_approve_hours"]) if data.get("auto_approve_hours") else None
            ),
        }


class SendLinkForm(forms.Form):
    phone = forms.CharField(label="Телефон", max_length=30, widget=forms.TextInput(attrs={"inputmode": "tel"}))


class RejectForm(forms.Form):
    reason = forms.CharField(label="Причина отказа", max_length=500)


class BulkInvitationForm(forms.Form):
    role = forms.ChoiceField(label="Роль", choices=Role.choices, error_messages={"required": "Выберите роль."})
    group = forms.ModelChoiceField(label="Учебная группа", queryset=StudyGroup.objects.none(), required=False)
    days = forms.IntegerField(label="Действует дней", min_value=1, max_value=365, initial=14)
    text = forms.CharField(
        label="Список: ФИО; телефон или e-mail — по одному в строке",
        widget=forms.Textarea(attrs={"rows": 8, "placeholder": "Иванов Иван Иванович; 8 912 345-67-89"}),
        required=False,
    )
    file = forms.FileField(label="или файл CSV / XLSX", required=False)

    def __init__(self, *args, college, roles, **kwargs):
        super().__init__(*args, **kwargs)
        # No role is chosen in advance: a list of teachers sent as students is worse than one more click.
        self.fields["role"].choices = [("", "— выберите роль —")] + [
            (value, label) for value, label in Role.choices if value in roles
        ]
        self.fields["group"].queryset = StudyGroup.objects.filter(
            college=college, status=StudyGroup.Status.ACTIVE
        ).order_by("name")

    def clean(self):
        data = super().clean()
        if not data.get("text") and not data.get("file"):
            raise forms.ValidationError("Вставьте список или загрузите файл.")
        return data
