"""Forms parse and check input; the services decide and write."""

from django import forms
from django.core.exceptions import ValidationError

from accounts.phones import normalize_phone
from colleges.files import validate_order_file
from colleges.models import HIREABLE_ROLES, TIME_ZONE_CHOICES, College, CollegeApplication, Department, Role
from colleges.services import APPLICATION_FIELDS, PROFILE_FIELDS
from core.dates import DateField

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _phone(value: str) -> str:
    return normalize_phone(value) if value else value


def _phone_field(label: str, *, required: bool, help_text: str = "") -> forms.CharField:
    """Wide enough for ``8 (912) 345-67-89``; cleaned to E.164, which fits the model's 16 characters."""
    return forms.CharField(
        label=label,
        max_length=32,
        required=required,
        help_text=help_text,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "placeholder": "+7 912 345-67-89"}),
    )


class CollegeApplicationForm(forms.ModelForm):
    website = forms.URLField(label="Сайт", required=False, assume_scheme="https")
    phone = _phone_field("Телефон колледжа", required=False)
    admin_phone = _phone_field(
        "Мобильный телефон администратора",
        required=True,
        help_text="С этим номером администратор будет входить на платформу.",
    )
    time_zone = forms.ChoiceField(label="Часовой пояс", choices=TIME_ZONE_CHOICES, initial="Europe/Moscow")
    order_date = DateField(label="Дата приказа", widget=DATE_WIDGET)
    order_file = forms.FileField(
        label="Скан приказа о назначении администратора",
        help_text="PDF, JPEG или PNG.",
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}),
    )

    class Meta:
        model = CollegeApplication
        fields = [*APPLICATION_FIELDS, "order_file"]
        widgets = {
            "inn": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            "ogrn": forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        }

    def clean_phone(self):
        return _phone(self.cleaned_data["phone"])

    def clean_admin_phone(self):
        return _phone(self.cleaned_data["admin_phone"])

    def clean_order_file(self):
        uploaded = self.cleaned_data["order_file"]
        validate_order_file(uploaded)
        return uploaded

    def validate_unique(self):
        # The service checks duplicate INNs against colleges and pending applications.
        pass


class RejectForm(forms.Form):
    reason = forms.CharField(
        label="Причина отказа", widget=forms.Textarea(attrs={"rows": 4}), max_length=2000, strip=True
    )


class CollegeProfileForm(forms.ModelForm):
    time_zone = forms.ChoiceField(label="Часовой пояс", choices=TIME_ZONE_CHOICES)
    phone = _phone_field("Телефон", required=False)
    website = forms.URLField(label="Сайт", required=False, assume_scheme="https")

    class Meta:
        model = College
        fields = list(PROFILE_FIELDS)

    def clean_phone(self):
        return _phone(self.cleaned_data["phone"])


class DepartmentForm(forms.ModelForm):
    class Meta:
        model = Department
        fields = ["name", "head_name"]
        help_texts = {"head_name": "Фамилия Имя Отчество заведующего отделением."}

    def validate_unique(self):
        # The service checks the name within the college (the form has no college).
        pass


class StaffAddForm(forms.Form):
    phone = forms.CharField(
        label="Мобильный телефон",
        max_length=32,
        widget=forms.TextInput(attrs={"type": "tel", "placeholder": "+7 912 345-67-89"}),
    )
    last_name = forms.CharField(label="Фамилия", max_length=100)
    first_name = forms.CharField(label="Имя", max_length=100)
    patronymic = forms.CharField(label="Отчество", max_length=100, required=False)
    role = forms.ChoiceField(
        label="Роль", choices=[(r.value, r.label) for r in Role if r in HIREABLE_ROLES], initial=Role.TEACHER
    )
    position = forms.CharField(
        label="Должность",
        max_length=200,
        required=False,
        help_text="Например: преподаватель, заместитель директора по УР.",
    )

    def clean_phone(self):
        return normalize_phone(self.cleaned_data["phone"])


class AdministratorAppointForm(forms.Form):
    membership = forms.ChoiceField(label="Сотрудник колледжа", required=False)
    phone = forms.CharField(
        label="или мобильный телефон нового сотрудника",
        max_length=32,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "placeholder": "+7 912 345-67-89"}),
    )
    last_name = forms.CharField(label="Фамилия", max_length=100, required=False)
    first_name = forms.CharField(label="Имя", max_length=100, required=False)
    patronymic = forms.CharField(label="Отчество", max_length=100, required=False)
    order_number = forms.CharField(label="Номер приказа", max_length=50)
    order_date = DateField(label="Дата приказа", widget=DATE_WIDGET)

    def __init__(self, *args, staff=(), **kwargs):
        super().__init__(*args, **kwargs)
        self._staff = {str(m.pk): m for m in staff}
        seen: set[int] = set()
        choices = [("", "— выберите сотрудника —")]
        for m in staff:
            if m.user_id in seen:
                continue
            seen.add(m.user_id)
            choices.append((str(m.pk), f"{m.user.full_name or m.user.phone_display} — {m.get_role_display()}"))
        self.fields["membership"].choices = choices

    def clean_phone(self):
        return _phone(self.cleaned_data["phone"])

    def clean(self):
        data = super().clean()
        chosen = data.get("membership")
        if chosen:
            data["membership"] = self._staff.get(chosen)
        else:
            data["membership"] = None
            if not data.get("phone") and "phone" not in self.errors:
                raise ValidationError("Выберите сотрудника из списка или укажите телефон, фамилию и имя нового.")
            for key, message in (("last_name", "Укажите фамилию."), ("first_name", "Укажите имя.")):
                if not data.get(key):
                    self.add_error(key, message)
        return data
