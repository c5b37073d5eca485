"""WebSockets on a real ASGI server with the Redis channel layer: the bare echo, a bare group fan-out and a
chat message's fan-out to its 500 members, measured in the same run on the same server, for each server and
each layer.

What it does, in one run:

1. creates its own database (``sferum_bench_chat``), empties Redis database 12, migrates, and builds a college
   with a chat of MEMBERS members through the services, a signed-in session for each (bench/_chat_world.py);
2. for each server of ``--servers`` — ``uvicorn``: the `asgi` service's command read from docker-compose.yml
   (``uvicorn:<ws>`` with another ``--ws``, ``uvicorn*2`` with two worker processes); ``daphne``: the server
   before it — and each channel layer of ``--layers`` (``pubsub``: RedisPubSubChannelLayer, ``core``:
   RedisChannelLayer; the ``CHANNEL_LAYER`` setting), starts the server (``sferum_admin.asgi:application``,
   production settings) on a free port, then:
   - **bare echo**: CLIENTS sockets on /ws/ping/ send PINGS frames between them, each waiting for its echo;
     the round trip's p50/p95/max and the echoes per second;
   - **bare fan-out**: MEMBERS sockets on /ws/ping/; one sends MESSAGES ``{"broadcast": …}`` frames one at a
     time; each message's latency is until the last member got it — the channel layer and the server, no
     database, no permission;
   - **chat fan-out** (``measure_chat_fanout``): the MEMBERS members' sockets on the chat's route; the owner
     posts MESSAGES messages through the socket one at a time (saved by ``message_post``, rendered once,
     fanned out, authorised and forwarded by each socket); each latency is until the last member (the sender
     included) got it; then BURST messages back to back (from the first 10 members in turn) and the
     messages/s sustained until all got all;
   and prints the server's CPU per phase (its worker processes included) and its memory, then stops it;
3. drops the database (unless ``--keep``).

All clients run in this one process (asyncio, aiohttp), so a latency is one clock's difference; with
hundreds of sockets the client's own loop is part of what is measured (its CPU per message is printed), and
the clients, the server, Redis and PostgreSQL share the machine (the load average is printed with each
phase). Every socket offers permessage-deflate, as a browser does. No goal is asserted here: figures are
printed, next to the goal p95 ≤ 100 ms.

Usage: ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/sferum REDIS_URL=redis://127.0.0.1:6379/5
.venv/bin/python bench/chat_fanout.py``. Options: ``--servers`` (default ``uvicorn``), ``--layers``,
``--clients``, ``--pings``, ``--members``, ``--messages``, ``--burst``, ``--keep``. ``BENCH_PROFILE=<file>``
runs the server under cProfile (one worker process: ``uvicorn``, not ``uvicorn*2``); ``BENCH_LOG_DIR`` is
where the servers' logs go (default /tmp).
"""

import argparse
import asyncio
import base64
import contextlib
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
from bench._chat_world import build_chat_world
from bench._support import asgi_service_command, database_urls, flush_redis, free_port, recreate_database, redis_url

GOAL_P95_MS = 100
BENCH_DATABASE = "sferum_bench_chat"
BENCH_REDIS_DB = 12
LAYER_NAMES = {"pubsub": "RedisPubSubChannelLayer", "core": "RedisChannelLayer"}
# Every socket offers permessage-deflate as browsers do (window of 2^15); the server decides whether frames go
# compressed (the asgi service declines: docker-compose.yml).
BROWSER_DEFLATE = 15
# The burst's messages are posted by this many members in turn (the owner first).
BURST_SENDERS = 10
# The server of the chat measurement runs as the `asgi` service does: production settings (persistent database
# connections, DEBUG off); nothing here sends an SMS or an e-mail.
PRODUCTION_ENV = {
    "DJANGO_ENV": "production",
    "DB_CONN_MAX_AGE": "600",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "MFA_ENCRYPTION_KEY": base64.urlsafe_b64encode(secrets.token_bytes(32)).decode(),
    "SITE_URL": "https://sferum.college.example",
    "EMAIL_URL": "smtp://127.0.0.1:1",
    "SMS_BACKEND": "notifications.backends.HttpGatewaySmsBackend",
    "SMS_GATEWAY_URL": "http://127.0.0.1:1/send",
    "CELERY_TASK_ALWAYS_EAGER": "true",
    "LOG_LEVEL": "ERROR",
}


