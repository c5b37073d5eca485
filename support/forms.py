from django import forms

from support.models import Ticket, Topic
from support.services import TEXT_MAX

# The browser stops a little past the limit, so the service's own message explains a paste that is too long.
_TEXT_ATTRS = {"rows": 5, "maxlength": TEXT_MAX * 2}


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


class ReplyForm(forms.Form):
    text = forms.CharField(
        label="Ответ", widget=forms.Textarea(attrs=_TEXT_ATTRS), error_messages={"required": "Напишите ответ."}
    )


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
