from django import forms
from django.conf import settings

from core.files import human_size
from support.models import Ticket, Topic
from support.services import ATTACHMENTS_MAX, TEXT_MAX

# The browser stops a little past the limit, so the service's own message explains a paste that is too long.
_TEXT_ATTRS = {"rows": 5, "maxlength": TEXT_MAX * 2}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class AttachmentsField(forms.FileField):
    """Up to ``ATTACHMENTS_MAX`` files from one input; the service checks each by content."""

    def __init__(self, **kwargs):
        # «accept» makes a phone offer the gallery and the camera; it filters nothing (the content is checked).
        attrs = {"multiple": True, "accept": "image/png,image/jpeg,image/webp,application/pdf"}
        super().__init__(
            label="Прикрепить снимок экрана",
            required=False,
            widget=MultipleFileInput(attrs=attrs),
            help_text=f"До {ATTACHMENTS_MAX} файлов: снимок экрана или фото (PNG, JPEG, WebP) или PDF, "
            f"каждый не больше {human_size(settings.SUPPORT_ATTACHMENT_MAX_BYTES)}.",
            **kwargs,
        )

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data]
        return [super(AttachmentsField, self).clean(file, initial) for file in files if file]


class TicketForm(forms.Form):
    topic = forms.ChoiceField(
        label="Тема", choices=Topic.choices, error_messages={"required": "Выберите тему вопроса."}
    )
    text = forms.CharField(
        label="Вопрос",
        widget=forms.Textarea(attrs={**_TEXT_ATTRS, "placeholder": "Что вы делали, что увидели, на какой странице"}),
        error_messages={"required": "Напишите вопрос."},
        strip=True,
    )
    attachments = AttachmentsField()


class ReplyForm(forms.Form):
    text = forms.CharField(
        label="Ответ", widget=forms.Textarea(attrs=_TEXT_ATTRS), error_messages={"required": "Напишите ответ."}
    )
    attachments = AttachmentsField()


class TicketFilterForm(forms.Form):
    """The queue's filters; a bad value (a NUL byte, an unknown status) is dropped, never a 500."""

    status = forms.ChoiceField(label="Статус", choices=[("", "Все"), *Ticket.Status.choices], required=False)
    q = forms.CharField(label="Поиск", max_length=200, required=False)

    def values(self) -> tuple[str, str]:
        if not self.is_valid():
            return "", ""
        return self.cleaned_data["status"], self.cleaned_data["q"].strip()


class ArticleSearchForm(forms.Form):
    q = forms.CharField(label="Поиск", max_length=200, required=False)

    def query(self) -> str:
        return self.cleaned_data["q"].strip() if self.is_valid() else ""