def server_command(server: str, port: int) -> list[str]:
    """``uvicorn`` (the `asgi` service's command from docker-compose.yml; ``uvicorn:wsproto`` with another
    WebSocket implementation) or ``daphne`` (the server before uvicorn), serving the project on ``port``."""
    name, _, ws = server.partition(":")
    if name == "daphne":
        return [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "sferum_admin.asgi:application"]
    if name != "uvicorn":
        raise SystemExit(f"--servers: uvicorn[:<ws>][*<workers>] or daphne, not {server!r}")
    command = asgi_service_command(port=port)
    if ws:
        command[command.index("--ws") + 1] = ws
    return command


def start_server(server: str, env: dict[str, str], log_path: Path) -> tuple[subprocess.Popen, str]:
    """The server on a free port in its own process; returns it and its http:// address once it listens."""
    port = free_port()
    with log_path.open("wb") as log:
        command = server_command(server, port)
        # BENCH_PROFILE=<file>: the server under cProfile (stopped by SIGINT so that it writes the file).
        if env.get("BENCH_PROFILE"):
            command[1:1] = ["-m", "cProfile", "-o", env["BENCH_PROFILE"]]
        server_process = subprocess.Popen(command, cwd=BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server_process.poll() is not None:
            raise SystemExit(f"{server} exited with {server_process.returncode}; see {log_path}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server_process, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.2)
    stop_server(server_process)
    raise SystemExit(f"{server} did not listen; see {log_path}")


def stop_server(server: subprocess.Popen) -> None:
    server.send_signal(signal.SIGINT)  # the server stops and exits (a profile is written)
    try:
        server.wait(timeout=15)
        return
    except subprocess.TimeoutExpired:
        pass
    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=15)


def server_env() -> dict[str, str]:
    redis_url = os.environ.get("REDIS_URL", "")
    if not redis_url:
        raise SystemExit("the bench measures the Redis channel layer: set REDIS_URL")
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "sferum_admin.settings",
        "DJANGO_DEBUG": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "REDIS_URL": redis_url,
        "LOG_LEVEL": "WARNING",
    }


def summary(name: str, latencies: list[float], *, count_label: str, seconds: float) -> None:
    """One line: p50/p95/max in milliseconds, and how many per second."""
    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    print(
        f"{name}: {len(ordered)} {count_label}, p50 {statistics.median(ordered) * 1000:.1f} ms, "
        f"p95 {p95 * 1000:.1f} ms, max {ordered[-1] * 1000:.1f} ms, {len(ordered) / seconds:.0f}/s"
    )


def _client() -> aiohttp.ClientSession:
    # No limit on open connections: aiohttp's default (100) would hold the 101st socket back for ever.
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0))


async def _open(http: aiohttp.ClientSession, site: str, path: str, count: int) -> list:
    url = site.replace("http://", "ws://") + path
    sockets = []
    for _ in range(count):  # one by one: the server's accept queue is not what is measured
        sockets.append(await http.ws_connect(url, origin=site, max_msg_size=0, compress=BROWSER_DEFLATE))
    return sockets


async def measure_echo(site: str, *, clients: int, pings: int) -> list[float]:
    """Round trips of /ws/ping/: ``clients`` sockets at once, ``pings`` frames in all."""
    async with _client() as http:
        sockets = await _open(http, site, "/ws/ping/", clients)
        latencies: list[float] = []

        async def one_client(ws, count: int) -> None:
            for n in range(count):
                sent = time.perf_counter()
                await ws.send_json({"n": n})
                await ws.receive_json(timeout=30)
                latencies.append(time.perf_counter() - sent)

        share, extra = divmod(pings, clients)
        started = time.perf_counter()
        await asyncio.gather(*(one_client(ws, share + (i < extra)) for i, ws in enumerate(sockets)))
        seconds = time.perf_counter() - started
        for ws in sockets:
            await ws.close()
    summary(f"bare echo ({clients} clients)", latencies, count_label="round trips", seconds=seconds)
    return latencies


