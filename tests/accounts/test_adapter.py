import pytest
from allauth.account.adapter import get_adapter
from allauth.mfa.adapter import get_adapter as get_mfa_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.forms import DeactivateTOTPForm
from django import forms

from accounts.adapter import AccountAdapter, MfaAdapter
from accounts.phones import INVALID_PHONE_MESSAGE
from colleges.models import Role
from notifications.models import Message
from tests import factories
from tests.conftest import add_totp

pytestmark = pytest.mark.django_db


def test_project_adapters_are_in_use():
    assert isinstance(get_adapter(), AccountAdapter)
    assert isinstance(get_mfa_adapter(), MfaAdapter)
    assert get_adapter()._has_phone_impl


def test_set_phone_stores_number_and_verified_flag():
    user = factories.UserFactory(phone="+79990000001", phone_verified=True)

    get_adapter().set_phone(user, "+79990000002", False)

    user.refresh_from_db()
    assert (user.phone, user.phone_verified) == ("+79990000002", False)


def test_get_phone_returns_number_and_verified_flag():
    user = factories.UserFactory(phone="+79990000003", phone_verified=False)

    assert get_adapter().get_phone(user) == ("+79990000003", False)


def test_get_phone_of_user_without_phone_is_none():
    user = factories.UserFactory.build(phone="")

    assert get_adapter().get_phone(user) is None


def test_set_phone_verified_marks_the_number_verified():
    user = factories.UserFactory(phone="+79990000004", phone_verified=False)

    get_adapter().set_phone_verified(user, "+79990000004")

    user.refresh_from_db()
    assert (user.phone, user.phone_verified) == ("+79990000004", True)


def test_set_phone_verified_with_a_new_number_replaces_the_phone():
    user = factories.UserFactory(phone="+79990000014", phone_verified=True)

    get_adapter().set_phone_verified(user, "+79990000015")

    user.refresh_from_db()
    assert (user.phone, user.phone_verified) == ("+79990000015", True)


def test_get_user_by_phone_finds_by_e164():
    user = factories.UserFactory(phone="+79990000006")

    assert get_adapter().get_user_by_phone("+79990000006") == user
    assert get_adapter().get_user_by_phone("+79990000007") is None


def test_send_verification_code_sms_goes_through_notifications_with_code_masked(sms_outbox):
    user = factories.UserFactory(phone="+79990000008")

    get_adapter().send_verification_code_sms(user, "+79990000008", "482913")

    assert [m["phone"] for m in sms_outbox] == ["+79990000008"]
    assert "482913" in sms_outbox[0]["text"]
    message = Message.objects.get()
    assert "482913" not in message.body
    assert message.context["code"] == "***"


def test_phone_form_field_normalises_and_explains_errors_in_russian():
    field = get_adapter().phone_form_field(required=True)

    assert field.clean("8 (999) 123-45-67") == "+79991234567"
    with pytest.raises(forms.ValidationError) as exc:
        field.clean("12345")
    assert exc.value.messages == [INVALID_PHONE_MESSAGE]


def test_clean_phone_raises_form_error_in_russian():
    with pytest.raises(forms.ValidationError) as exc:
        get_adapter().clean_phone("abc")

    assert exc.value.messages == [INVALID_PHONE_MESSAGE]


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.ADMINISTRATION])
def test_roles_that_require_totp_cannot_deactivate_it(role):
    user = factories.MembershipFactory(role=role).user
    add_totp(user)
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)

    form = DeactivateTOTPForm(data={}, authenticator=authenticator)

    assert not form.is_valid()
    assert "отключить её нельзя" in str(form.errors)


def test_teacher_may_deactivate_totp():
    user = factories.MembershipFactory(role=Role.TEACHER).user
    add_totp(user)
    authenticator = Authenticator.objects.get(user=user, type=Authenticator.Type.TOTP)

    form = DeactivateTOTPForm(data={}, authenticator=authenticator)

    assert form.is_valid()


def test_gateway_failure_shows_a_russian_message_instead_of_an_error(client, settings):
    from accounts.adapter import SMS_NOT_SENT_MESSAGE

    settings.SMS_BACKEND = "tests.accounts.test_adapter.FailingSmsBackend"
    factories.UserFactory(phone="+79991234567")

    response = client.post("/accounts/login/code/", {"phone": "89991234567"}, follow=True)

    assert response.status_code == 200
    assert SMS_NOT_SENT_MESSAGE in response.content.decode()


class FailingSmsBackend:
    def send(self, phone, text):
        from notifications.backends import SmsDeliveryError

        raise SmsDeliveryError("gateway down", retryable=True)
