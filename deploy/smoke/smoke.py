"""The compose smoke test (`make compose-smoke`): the production stack of docker-compose.yml brought up
for real, used through its proxy over HTTPS, broken in the ways production breaks, and taken down.

Steps, each timed: build the images; up and wait for every service to be healthy; check the migrations
ran once; sign in as the demo administrator (phone, SMS code read from the fake gateway, TOTP); create
a bulk invitation and see its SMS sent by the worker through the gateway; upload a material file and
download it again after the web container is recreated; stop the worker, queue a dispatch, restart
Redis, start the worker and see the SMS delivered; back up, change, restore and see the change undone;
run two web replicas and two workers (docker-compose.scale.yml) and use them; down. WebSockets: the
echo of /ws/ping/ and of the administrator's /ws/colleges/<id>/ping/ (the session web signed in) through
nginx over HTTPS to the asgi service; with two asgi replicas, a broadcast reaches sockets on both.

Bases of the images come from the environment (PYTHON_IMAGE, NGINX_IMAGE, POSTGRES_IMAGE, REDIS_IMAGE),
the official images when unset. Needs docker, docker-compose, openssl, `requests` and `aiohttp`.
"""

import asyncio
import base64
import hashlib
import hmac
import json
import os
import re
import secrets
import ssl
import struct
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import aiohttp
import requests
import urllib3.util.connection

ROOT = Path(__file__).resolve().parents[2]
DOCKER = os.environ.get("DOCKER", "/usr/bin/docker")
COMPOSE = os.environ.get("DOCKER_COMPOSE", "docker-compose")
PROJECT = os.environ.get("SMOKE_PROJECT", "sferumsmoke")
HTTPS_PORT = int(os.environ.get("SMOKE_HTTPS_PORT", "18443"))
SMS_PORT = int(os.environ.get("SMOKE_SMS_PORT", "18025"))
# A public-looking name (production refuses a local SITE_URL), resolved to 127.0.0.1 by this script alone.
HOST = "sferum.test"
BASE = f"https://{HOST}:{HTTPS_PORT}"
SMS = f"http://127.0.0.1:{SMS_PORT}"
# The college administrator deploy/smoke/make_admin.py makes, and their TOTP secret (base32).
ADMIN_PHONE = "+79990000001"
TOTP_SECRET = base64.b32encode(secrets.token_bytes(20)).decode()
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%" + secrets.token_hex(32).encode() + b"\ntrailer\n%%EOF\n"

timings: list[tuple[str, float]] = []

_create_connection = urllib3.util.connection.create_connection


def _connect_host_to_loopback(address, *args, **kwargs):
    host, port = address
    return _create_connection(("127.0.0.1" if host == HOST else host, port), *args, **kwargs)


urllib3.util.connection.create_connection = _connect_host_to_loopback


@contextmanager
def step(name: str):
    print(f"==> {name}", flush=True)
    started = time.monotonic()
    outcome = "FAILED "
    try:
        yield
        outcome = ""
    finally:
        took = time.monotonic() - started
        timings.append((outcome + name, took))
        print(f"    {outcome}{name}: {took:.1f} s", flush=True)


def run(*args, check=True, capture=False, input=None, env=None) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(
            [str(a) for a in args],
            check=check,
            text=input is None or isinstance(input, str),
            input=input,
            stdout=subprocess.PIPE if capture else None,
            stderr=subprocess.STDOUT if capture else None,
            env=env,
            cwd=ROOT,
        )
    except subprocess.CalledProcessError as exc:
        if exc.stdout:
            print(exc.stdout if isinstance(exc.stdout, str) else exc.stdout.decode(errors="replace"))
        raise


