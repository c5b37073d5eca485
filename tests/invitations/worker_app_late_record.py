"""The killed-worker test's Celery app with kombu's window between taking a message from Redis (BRPOP)
and recording it as unacknowledged widened to 0.3 s: a SIGKILL that lands in it loses the message from
the broker, which otherwise happened once in CI, by chance. With it widened the kill lands in it in
practice every run (the sweep queued the dispatch again in each of the 3 runs that printed it; without
the sweep the one run tried never finished), so the sweep's recovery is exercised every time rather than
by chance."""

import time

from kombu.transport import virtual

from tests.invitations.worker_app import QUEUE, app

WINDOW_SECONDS = 0.3
_deliver = virtual.Transport._deliver


def _deliver_late(self, message, queue):
    time.sleep(WINDOW_SECONDS)
    return _deliver(self, message, queue)


virtual.Transport._deliver = _deliver_late

__all__ = ["QUEUE", "app"]
