import json

import pytest

from notifications.backends import (
    ConsoleSmsBackend,
    FileSmsBackend,
    HttpGatewaySmsBackend,
    MemorySmsBackend,
    SmsDeliveryError,
    get_sms_backend,
)


def test_console_backend_prints_the_message_for_the_developer(capsys):
    message_id = ConsoleSmsBackend().send("+79161234567", "Код: 1234")

    assert "+79161234567" in capsys.readouterr().out
    assert message_id.startswith("console-")


def test_file_backend_appends_one_json_line_per_message(settings, tmp_path):
    settings.SMS_FILE_PATH = str(tmp_path / "var" / "sms.log")
    backend = FileSmsBackend()

    first = backend.send("+79161234567", "Первое")
    backend.send("+79161234568", "Второе")

    lines = (tmp_path / "var" / "sms.log").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["text"] for line in lines] == ["Первое", "Второе"]
    assert json.loads(lines[0])["id"] == first


def test_memory_backend_keeps_messages_in_the_outbox(sms_outbox):
    MemorySmsBackend().send("+79161234567", "Привет")

    assert sms_outbox == [{"id": sms_outbox[0]["id"], "phone": "+79161234567", "text": "Привет"}]


def test_settings_choose_the_backend(settings):
    settings.SMS_BACKEND = "notifications.backends.FileSmsBackend"

    assert isinstance(get_sms_backend(), FileSmsBackend)


def test_gateway_posts_json_with_bearer_token_and_returns_provider_id(gateway):
    message_id = HttpGatewaySmsBackend().send("+79161234567", "Текст")

    assert message_id == "gw-1"
    assert gateway.requests == [
        {"json": {"to": "+79161234567", "text": "Текст", "sender": "Sferum"}, "auth": "Bearer gateway-token"}
    ]


@pytest.mark.parametrize("status", [500, 502, 503, 429])
def test_gateway_server_errors_are_retryable(gateway, status):
    gateway.statuses = [status]

    with pytest.raises(SmsDeliveryError) as caught:
        HttpGatewaySmsBackend().send("+79161234567", "Текст")

    assert caught.value.retryable is True


@pytest.mark.parametrize("status", [400, 401, 404, 422])
def test_gateway_client_errors_are_not_retryable(gateway, status):
    gateway.statuses = [status]

    with pytest.raises(SmsDeliveryError) as caught:
        HttpGatewaySmsBackend().send("+79161234567", "Текст")

    assert caught.value.retryable is False


def test_refused_connection_is_retryable(settings, refused_url):
    settings.SMS_GATEWAY_URL = refused_url

    with pytest.raises(SmsDeliveryError) as caught:
        HttpGatewaySmsBackend().send("+79161234567", "Текст")

    assert caught.value.retryable is True


def test_gateway_without_url_is_a_configuration_error_not_retried(settings):
    settings.SMS_GATEWAY_URL = ""

    with pytest.raises(SmsDeliveryError) as caught:
        HttpGatewaySmsBackend().send("+79161234567", "Текст")

    assert caught.value.retryable is False
