import datetime

from django import forms
from django.utils import timezone

from core.dates import DateTimeField
from core.pages import IdsChoiceField
from groups.models import Discipline, StudyGroup
from materials.models import Audience, Kind, Section
from materials.permissions import can_manage_all_materials, teacher_scope


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MaterialForm(forms.Form):
    """The upload page. Group and discipline choices are only what the person may post to."""

    kind = forms.ChoiceField(label="Тип материала", choices=Kind.choices, initial=Kind.DOCUMENT)
    title = forms.CharField(label="Название", max_length=200)
    description = forms.CharField(label="Описание", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    body = forms.CharField(label="Текст статьи", required=False, widget=forms.Textarea(attrs={"rows": 10}))
    url = forms.CharField(
        label="Ссылка",
        required=False,
        max_length=500,
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
        help_text="Для ссылки — адрес страницы; для видео — ссылка на видеосервис, если не загружаете файл.",
    )
    audience = forms.ChoiceField(label="Кому", choices=Audience.choices)
    groups = IdsChoiceField(
        label="Учебные группы", queryset=StudyGroup.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    discipline = forms.ModelChoiceField(
        label="Дисциплина", queryset=Discipline.objects.none(), required=False, empty_label="— не выбрана —"
    )
    files = forms.FileField(label="Файлы", required=False, widget=MultipleFileInput(attrs={"multiple": True}))
    publish_at = DateTimeField(
        label="Опубликовать с",
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%d.%m.%Y %H:%M"],
        help_text="Оставьте пустым, чтобы опубликовать сразу.",
    )

    def __init__(self, *args, user, college, section=Section.LEARNING, editing=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.section = section
        if can_manage_all_materials(user, college):
            self.fields["groups"].queryset = StudyGroup.objects.filter(
                college=college, status=StudyGroup.Status.ACTIVE
            ).order_by("name")
            self.fields["discipline"].queryset = Discipline.objects.filter(college=college).order_by("name")
        else:
            scope = teacher_scope(user, college)
            self.fields["groups"].queryset = StudyGroup.objects.filter(
                college=college, pk__in=scope.group_ids
            ).order_by("name")
            self.fields["discipline"].queryset = Discipline.objects.filter(
                college=college, pk__in={d for _, d in scope.subjects}
            ).order_by("name")
            allowed = [Audience.GROUPS]
            if scope.subjects:
                allowed.append(Audience.DISCIPLINE)
            if scope.curated:
                allowed.append(Audience.PARENTS)
            self.fields["audience"].choices = [(a.value, a.label) for a in allowed]
            self.fields["audience"].initial = Audience.DISCIPLINE if scope.subjects else Audience.GROUPS
        if section == Section.DOCUMENTS:
            self.fields["audience"].initial = Audience.COLLEGE
        if editing is not None:
            # The kind is fixed once created; files are replaced from the material page.
            del self.fields["kind"]
            del self.fields["publish_at"]

    def clean_publish_at(self):
        value = self.cleaned_data.get("publish_at")
        if value is not None and value < timezone.now() - datetime.timedelta(minutes=5):
            raise forms.ValidationError("Дата публикации уже прошла. Оставьте поле пустым, чтобы опубликовать сразу.")
        return value


class FileReplaceForm(forms.Form):
    file = forms.FileField(label="Новая версия файла")


class MaterialFilterForm(forms.Form):
    q = forms.CharField(
        label="Поиск", required=False, widget=forms.SearchInput(attrs={"placeholder": "Название или текст"})
    )
    kind = forms.ChoiceField(label="Тип", required=False, choices=[("", "Все типы"), *Kind.choices])
