"""An SMS backend for tests whose gateway fails the first N attempts per phone, then delivers to the memory outbox."""

import threading

from notifications.backends import MemorySmsBackend, SmsDeliveryError


class FlakySmsBackend(MemorySmsBackend):
    failures_left: dict[str, int] = {}
    fail_times = 0
    _flaky_lock = threading.Lock()

    def send(self, phone: str, text: str) -> str:
        with self._flaky_lock:
            left = self.failures_left.setdefault(phone, self.fail_times)
            if left > 0:
                self.failures_left[phone] = left - 1
                raise SmsDeliveryError("шлюз ответил 503")
        return super().send(phone, text)