class Stack:
    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.env_file = workdir / "smoke.env"
        self.files = ["docker-compose.yml", "deploy/smoke/docker-compose.smoke.yml"]

    def compose(self, *args, scale=False, **kwargs):
        files = self.files + (["docker-compose.scale.yml"] if scale else [])
        command = [COMPOSE, "-p", PROJECT, "--env-file", self.env_file]
        for file in files:
            command += ["-f", file]
        env = {**os.environ, "SFERUM_ENV_FILE": str(self.env_file)}
        return run(*command, *args, env=env, **kwargs)

    def output(self, *args, **kwargs) -> str:
        return self.compose(*args, capture=True, **kwargs).stdout

    def containers(self) -> list[dict]:
        ids = self.output("ps", "-a", "-q").split()
        if not ids:
            return []
        raw = run(DOCKER, "inspect", *ids, capture=True).stdout
        return json.loads(raw)

    def wait_healthy(self, timeout=240, expect: dict[str, int] | None = None, stopped: tuple[str, ...] = ()):
        deadline = time.monotonic() + timeout
        while True:
            states, pending = {}, []
            for c in self.containers():
                service = service_of(c)
                status = c["State"]["Status"]
                health = (c["State"].get("Health") or {}).get("Status")
                if service in stopped:
                    continue
                if service == "migrate":
                    if status == "exited" and c["State"]["ExitCode"] != 0:
                        raise SystemExit("migrate failed:\n" + self.output("logs", "migrate"))
                    continue
                states.setdefault(service, 0)
                if status == "running" and health in (None, "healthy"):
                    states[service] += 1
                else:
                    pending.append(f"{c['Name']}:{status}/{health}")
            counts_ok = all(states.get(s, 0) >= n for s, n in (expect or {}).items())
            if not pending and states and counts_ok:
                return states
            if time.monotonic() > deadline:
                self.compose("ps", check=False)
                self.compose("logs", "--tail=40", check=False)
                raise SystemExit(f"not healthy after {timeout} s: {pending} {states}")
            time.sleep(2)


def service_of(container: dict) -> str:
    return container["Config"]["Labels"].get("com.docker.compose.service", "")


def totp(secret: str) -> str:
    key = base64.b32decode(secret)
    digest = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return f"{(struct.unpack('>I', digest[offset : offset + 4])[0] & 0x7FFFFFFF) % 1_000_000:06d}"


def sms_to(phone: str) -> list[str]:
    answer = requests.get(f"{SMS}/messages", timeout=5, proxies={"http": None})
    return [m["text"] for m in answer.json() if m["to"] == phone]


def wait_sms(phone: str, *, after: int = 0, timeout: float = 60) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        texts = sms_to(phone)
        if len(texts) > after:
            return texts[-1]
        time.sleep(0.5)
    raise SystemExit(f"no SMS to {phone} within {timeout} s")


def wait_until(probe, what: str, timeout: float = 120):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = probe()
            if last:
                return last
        except requests.RequestException as exc:
            last = exc
        time.sleep(1)
    raise SystemExit(f"{what}: not within {timeout} s (last: {last!r})")