async def measure_group_fanout(site: str, *, members: int, messages: int) -> list[float]:
    """``{"broadcast": …}`` on /ws/ping/ to ``members`` sockets, one message at a time: each message's
    latency is until the last member got it; the next leaves then (a latency, not a queue's depth)."""
    async with _client() as http:
        sockets = await _open(http, site, "/ws/ping/", members)
        received = [0] * messages
        delivered = [asyncio.Event() for _ in range(messages)]
        done_at = [0.0] * messages

        async def listen(ws) -> None:
            for _ in range(messages):
                n = (await ws.receive_json(timeout=120))["broadcast"]
                received[n] += 1
                if received[n] == members:
                    done_at[n] = time.perf_counter()
                    delivered[n].set()

        listeners = [asyncio.create_task(listen(ws)) for ws in sockets]
        latencies = []
        started = time.perf_counter()
        for n in range(messages):
            sent_at = time.perf_counter()
            await sockets[0].send_json({"broadcast": n})
            await asyncio.wait_for(delivered[n].wait(), timeout=120)
            latencies.append(done_at[n] - sent_at)
        seconds = time.perf_counter() - started
        await asyncio.gather(*listeners)
        for ws in sockets:
            await ws.close()
    summary(f"bare fan-out to {members} sockets", latencies, count_label="messages", seconds=seconds)
    print(f"  deliveries: {members * messages} in {seconds:.1f} s ({members * messages / seconds:.0f}/s)")
    return latencies


_BENCH_MARK = re.compile(r"замер-(\d+)-(\d+)")


async def _chat_sockets(http, site: str, world, count: int) -> list:
    url = site.replace("http://", "ws://") + f"/ws/colleges/{world.college_id}/chats/{world.chat_id}/"
    sockets = []
    for key in world.session_keys[:count]:  # the owner first: the sender
        sockets.append(
            await http.ws_connect(
                url, origin=site, max_msg_size=0, compress=BROWSER_DEFLATE, headers={"Cookie": f"sessionid={key}"}
            )
        )
    return sockets


async def _chat_listen(ws, phase: int, expected: int, on_message) -> None:
    seen = 0
    while seen < expected:
        # The raw frame, not parsed: the client's own work is kept small (it shares the machine with the server).
        received = await ws.receive(timeout=300)
        if received.type != aiohttp.WSMsgType.TEXT:
            raise aiohttp.ClientError(f"a member's socket ended: {received.type.name} {received.data}")
        frame = received.data
        if '"message.new"' not in frame:
            continue
        match = _BENCH_MARK.search(frame)
        if match and int(match.group(1)) == phase:
            seen += 1
            on_message(int(match.group(2)))


async def _until(event: asyncio.Event, listeners: list, timeout: float) -> None:
    """Wait for ``event``; a listener that failed (its socket ended) fails the wait at once, with its error."""
    waiter = asyncio.ensure_future(event.wait())
    deadline = time.monotonic() + timeout
    try:
        while not event.is_set():
            pending = [waiter, *(task for task in listeners if not task.done())]
            done, _ = await asyncio.wait(
                pending, timeout=max(0.0, deadline - time.monotonic()), return_when=asyncio.FIRST_COMPLETED
            )
            if not done:
                raise TimeoutError(f"not delivered to every member in {timeout:.0f} s")
            for task in done:
                if task is not waiter and task.exception() is not None:
                    raise task.exception()
    finally:
        waiter.cancel()


