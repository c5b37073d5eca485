"""gunicorn in the web container: threaded workers (bench/invitations_rush.py measured 3 workers × 2
threads best on 2 cores), one JSON access-log line per request with the proxy's request id and the time
with its UTC offset."""

import datetime
import json
import os

from gunicorn.glogging import Logger

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
worker_class = "gthread"
workers = int(os.environ.get("WEB_WORKERS", "3"))
threads = int(os.environ.get("WEB_THREADS", "2"))
# The proxy buffers request bodies and answers slow clients; a request still running after this is stuck.
timeout = int(os.environ.get("WEB_TIMEOUT", "120"))
graceful_timeout = 20
keepalive = 5
accesslog = "-"
errorlog = "-"
forwarded_allow_ips = "*"
# No control socket (gunicornc): the process runs as a user with a read-only home.
control_socket_disable = True


class JsonAccessLogger(Logger):
    def access(self, resp, req, environ, request_time):
        if not self.cfg.accesslog:
            return
        headers = dict(req.headers)
        line = {
            "time": datetime.datetime.now().astimezone().isoformat(timespec="milliseconds"),
            "level": "INFO",
            "logger": "gunicorn.access",
            "request_id": headers.get("X-REQUEST-ID", ""),
            "method": req.method,
            "path": req.path,
            "status": int(str(resp.status).split()[0]),
            "bytes": getattr(resp, "sent", None),
            "duration_ms": round(request_time.total_seconds() * 1000, 1),
            "client": headers.get("X-REAL-IP") or environ.get("REMOTE_ADDR", ""),
            "user_agent": headers.get("USER-AGENT", ""),
        }
        self.access_log.info(json.dumps(line, ensure_ascii=False))


logger_class = JsonAccessLogger


def on_starting(server):
    """The system checks before any worker starts: production refuses to serve with a missing secret key,
    host, site address or a console e-mail/SMS backend (sferum_admin/checks.py), as `migrate` does."""
    import django
    from django.core.management import call_command

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sferum_admin.settings")
    django.setup()
    call_command("check", fail_level="ERROR")