class Browser:
    """A session through the proxy over HTTPS, trusting the smoke test's self-signed certificate."""

    def __init__(self, cert: Path):
        self.http = requests.Session()
        # Not REQUESTS_CA_BUNDLE from the environment, which requests would prefer to `verify`.
        self.http.trust_env = False
        self.http.verify = str(cert)

    def _headers(self):
        return {"X-CSRFToken": self.http.cookies.get("csrftoken", ""), "Referer": f"{BASE}/", "Origin": BASE}

    def get(self, path, **kwargs):
        return self.http.get(BASE + path, timeout=30, **kwargs)

    def post(self, url, **kwargs):
        url = url if url.startswith("http") else BASE + url
        return self.http.post(url, headers=self._headers(), timeout=60, **kwargs)

    def form(self, url, data):
        page = self.http.get(url if url.startswith("http") else BASE + url, timeout=30)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        return self.post(page.url, data={"csrfmiddlewaretoken": token.group(1) if token else "", **data})

    def sign_in(self, phone: str, totp_secret: str) -> None:
        before = len(sms_to(phone))
        page = self.form("/accounts/login/code/", {"phone": phone})
        page.raise_for_status()
        code = re.search(r"\b(\d{6})\b", wait_sms(phone, after=before)).group(1)
        page = self.form(page.url, {"code": code})
        page.raise_for_status()
        if "/2fa/" not in page.url:
            raise SystemExit(f"the administrator was not asked for TOTP: {page.url}")
        page = self.form(page.url, {"code": totp(totp_secret)})
        page.raise_for_status()
        if "/accounts/login" in page.url or "/2fa/" in page.url:
            raise SystemExit(f"sign-in stopped at {page.url}")
        me = self.get("/api/v1/me/")
        if me.status_code == 404:  # no such endpoint: the home page answering without a redirect will do
            me = self.get("/", allow_redirects=False)
        if me.status_code != 200:
            raise SystemExit(f"not signed in: {me.status_code} {me.url}")
        # The college API names its college in the URL: the administrator's one college.
        colleges = self.get("/api/v1/colleges/").json()
        if isinstance(colleges, dict):  # a paginated list
            colleges = colleges["results"]
        self.college_api = f"/api/v1/colleges/{colleges[0]['id']}"

    def dispatch(self, phone: str) -> int:
        answer = self.post(
            f"{self.college_api}/invitation-dispatches/",
            json={"role": "teacher", "days": 7, "recipients": [{"name": "Смоук Тест", "contact": phone}]},
        )
        if answer.status_code != 201:
            raise SystemExit(f"dispatch: {answer.status_code} {answer.text[:500]}")
        return answer.json()["dispatch"]["id"]

    def upload(self, name: str, data: bytes) -> int:
        answer = self.post(f"{self.college_api}/material-files/", files={"file": (name, data, "application/pdf")})
        if answer.status_code != 201:
            raise SystemExit(f"upload: {answer.status_code} {answer.text[:500]}")
        return answer.json()["id"]

    def download(self, file_id: int) -> requests.Response:
        return self.get(f"{self.college_api}/material-files/{file_id}/download/")


async def _sockets(path: str, cert: Path, frames: list[dict], *, count: int = 1, cookie: str = "") -> list[list]:
    """``count`` WebSockets to ``path`` through nginx over HTTPS (wss://), as a page of the site opens them;
    the first sends ``frames``; returns what each received, up to one answer per frame."""
    context = ssl.create_default_context(cafile=str(cert))
    headers = {"Host": f"{HOST}:{HTTPS_PORT}", "Origin": BASE, **({"Cookie": cookie} if cookie else {})}
    url = f"wss://127.0.0.1:{HTTPS_PORT}{path}"
    async with aiohttp.ClientSession() as http:
        sockets = [await http.ws_connect(url, ssl=context, server_hostname=HOST, headers=headers) for _ in range(count)]
        for frame in frames:
            await sockets[0].send_json(frame)
        received = [[await ws.receive_json(timeout=15) for _ in frames] for ws in sockets]
        for ws in sockets:
            await ws.close()
    return received


def websockets(path: str, cert: Path, frames: list[dict], **kwargs) -> list[list]:
    return asyncio.run(_sockets(path, cert, frames, **kwargs))


