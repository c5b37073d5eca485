"""WebSockets on a real ASGI server with the Redis channel layer: the bare echo, a bare group fan-out and
(once chats exist) a chat message's fan-out to its members, measured in the same run on the same server.

What it does, in one run:

1. starts daphne (``sferum_admin.asgi:application``, as the `asgi` service of docker-compose.yml runs it)
   on a free port with the Redis channel layer at REDIS_URL;
2. **bare echo**: CLIENTS sockets on /ws/ping/ send PINGS frames between them, each waiting for its echo;
   prints the round trip's p50/p95/max and the echoes per second;
3. **bare fan-out**: MEMBERS sockets on /ws/ping/; one of them sends MESSAGES ``{"broadcast": …}``
   frames one at a time, and each message's delivery latency is taken when the last member got it
   (p50/p95/max), with the deliveries per second sustained — the floor under a chat's fan-out: the
   channel layer and the server, no database, no permission;
4. **chat fan-out**: ``measure_chat_fanout`` — the place where the chat measurement plugs in (below);
   until chats land it says so and measures nothing;
5. stops the server.

All clients run in this one process (asyncio, aiohttp), so a latency is one clock's difference; with
hundreds of sockets the client's own loop is part of what is measured (the figures say how many).
No goal is asserted here: figures are printed.

Usage: ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/sferum REDIS_URL=redis://127.0.0.1:6379/5
.venv/bin/python bench/chat_fanout.py``. Options: ``--clients``, ``--pings``, ``--members``, ``--messages``.
The echo and the bare fan-out read no database; the chat fan-out will want one of its own (bench/_support).
"""

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import aiohttp

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
from bench._support import free_port

GOAL_P95_MS = 100


def start_server(env: dict[str, str], log_path: Path) -> tuple[subprocess.Popen, str]:
    """daphne on a free port in its own process; returns it and its http:// address once it listens."""
    port = free_port()
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "sferum_admin.asgi:application"],
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"daphne exited with {server.returncode}; see {log_path}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit(f"daphne did not listen; see {log_path}")


def stop_server(server: subprocess.Popen) -> None:
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
        sockets.append(await http.ws_connect(url, origin=site, max_msg_size=0))
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


# ---------------------------------------------------------------------------------------------------
# CHAT FAN-OUT PLUGS IN HERE (issue #13: 500 members of one chat, p95 ≤ 100 ms, messages/s sustained).
# It needs chats: a fresh database (bench/_support.recreate_database, migrate), a college, one chat with
# `members` members and their sessions (a cookie each, as tests/conftest.py `socket_headers` makes them),
# the server started with that DATABASE_URL; then each member's socket on the chat's route, one member
# posting through the chat's service or socket, and the latency until the last member got each message —
# printed by `summary` next to the two bare figures above.
# ---------------------------------------------------------------------------------------------------
async def measure_chat_fanout(site: str, *, members: int, messages: int) -> list[float] | None:
    """Not measured yet: chats are not on this branch. Returns the latencies once it is written."""
    print(f"chat fan-out to {members} members: not measured (needs chats/, see measure_chat_fanout)")
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--pings", type=int, default=5000)
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--messages", type=int, default=50)
    options = parser.parse_args()

    log_path = Path(os.environ.get("BENCH_LOG_DIR", "/tmp")) / f"chat_fanout_daphne_{os.getpid()}.log"
    server, site = start_server(server_env(), log_path)
    try:
        print(f"daphne at {site}, Redis channel layer at {os.environ['REDIS_URL']}")
        asyncio.run(measure_echo(site, clients=options.clients, pings=options.pings))
        asyncio.run(measure_group_fanout(site, members=options.members, messages=options.messages))
        asyncio.run(measure_chat_fanout(site, members=options.members, messages=options.messages))
        print(f"goal (chat fan-out): p95 ≤ {GOAL_P95_MS} ms")
    finally:
        stop_server(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
