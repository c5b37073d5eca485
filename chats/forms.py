"""Forms of the chat pages: they read what was typed; the services decide and say what is wrong."""

import datetime

from django import forms
from django.utils import timezone

from chats.models import ChatKind, ChatMember
from chats.permissions import MUTE_INDEFINITE
from chats.services.messages import MAX_TEXT
from chats.services.moderation import MAX_REASON

SEARCH_MAX = 200


class SearchForm(forms.Form):
    q = forms.CharField(label="Поиск", required=False, max_length=SEARCH_MAX, strip=True)


class ComposerForm(forms.Form):
    # Length and emptiness are the service's to judge (its sentences); the form only bounds what it reads.
    # Files are read by the view (``attachments``, several) and checked by the service.
    text = forms.CharField(label="Сообщение", required=False, strip=False, widget=forms.Textarea(attrs={"rows": 2}))


class EditForm(forms.Form):
    text = forms.CharField(label="Текст", required=False, strip=False, widget=forms.Textarea(attrs={"rows": 4}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label="Причина", required=False, max_length=MAX_REASON * 2)


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label="Решение",
        choices=[("uphold", "Удалить сообщение"), ("dismiss", "Отклонить жалобу")],
        widget=forms.RadioSelect,
        error_messages={"required": "Выберите решение.", "invalid_choice": "Выберите решение."},
    )
    outcome = forms.CharField(
        label="Что сообщить автору жалобы",
        required=False,
        max_length=MAX_REASON * 2,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


MUTE_PERIODS = {
    "hour": ("1 час", datetime.timedelta(hours=1)),
    "day": ("1 день", datetime.timedelta(days=1)),
    "week": ("1 неделя", datetime.timedelta(weeks=1)),
    "forever": ("до отмены", MUTE_INDEFINITE),
}


class MuteForm(forms.Form):
    period = forms.ChoiceField(
        label="Запретить писать на",
        choices=[(key, label) for key, (label, _) in MUTE_PERIODS.items()],
        error_messages={"required": "Выберите срок.", "invalid_choice": "Выберите срок из списка."},
    )

    def until(self) -> datetime.datetime:
        return timezone.now() + MUTE_PERIODS[self.cleaned_data["period"]][1]


class RoleForm(forms.Form):
    role = forms.ChoiceField(
        label="Роль",
        choices=ChatMember.Role.choices,
        error_messages={"required": "Выберите роль.", "invalid_choice": "Такой роли нет."},
    )


class ChatSettingsForm(forms.Form):
    title = forms.CharField(label="Название", max_length=200, required=False)
    history_visible = forms.BooleanField(label="Новые участники видят историю сообщений", required=False)


class ChatCreateForm(forms.Form):
    """The kinds offered are those the viewer may create (``permissions.can_create_chat`` and
    ``can_create_group_chat``); the service checks again."""

    kind = forms.ChoiceField(
        label="Вид чата",
        error_messages={"required": "Выберите вид чата.", "invalid_choice": "Такой чат создать нельзя."},
    )
    title = forms.CharField(label="Название", max_length=200, required=False)
    study_group = forms.TypedChoiceField(label="Группа", required=False, coerce=int, empty_value=None)
    discipline = forms.TypedChoiceField(label="Дисциплина", required=False, coerce=int, empty_value=None)

    def __init__(self, *args, kinds, groups, disciplines, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(kind, ChatKind(kind).label) for kind in kinds]
        self.fields["study_group"].choices = [("", "—")] + [(g.pk, g.name) for g in groups]
        self.fields["discipline"].choices = [("", "—")] + [(d.pk, d.name) for d in disciplines]
        self.fields["study_group"].error_messages["invalid_choice"] = "Выберите группу из списка."
        self.fields["discipline"].error_messages["invalid_choice"] = "Выберите дисциплину из списка."


__all__ = [
    "MAX_TEXT",
    "ChatCreateForm",
    "ChatSettingsForm",
    "ComposerForm",
    "DecideForm",
    "EditForm",
    "MuteForm",
    "ReasonForm",
    "RoleForm",
    "SearchForm",
]