def main() -> int:
    workdir = Path(tempfile.mkdtemp(prefix="sferum-smoke-"))
    stack = Stack(workdir)
    tls = workdir / "tls"
    tls.mkdir()
    run(
        "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        "-keyout", tls / "privkey.pem", "-out", tls / "fullchain.pem",
        "-subj", f"/CN={HOST}", "-addext", f"subjectAltName=DNS:{HOST}", capture=True,
    )  # fmt: skip
    (tls / "privkey.pem").chmod(0o644)
    gateway_token = secrets.token_urlsafe(16)
    stack.env_file.write_text(
        "\n".join(
            [
                f"DJANGO_SECRET_KEY={secrets.token_urlsafe(50)}",
                f"MFA_ENCRYPTION_KEY={base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()}",
                f"DJANGO_ALLOWED_HOSTS={HOST}",
                f"SITE_URL={BASE}",
                f"POSTGRES_PASSWORD={secrets.token_hex(16)}",
                "SMS_GATEWAY_URL=http://sms:8025/send",
                f"SMS_GATEWAY_TOKEN={gateway_token}",
                # Nothing reads the mailbox here; the e-mail check only wants a real backend named.
                "EMAIL_URL=smtp://mail.invalid:25",
                f"TLS_DIR={tls}",
                f"HTTPS_PORT=127.0.0.1:{HTTPS_PORT}",
                f"HTTP_PORT=127.0.0.1:{HTTPS_PORT - 363}",
                f"SMOKE_SMS_PORT={SMS_PORT}",
                "WEB_WORKERS=2",
                "WORKER_CONCURRENCY=2",
                "SECURE_HSTS_SECONDS=0",
                "STUCK_WORK_MINUTES=15",
                *(f"{name}={os.environ[name]}" for name in ("POSTGRES_IMAGE", "REDIS_IMAGE") if os.environ.get(name)),
                "",
            ]
        )
    )
    browser = Browser(tls / "fullchain.pem")
    failed = True
    try:
        with step("build"):
            args = []
            for name in ("PYTHON_IMAGE", "NGINX_IMAGE"):
                if os.environ.get(name):
                    args += ["--build-arg", f"{name}={os.environ[name]}"]
            env = {**os.environ, "DOCKER_BUILDKIT": "1"}
            run(DOCKER, "build", "-q", "--target", "app", "-t", "sferum-admin:latest", *args, ".", env=env)
            run(DOCKER, "build", "-q", "--target", "proxy", "-t", "sferum-admin-proxy:latest", *args, ".", env=env)

        with step("up, every service healthy"):
            stack.compose("down", "-v", "--remove-orphans", capture=True, check=False)
            stack.compose("up", "-d", "--no-build")
            stack.wait_healthy()
            wait_until(lambda: browser.get("/readyz").status_code == 200, "/readyz through the proxy")

        with step("migrations applied once"):
            migrate = [c for c in stack.containers() if service_of(c) == "migrate"]
            assert len(migrate) == 1 and migrate[0]["State"]["ExitCode"] == 0, "one migrate run, exit 0"
            assert migrate[0]["RestartCount"] == 0
            plan = stack.output("exec", "-T", "web", "python", "manage.py", "showmigrations", "--plan")
            assert "[ ]" not in plan and "[X]" in plan, "every migration applied"
            assert "Applying" not in stack.output("logs", "web"), "web applies no migrations"
            assert stack.compose("exec", "-T", "web", "id", "-u", capture=True).stdout.strip() != "0", "non-root"

        with step("a college and its administrator (manage.py shell)"):
            stack.compose(
                "exec", "-T", "-e", f"SMOKE_ADMIN_PHONE={ADMIN_PHONE}", "-e", f"SMOKE_TOTP_SECRET={TOTP_SECRET}",
                "web", "python", "manage.py", "shell",
                input=(ROOT / "deploy/smoke/make_admin.py").read_text(encoding="utf-8"),
            )  # fmt: skip

        with step("sign in through the proxy over HTTPS (SMS code, TOTP)"):
            browser.sign_in(ADMIN_PHONE, TOTP_SECRET)

        with step("WebSocket echo through nginx over HTTPS (asgi: /ws/ping/, a member's college socket)"):
            cert = tls / "fullchain.pem"
            [[echo]] = websockets("/ws/ping/", cert, [{"smoke": 1}])
            assert echo["smoke"] == 1 and "server_time" in echo, echo
            college_id = int(browser.college_api.rsplit("/", 1)[1])
            cookie = f"sessionid={browser.http.cookies.get('sessionid')}"
            [[echo]] = websockets(f"/ws/colleges/{college_id}/ping/", cert, [{"smoke": 2}], cookie=cookie)
            assert echo["college_id"] == college_id and echo["user_id"], echo

        with step("invitation SMS sent by the worker through the gateway"):
            browser.dispatch("+79995550001")
            text = wait_sms("+79995550001")
            assert f"{BASE}/i/" in text, f"the link starts with SITE_URL: {text}"

        with step("upload a material, download it through nginx"):
            file_id = browser.upload("Смоук.pdf", PDF)
            answer = browser.download(file_id)
            assert answer.status_code == 200 and answer.content == PDF, answer.status_code
            assert "attachment" in answer.headers.get("Content-Disposition", "")
            # gunicorn sent no body: nginx sent the file (X-Accel-Redirect).
            logs = stack.output("logs", "--no-color", "web").splitlines()
            access = [json.loads(line.split("| ", 1)[1]) for line in logs
                      if "gunicorn.access" in line and f"/material-files/{file_id}/download/" in line]  # fmt: skip
            assert access and access[-1]["status"] == 200 and not access[-1]["bytes"], access
        with step("recreate the web container, download again"):
            stack.compose("up", "-d", "--no-build", "--no-deps", "--force-recreate", "web")
            stack.wait_healthy()
            answer = wait_until(lambda: (r := browser.download(file_id)).status_code == 200 and r, "download")
            assert answer.content == PDF

        with step("queued dispatch survives a Redis restart"):
            stack.compose("stop", "worker")
            browser.dispatch("+79995550002")
            time.sleep(1.5)  # the task is in Redis (append-only file flushed every second)
            stack.compose("restart", "redis")
            stack.wait_healthy(expect={"redis": 1}, stopped=("worker",))
            assert not sms_to("+79995550002"), "nothing sent while the worker was down"
            stack.compose("start", "worker")
            wait_sms("+79995550002", timeout=120)

        with step("backup, change, restore"):
            backup = workdir / "backup"
            run("deploy/backup.sh", backup, env={**os.environ, **stack_env(stack)}, capture=True)
            later = browser.upload("После копии.pdf", PDF + b"%later\n")
            assert browser.download(later).status_code == 200
            run("deploy/restore.sh", backup, env={**os.environ, **stack_env(stack)}, capture=True)
            stack.wait_healthy()
            browser = Browser(tls / "fullchain.pem")
            wait_until(lambda: browser.get("/readyz").status_code == 200, "/readyz after restore")
            browser.sign_in(ADMIN_PHONE, TOTP_SECRET)
            assert browser.download(file_id).content == PDF, "the backed-up file is back"
            assert browser.download(later).status_code == 404, "the later file is gone with the restore"

        with step("two web replicas and two workers"):
            stack.compose("up", "-d", "--no-build", scale=True)
            stack.wait_healthy(expect={"web": 2, "worker": 2})
            time.sleep(11)  # nginx looks the web address up again every 10 s
            upstreams = set()
            for _ in range(8):
                answer = browser.download(file_id)
                assert answer.status_code == 200 and answer.content == PDF
            logs = stack.output("logs", "proxy", scale=True)
            upstreams = set(re.findall(r'"upstream":"([0-9.]+:8000)"', logs))
            assert len(upstreams) >= 2, f"both replicas answered: {upstreams}"
            for n in (3, 4):
                browser.dispatch(f"+7999555000{n}")
            for n in (3, 4):
                wait_sms(f"+7999555000{n}")
        with step("a WebSocket broadcast crosses the two asgi replicas (Redis channel layer)"):
            stack.wait_healthy(expect={"asgi": 2})
            received = websockets("/ws/ping/", tls / "fullchain.pem", [{"broadcast": "smoke"}], count=6)
            assert all(got[0]["broadcast"] == "smoke" for got in received), received
            logs = stack.output("logs", "proxy", scale=True)
            upstreams = set(re.findall(r'"path":"/ws/ping/".*?"upstream":"([0-9.]+:8001)"', logs))
            assert len(upstreams) >= 2, f"sockets on both asgi replicas: {upstreams}"
        failed = False
    finally:
        with step("down"):
            if failed:
                stack.compose("ps", check=False, scale=True)
                stack.compose("logs", "--tail=60", check=False, scale=True)
            stack.compose("down", "-v", "--remove-orphans", check=False, capture=True, scale=True)
        print("\ncompose smoke timings:")
        for name, took in timings:
            print(f"  {took:7.1f} s  {name}")
        print(f"  {sum(t for _, t in timings):7.1f} s  total")
    return 0


def stack_env(stack: Stack) -> dict[str, str]:
    files = ":".join(str(ROOT / f) for f in stack.files)
    return {
        "COMPOSE_PROJECT_NAME": PROJECT,
        "COMPOSE_FILE": files,
        "COMPOSE_ENV_FILE": str(stack.env_file),
        "SFERUM_ENV_FILE": str(stack.env_file),
    }


if __name__ == "__main__":
    sys.exit(main())
