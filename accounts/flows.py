"""Sign-in flows the accounts app offers to other apps, on top of allauth's."""

from allauth.account.internal.flows.login_by_code import LoginCodeVerificationProcess

from accounts.forms import RequestLoginCodeForm
from accounts.services import user_get_or_create_by_phone


def sign_in_code_send(request, *, form: RequestLoginCodeForm, create_account: bool = False) -> None:
    """Start allauth's sign-in by code for the phone of a valid ``form``; next comes ``account_confirm_login_code``.

    Without ``create_account`` this is the ordinary sign-in: a phone unknown here
    gets no SMS (and the same page). With it — a person who follows an invitation —
    a new phone gets an account with no name first and its code like anyone else,
    so the page and the SMS say nothing about whether the phone was known.
    """
    phone = form.cleaned_data["phone"]
    user = form._user
    if user is None and create_account:
        user = user_get_or_create_by_phone(phone=phone)
    LoginCodeVerificationProcess.initiate(request=request, user=user, phone=phone)
