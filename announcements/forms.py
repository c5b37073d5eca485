from django import forms

from announcements import selectors
from announcements.models import REASON_MAX, TEXT_MAX, TITLE_MAX, Audience
from announcements.permissions import can_manage_all_announcements
from core.dates import DateField
from core.pages import IdsChoiceField
from groups.models import StudyGroup


class AnnouncementForm(forms.Form):
    """The publish form. Audiences and groups offered are only what the person may publish to."""

    title = forms.CharField(label="Заголовок", max_length=TITLE_MAX)
    text = forms.CharField(
        label="Текст",
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Переносы строк сохранятся, ссылки станут кликабельными.",
    )
    audience = forms.ChoiceField(label="Кому", choices=Audience.choices, initial=Audience.COLLEGE)
    groups = IdsChoiceField(
        label="Учебные группы", queryset=StudyGroup.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    with_parents = forms.BooleanField(label="И родителям обучающихся этих групп", required=False)
    pinned_until = DateField(
        label="Закрепить до",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
        help_text="Необязательно: до этой даты объявление стоит первым в списке.",
    )

    def __init__(self, *args, user, college, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["groups"].queryset = selectors.publishable_groups(user=user, college=college)
        if not can_manage_all_announcements(user, college):
            self.fields["audience"].choices = [(Audience.GROUPS.value, Audience.GROUPS.label)]
            self.fields["audience"].initial = Audience.GROUPS


class AnnouncementWithdrawForm(forms.Form):
    reason = forms.CharField(
        label="Причина",
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Её увидят автор и администрация колледжа.",
    )


class AnnouncementFilterForm(forms.Form):
    q = forms.CharField(label="Поиск", required=False, max_length=200)