async def measure_chat_fanout(site: str, world, *, members: int, messages: int, burst: int) -> list[float]:
    """A member posts through the chat socket (``{"type": "post"}``: the service saves it, the publisher renders
    the fragment once, the layer fans it out, every socket authorises and forwards): each message's latency is
    until the last of ``members`` sockets (the sender's included) got it, one message at a time; then ``burst``
    messages posted back to back by BURST_SENDERS members, and the messages/s sustained until the last one
    reached everybody."""
    async with _client() as http:
        sockets = await _chat_sockets(http, site, world, members)
        cpu = time.process_time()
        latencies = await _chat_one_at_a_time(sockets, messages)
        cpu = time.process_time() - cpu
        summary(f"chat fan-out to {members} members", latencies, count_label="messages", seconds=sum(latencies))
        print(f"  the clients' own CPU: {cpu / messages * 1000:.0f} ms per message ({members} frames received)")
        if burst:
            seconds = await _chat_burst(sockets, burst)
            print(
                f"  burst: {burst} messages posted back to back, all delivered to all in {seconds:.1f} s "
                f"({burst / seconds:.1f} messages/s, {burst * members / seconds:.0f} deliveries/s)"
            )
        for ws in sockets:
            await ws.close()
    return latencies


async def _chat_one_at_a_time(sockets: list, messages: int) -> list[float]:
    members = len(sockets)
    received = [0] * messages
    delivered = [asyncio.Event() for _ in range(messages)]
    done_at = [0.0] * messages

    def on_message(n: int) -> None:
        received[n] += 1
        if received[n] == members:
            done_at[n] = time.perf_counter()
            delivered[n].set()

    listeners = [asyncio.create_task(_chat_listen(ws, 1, messages, on_message)) for ws in sockets]
    latencies = []
    for n in range(messages):
        sent_at = time.perf_counter()
        await sockets[0].send_json({"type": "post", "text": f"замер-1-{n}"})
        await _until(delivered[n], listeners, timeout=300)
        latencies.append(done_at[n] - sent_at)
    await asyncio.gather(*listeners)
    return latencies


async def _chat_burst(sockets: list, burst: int) -> float:
    total = len(sockets) * burst
    count = [0]
    finished = asyncio.Event()

    def on_message(n: int) -> None:
        count[0] += 1
        if count[0] == total:
            finished.set()

    listeners = [asyncio.create_task(_chat_listen(ws, 2, burst, on_message)) for ws in sockets]
    started = time.perf_counter()
    # From BURST_SENDERS members in turn: a socket's frames are handled one after another, so one sender
    # would measure its own posts' round trips through the database, not the fan-out (and a backlog of
    # frames it has not read yet leaves the server's keepalive ping unanswered: uvicorn closes with 1011).
    for n in range(burst):
        await sockets[n % BURST_SENDERS].send_json({"type": "post", "text": f"замер-2-{n}"})
    await _until(finished, listeners, timeout=600)
    seconds = time.perf_counter() - started
    await asyncio.gather(*listeners)
    return seconds


def prepare_chat(members: int):
    """The bench's own database (``sferum_bench_chat``) and Redis database (12), migrated, with a chat of
    ``members`` members signed in; returns (world, DATABASE_URL, REDIS_URL) for the server."""
    database_url, maintenance_url = database_urls(os.environ["DATABASE_URL"], BENCH_DATABASE)
    bench_redis = redis_url(os.environ["REDIS_URL"], BENCH_REDIS_DB)
    recreate_database(maintenance_url, BENCH_DATABASE)
    flush_redis(bench_redis)
    os.environ.update(DATABASE_URL=database_url, REDIS_URL=bench_redis, DJANGO_SETTINGS_MODULE="sferum_admin.settings")
    # The sessions' auth hash is keyed by SECRET_KEY: the server must read them with the same key.
    os.environ["DJANGO_SECRET_KEY"] = PRODUCTION_ENV["DJANGO_SECRET_KEY"]
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    world = build_chat_world(members=members)
    print(f"a chat of {members} members and their sessions built in {time.perf_counter() - started:.1f} s")
    from django.db import connections

    connections.close_all()
    return world, database_url, bench_redis, maintenance_url


