"""The form that makes a named API key on the profile page."""

from django import forms
from django.utils.translation import gettext_lazy as _


def _lifetime_label(days: int) -> str:
    return _("1 год") if days == 365 else _("%(days)s дней") % {"days": days}


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Название"),
        max_length=100,
        help_text=_("Для какой программы ключ: например, «Электронный журнал» или «1С: Колледж»."),
    )
    college = forms.TypedChoiceField(label=_("Колледж, в котором работает ключ"), coerce=int)
    lifetime_days = forms.TypedChoiceField(label=_("Срок действия"), coerce=int)

    def __init__(self, *args, colleges: list, lifetimes: tuple[int, ...], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._colleges = {college.pk: college for college in colleges}
        if colleges:
            self.fields["college"].choices = [(college.pk, college.short_name) for college in colleges]
            self.fields["college"].initial = colleges[0].pk
        else:
            # A person with no college (platform staff): the key acts in no college.
            del self.fields["college"]
        self.fields["lifetime_days"].choices = [(days, _lifetime_label(days)) for days in lifetimes]
        self.fields["lifetime_days"].initial = lifetimes[0]

    def clean_college(self):
        return self._colleges[self.cleaned_data["college"]]