def _process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants (uvicorn's worker processes), from Linux /proc."""
    tree, index = [pid], 0
    while index < len(tree):
        for task in Path(f"/proc/{tree[index]}/task").glob("*"):
            with contextlib.suppress(OSError):
                tree += [int(child) for child in (task / "children").read_text().split()]
        index += 1
    return tree


def _cpu_seconds(pid: int) -> float:
    """User + system CPU of a process and its descendants so far (Linux /proc)."""
    total = 0
    for member in _process_tree(pid):
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


def _rss_mib(pid: int) -> float:
    """Resident memory of a process and its descendants, in MiB."""
    total = 0
    for member in _process_tree(pid):
        with contextlib.suppress(OSError):
            total += int(Path(f"/proc/{member}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    return total / 2**20


@contextlib.contextmanager
def server_cpu(pid: int, label: str, *, per: int = 0):
    """Prints the server processes' CPU spent in the block (per message when ``per``): a figure that other
    load on the machine does not move, unlike the latencies."""
    started = _cpu_seconds(pid)
    yield
    spent = _cpu_seconds(pid) - started
    each = f", {spent / per * 1000:.0f} ms per message" if per else ""
    print(f"  server CPU ({label}): {spent:.1f} s{each}; load average {os.getloadavg()[0]:.1f}")


def run_server(server_spec: str, layer: str, world, options, database_url: str, bench_redis: str) -> None:
    """One server (``--servers`` item) with ``layer`` (CHANNEL_LAYER), the three measurements on it, then
    stopped."""
    server_name, _, workers = server_spec.partition("*")
    env = {**server_env(), **PRODUCTION_ENV, "DATABASE_URL": database_url, "REDIS_URL": bench_redis}
    env["CHANNEL_LAYER"] = layer
    env["WEB_CONCURRENCY"] = workers or "1"  # uvicorn's --workers (the asgi service sets it per replica)
    label = re.sub(r"[^a-z0-9]+", "-", server_spec)
    log_path = Path(os.environ.get("BENCH_LOG_DIR", "/tmp")) / f"chat_fanout_{label}_{layer}_{os.getpid()}.log"
    flush_redis(bench_redis)  # the sessions are in the database too: the server reads them back
    server, site = start_server(server_name, env, log_path)
    try:
        processes = f", {workers} worker processes" if workers else ""
        print(f"\n== {server_spec} at {site}{processes}; channel layer «{layer}» ({LAYER_NAMES[layer]})")
        with server_cpu(server.pid, "echo"):
            asyncio.run(measure_echo(site, clients=options.clients, pings=options.pings))
        with server_cpu(server.pid, "bare fan-out", per=options.messages):
            asyncio.run(measure_group_fanout(site, members=options.members, messages=options.messages))
        with server_cpu(server.pid, "chat fan-out and burst", per=options.messages + options.burst):
            try:
                asyncio.run(
                    measure_chat_fanout(
                        site, world, members=options.members, messages=options.messages, burst=options.burst
                    )
                )
            except (aiohttp.ClientError, TimeoutError) as failed:
                # A figure too: the layer lost sockets under this load (the server's log says why).
                print(f"chat fan-out to {options.members} members: FAILED ({failed!r}); see {log_path}")
        print(f"  server memory: {_rss_mib(server.pid):.0f} MiB resident")
    finally:
        stop_server(server)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--pings", type=int, default=5000)
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--messages", type=int, default=50)
    parser.add_argument("--burst", type=int, default=100)
    parser.add_argument("--layers", default="pubsub,core", help="CHANNEL_LAYER values to measure, in order")
    parser.add_argument(
        "--servers",
        default="uvicorn",
        help="servers to measure, in order: uvicorn (the asgi service's command), uvicorn:wsproto (another "
        "--ws), uvicorn*2 (two worker processes), daphne (the server before)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the bench database")
    options = parser.parse_args()
    server_env()  # REDIS_URL is required
    world, database_url, bench_redis, maintenance_url = prepare_chat(options.members)
    try:
        for server_spec in options.servers.split(","):
            for layer in options.layers.split(","):
                run_server(server_spec, layer, world, options, database_url, bench_redis)
        print(
            f"\ngoal (chat fan-out): p95 ≤ {GOAL_P95_MS} ms; load average now {os.getloadavg()[0]:.1f} "
            f"on {os.cpu_count()} cores (clients, server, Redis and PostgreSQL share them)"
        )
    finally:
        if not options.keep:
            recreate_database(maintenance_url, BENCH_DATABASE, drop_only=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
