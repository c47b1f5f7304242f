"""A production deployment with real parts (docs/deploy.md): Debian's nginx,
load-balancing round-robin over two gunicorn instances of one app
(:mod:`deploy.app`: separate processes on separate ports, sharing only a
sqlite file and Redis), and Debian's redis-server.

nginx runs the site file the docs include, docs/deploy/nginx.conf, with its
placeholders filled in, from a minimal nginx.conf written to a tmp folder
(pid, logs and temp files inside it); it is a non-daemon child process. Every
process is started on 127.0.0.1 and stopped by its PID; every loop is bounded
in count and time.

- State kept in the client (flashes, signed cookies, Flask's session) and
  server-side sessions in Redis (Flask-Session) work across instances.
- ProxyFix as the docs configure it gives the client's address, scheme and
  host, which a client cannot forge through nginx.
- Killing one instance: nginx's retries keep answering, and every note
  whose POST was answered 201 is there afterwards.
- FX_ACCEL_REDIRECT: files go out through nginx, with the app's headers,
  Range and 304 working, and the worker's memory and CPU flat.
- fx-sse's Redis channel: an event posted to one instance reaches a stream
  open on the other; when Redis goes away the stream ends cleanly, no worker
  hangs, and a reconnect with Last-Event-ID resumes once Redis is back.
"""

from __future__ import annotations

import contextlib
import http.client
import itertools
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import typing as t
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

# integration_tests/ has no __init__.py and pytest imports test files by path
# (--import-mode=importlib): put it on sys.path for the shared helpers.
if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

from conftest import HOST, STOP_LIMIT, Process, Server, free_port, gunicorn_command, poll

pytestmark = [
    pytest.mark.server,
    pytest.mark.skipif(
        not (shutil.which("nginx") and shutil.which("redis-server")),
        reason="needs Debian's nginx and redis-server (.ci/run installs them)",
    ),
]

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SITE_TEMPLATE = ROOT / "docs" / "deploy" / "nginx.conf"
SERVER_NAME = "shop.example"
SECRET = "deploy-test-secret-that-is-long-enough"
#: Seconds one HTTP exchange may take.
TIMEOUT = 10.0
GIB = 1 << 30
#: Clients other than nginx itself, on the loopback range.
CLIENT_ADDRESS = "127.0.0.5"


def _nginx_prefix_user() -> str:
    # As root, nginx's workers would switch to nobody and could not read the
    # tmp folder; as another user nginx cannot switch at all.
    return "user root;\n" if os.geteuid() == 0 else ""


MAIN_CONF = """\
{user}worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    access_log {tmp}/access.log;
    client_body_temp_path {tmp}/client_body;
    proxy_temp_path {tmp}/proxy;
    fastcgi_temp_path {tmp}/fastcgi;
    uwsgi_temp_path {tmp}/uwsgi;
    scgi_temp_path {tmp}/scgi;
    include {tmp}/site.conf;
}}
"""


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex((HOST, port)) == 0


class RedisServer:
    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.port = free_port()
        self.url = f"redis://{HOST}:{self.port}/0"
        self.process: Process | None = None

    def start(self) -> None:
        self.process = Process(
            [
                "redis-server",
                "--bind",
                HOST,
                "--port",
                str(self.port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.tmp),
                "--daemonize",
                "no",
                "--protected-mode",
                "no",
            ],
            self.tmp / "redis.log",
        )
        if not poll(lambda: self.process is not None and self._pings(), 10):
            self.stop()
            pytest.fail(
                f"redis-server did not answer:\n{self.tmp.joinpath('redis.log').read_text()}"
            )

    def _pings(self) -> bool:
        import redis

        try:
            return bool(redis.Redis.from_url(self.url, socket_timeout=1).ping())
        except redis.RedisError:
            return False

    def kill(self) -> None:
        assert self.process is not None
        self.process.kill()

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()


@dataclass
class Site:
    """nginx on two gunicorn instances, a and b."""

    tmp: Path
    env: dict[str, str]
    http_port: int = field(default_factory=free_port)
    https_port: int = field(default_factory=free_port)
    ports: dict[str, int] = field(default_factory=dict)
    instances: dict[str, Server] = field(default_factory=dict)
    nginx: Process | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.http_port}"

    @property
    def host(self) -> str:
        return f"{SERVER_NAME}:{self.http_port}"

    def session(self) -> requests.Session:
        session = requests.Session()
        session.headers["Host"] = self.host
        return session

    def start_instance(self, name: str) -> None:
        port = self.ports.setdefault(name, free_port())
        args = gunicorn_command(port, "deploy.app:create_app()", workers=1)
        args[-1:-1] = ["--worker-class", "gthread", "--threads", "4", "--graceful-timeout", "2"]
        self.instances[name] = Server(
            args,
            f"http://{HOST}:{port}/whoami",
            self.tmp / f"gunicorn-{name}.log",
            cwd=HERE,
            env={**self.env, "DEPLOY_INSTANCE": name},
        )
        self.instances[name].wait_until_answering()

    def start(self) -> None:
        self.start_instance("a")
        self.start_instance("b")
        cert, key = self.tmp / "cert.pem", self.tmp / "key.pem"
        subprocess.run(
            [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                "-subj", f"/CN={SERVER_NAME}", "-keyout", str(key), "-out", str(cert),
            ],
            check=True, capture_output=True, timeout=60,
        )  # fmt: skip
        values = {
            "port_a": self.ports["a"],
            "port_b": self.ports["b"],
            "http_port": self.http_port,
            "https_port": self.https_port,
            "server_name": SERVER_NAME,
            "certificate": cert,
            "certificate_key": key,
            "files_dir": self.env["DEPLOY_FILES"],
        }
        site = SITE_TEMPLATE.read_text()
        for name, value in values.items():
            site = site.replace("{{" + name + "}}", str(value))
        directives = [line for line in site.splitlines() if not line.lstrip().startswith("#")]
        assert "{{" not in "\n".join(directives), (
            "a placeholder of docs/deploy/nginx.conf was not filled in"
        )
        (self.tmp / "site.conf").write_text(site)
        conf = self.tmp / "nginx.conf"
        conf.write_text(MAIN_CONF.format(user=_nginx_prefix_user(), tmp=self.tmp))
        self.nginx = Process(
            ["nginx", "-e", str(self.tmp / "error.log"), "-p", str(self.tmp), "-c", str(conf),
             "-g", "daemon off;"],
            self.tmp / "nginx.out",
        )  # fmt: skip
        if not poll(lambda: _listening(self.http_port) and _listening(self.https_port), 10):
            self.stop()
            pytest.fail(f"nginx did not listen:\n{self.nginx.output()}{self.error_log()}")

    def error_log(self) -> str:
        path = self.tmp / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        if self.nginx is not None:
            self.nginx.stop()
        for server in self.instances.values():
            server.stop()

    def worker_pids(self) -> list[int]:
        """The gunicorn workers of both instances (children of each master)."""
        masters = {server.pid for server in self.instances.values()}
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            if ppid in masters:
                found.append(int(entry.name))
        return found


def _files(tmp: Path) -> tuple[Path, Path]:
    files, py_files = tmp / "files", tmp / "py-files"
    for folder in (files, py_files):
        folder.mkdir()
        with (folder / "big.bin").open("wb") as out:
            out.truncate(GIB)  # sparse: no disk used
    (files / "notes.txt").write_text("offloaded to nginx\n")
    (files / "sub dir").mkdir()
    (files / "sub dir" / "résumé #1?.txt").write_text("encoded\n")
    (tmp / "secret.txt").write_text("outside the folder\n")
    (files / "escape.txt").symlink_to(tmp / "secret.txt")
    return files, py_files


@contextlib.contextmanager
def _site(tmp: Path, sessions: str, redis_url: str | None) -> Iterator[Site]:
    files, py_files = _files(tmp)
    env = {
        "DEPLOY_SECRET": SECRET,
        "DEPLOY_SESSIONS": sessions,
        "DEPLOY_DB": str(tmp / "notes.sqlite"),
        "DEPLOY_FILES": str(files),
        "DEPLOY_PY_FILES": str(py_files),
        "DEPLOY_RECORD": str(tmp / "record.txt"),
    }
    if redis_url:
        env["DEPLOY_REDIS"] = redis_url
    site = Site(tmp, env)
    try:
        site.start()
        yield site
    finally:
        site.stop()


@pytest.fixture(scope="module")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def cookie_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with _site(tmp_path_factory.mktemp("cookie-site"), "cookie", None) as site:
        yield site


@pytest.fixture(scope="module")
def redis_site(
    tmp_path_factory: pytest.TempPathFactory, redis_server: RedisServer
) -> Iterator[Site]:
    with _site(tmp_path_factory.mktemp("redis-site"), "redis", redis_server.url) as site:
        yield site


def _alternating(site: Site, steps: list[tuple[str, str, t.Any]]) -> list[requests.Response]:
    """Send ``steps`` (method, path, json) in one client session; check that
    consecutive answers came from different instances."""
    session = site.session()
    answers = [
        session.request(method, site.url + path, json=body, timeout=TIMEOUT)
        for method, path, body in steps
    ]
    by = [answer.headers["X-Instance"] for answer in answers]
    assert all(x != y for x, y in itertools.pairwise(by)), f"not round-robin: {by}"
    return answers


# -- state across instances ------------------------------------------------------------


@pytest.mark.parametrize("which", ["cookie", "redis"])
def test_flash_cookie_and_session_work_on_either_instance(
    which: str, request: pytest.FixtureRequest
) -> None:
    site: Site = request.getfixturevalue(f"{which}_site")
    flash, shown, again = _alternating(
        site,
        [
            ("POST", "/flash", {"message": "saved"}),
            ("GET", "/flashes", None),
            ("GET", "/flashes", None),
        ],
    )
    assert flash.json() == {"ok": True}
    assert shown.json() == ["saved"]  # on the other instance
    assert again.json() == []  # once

    set_cookie, read_cookie = _alternating(
        site, [("POST", "/cookie", None), ("GET", "/cookie", None)]
    )
    assert read_cookie.json() == {"who": set_cookie.headers["X-Instance"]}
    tampered = site.session()
    tampered.cookies.set("who", "b.forged-signature")
    assert tampered.get(site.url + "/cookie", timeout=TIMEOUT).json() == {"who": None}

    visits = _alternating(site, [("POST", "/session", None)] * 4)
    assert visits[-1].json()["seen"] == [answer.headers["X-Instance"] for answer in visits]


def test_redis_sessions_keep_only_the_session_id_in_the_cookie(
    redis_site: Site, redis_server: RedisServer
) -> None:
    import redis

    session = redis_site.session()
    answer = session.post(redis_site.url + "/session", timeout=TIMEOUT)
    assert answer.status_code == 200
    sid = session.cookies["session"]
    assert "." not in sid and len(sid) <= 64, sid  # no signed payload
    stored = redis.Redis.from_url(redis_server.url).get(f"session:{sid}")
    assert stored is not None and b"kept on the server" in stored
    # The other instance reads it back from Redis.
    again = session.post(redis_site.url + "/session", timeout=TIMEOUT)
    assert again.headers["X-Instance"] != answer.headers["X-Instance"]
    assert len(again.json()["seen"]) == 2


# -- proxy headers ---------------------------------------------------------------------

FORGED = {
    "X-Forwarded-For": "203.0.113.7",
    "X-Forwarded-Proto": "https",
    "X-Forwarded-Host": "evil.example",
}


def _whoami(connection: http.client.HTTPConnection, host: str, headers: dict[str, str]) -> t.Any:
    try:
        connection.request("GET", "/whoami", headers={"Host": host, **headers})
        answer = connection.getresponse()
        assert answer.status == 200
        return json.loads(answer.read())
    finally:
        connection.close()


def test_client_address_scheme_and_host_come_from_nginx_not_the_client(cookie_site: Site) -> None:
    site = cookie_site
    plain = http.client.HTTPConnection(
        HOST, site.http_port, timeout=TIMEOUT, source_address=(CLIENT_ADDRESS, 0)
    )
    seen = _whoami(plain, site.host, FORGED)
    assert {k: seen[k] for k in ("ip", "protocol", "secure", "hostname")} == {
        "ip": CLIENT_ADDRESS,
        "protocol": "http",
        "secure": False,
        "hostname": SERVER_NAME,
    }

    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    tls = http.client.HTTPSConnection(
        HOST, site.https_port, timeout=TIMEOUT, context=context, source_address=("127.0.0.6", 0)
    )
    seen = _whoami(tls, f"{SERVER_NAME}:{site.https_port}", {**FORGED, "X-Forwarded-Proto": "http"})
    assert {k: seen[k] for k in ("ip", "protocol", "secure", "hostname")} == {
        "ip": "127.0.0.6",
        "protocol": "https",
        "secure": True,
        "hostname": SERVER_NAME,
    }

    # What nginx stops: straight to an instance, ProxyFix believes one hop of
    # anything. Instances must be reachable by the proxy only.
    direct = http.client.HTTPConnection(HOST, site.ports["a"], timeout=TIMEOUT)
    seen = _whoami(direct, "shop.example", FORGED)
    assert (seen["ip"], seen["protocol"], seen["hostname"]) == (
        "203.0.113.7",
        "https",
        "evil.example",
    )

    # A host name nginx does not serve is dropped without an answer.
    unknown = http.client.HTTPConnection(HOST, site.http_port, timeout=TIMEOUT)
    with pytest.raises((http.client.RemoteDisconnected, ConnectionResetError)):
        _whoami(unknown, "evil.example", {})


# -- an instance dies ------------------------------------------------------------------


def test_killing_an_instance_loses_nothing_committed(cookie_site: Site) -> None:
    site = cookie_site
    session = site.session()
    results: list[tuple[str, int, str, t.Any]] = []
    done = threading.Event()

    def traffic() -> None:
        deadline = time.monotonic() + 20
        for n in range(120):
            if time.monotonic() > deadline:
                break
            method = "POST" if n % 2 else "GET"
            try:
                if method == "POST":
                    answer = session.post(
                        site.url + "/notes", json={"text": f"note {n}"}, timeout=TIMEOUT
                    )
                else:
                    answer = session.get(site.url + "/whoami", timeout=TIMEOUT)
            except requests.RequestException as exc:
                results.append((method, 0, "", repr(exc)))
                continue
            body = answer.json() if answer.status_code in (200, 201) else answer.text
            results.append((method, answer.status_code, answer.headers.get("X-Instance", ""), body))
            time.sleep(0.01)
        done.set()

    worker = threading.Thread(target=traffic, daemon=True)
    worker.start()
    assert poll(lambda: len(results) >= 30, 15), results
    killed_at = len(results)
    site.instances["b"].process.send_signal(0)  # still there
    os.killpg(site.instances["b"].pid, signal.SIGKILL)
    site.instances["b"].process.wait(STOP_LIMIT)
    assert done.wait(30), "the traffic did not finish"
    worker.join(5)

    before, after = results[:killed_at], results[killed_at + 1 :]
    assert {by for _, _, by, _ in before} == {"a", "b"}
    assert after and {by for _, _, by, _ in after} == {"a"}, after
    gets = [r for r in results if r[0] == "GET"]
    assert all(status == 200 for _, status, _, _ in gets), gets  # retried on a
    posts = [r for r in results if r[0] == "POST"]
    committed = [body["id"] for _, status, _, body in posts if status == 201]
    # At most the one POST in flight when b died is unanswered: nginx never
    # resends a POST it already sent.
    assert len(committed) >= len(posts) - 1, posts
    stored = {row[0] for row in session.get(site.url + "/notes", timeout=TIMEOUT).json()}
    assert set(committed) <= stored


# -- file offload ----------------------------------------------------------------------


def _usage(pids: list[int]) -> tuple[int, float]:
    """The summed VmRSS (bytes) and CPU time (s) of ``pids``."""
    ticks = os.sysconf("SC_CLK_TCK")
    rss, cpu = 0, 0.0
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss += int(line.split()[1]) * 1024
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        cpu += (int(fields[11]) + int(fields[12])) / ticks  # utime + stime
    return rss, cpu


def _download(url: str, host: str, limit: int = GIB + 1) -> tuple[int, float]:
    """GET ``url``, reading at most ``limit`` bytes in 1 MiB chunks within
    60 s; return the bytes read and the seconds it took."""
    started = time.monotonic()
    got = 0
    with requests.get(url, headers={"Host": host}, stream=True, timeout=TIMEOUT) as answer:
        assert answer.status_code == 200, answer.text[:500]
        for chunk in answer.iter_content(1 << 20):
            got += len(chunk)
            assert got <= limit and time.monotonic() - started < 60
    return got, time.monotonic() - started


def test_offloaded_files_keep_the_apps_headers(redis_site: Site) -> None:
    site = redis_site
    direct = requests.get(f"http://{HOST}:{site.ports['a']}/files/notes.txt", timeout=TIMEOUT)
    assert direct.status_code == 200
    assert direct.headers["X-Accel-Redirect"] == "/_protected/notes.txt"
    assert direct.content == b""

    session = site.session()
    answer = session.get(site.url + "/files/notes.txt", timeout=TIMEOUT)
    assert answer.status_code == 200
    assert answer.content == b"offloaded to nginx\n"
    assert answer.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert answer.headers["Cache-Control"] == "private, max-age=60"
    assert answer.headers["Content-Disposition"] == "inline; filename=notes.txt"
    assert session.cookies["fetched"] == "notes.txt"
    assert "X-Accel-Redirect" not in answer.headers

    saved = session.get(site.url + "/download/notes.txt", timeout=TIMEOUT)
    assert saved.content == b"offloaded to nginx\n"
    assert saved.headers["Content-Disposition"] == "attachment; filename=report.bin"
    attached = session.get(site.url + "/attachment/notes.txt", timeout=TIMEOUT)
    assert attached.headers["Content-Disposition"] == "attachment; filename=notes.txt"
    assert attached.content == b"offloaded to nginx\n"

    # The path in X-Accel-Redirect is percent-encoded, and nginx decodes it.
    odd = session.get(site.url + "/files/sub%20dir/r%C3%A9sum%C3%A9%20%231%3F.txt", timeout=TIMEOUT)
    assert (odd.status_code, odd.content) == (200, b"encoded\n")

    # The internal location is not reachable by a client.
    assert session.get(site.url + "/_protected/notes.txt", timeout=TIMEOUT).status_code == 404
    # Confinement is the app's: refused before any header, on either path.
    for path in ("/files/..%2Fsecret.txt", "/files/escape.txt", "/download/..%2Fsecret.txt"):
        refused = requests.get(f"http://{HOST}:{site.ports['a']}{path}", timeout=TIMEOUT)
        assert refused.status_code == 404 and "X-Accel-Redirect" not in refused.headers, path
        assert session.get(site.url + path, timeout=TIMEOUT).status_code == 404, path


def test_offloaded_ranges_and_conditional_requests(redis_site: Site) -> None:
    site = redis_site
    session = site.session()
    part = session.get(
        site.url + "/files/big.bin", headers={"Range": "bytes=100-199"}, timeout=TIMEOUT
    )
    assert part.status_code == 206
    assert part.headers["Content-Range"] == f"bytes 100-199/{GIB}"
    assert part.content == b"\0" * 100
    tail = session.get(site.url + "/files/big.bin", headers={"Range": "bytes=-10"}, timeout=TIMEOUT)
    assert (tail.status_code, tail.headers["Content-Range"]) == (
        206,
        f"bytes {GIB - 10}-{GIB - 1}/{GIB}",
    )

    first = session.get(site.url + "/files/notes.txt", timeout=TIMEOUT)
    etag, modified = first.headers["ETag"], first.headers["Last-Modified"]
    for condition in ({"If-None-Match": etag}, {"If-Modified-Since": modified}):
        again = session.get(site.url + "/files/notes.txt", headers=condition, timeout=TIMEOUT)
        assert again.status_code == 304, condition
        assert again.content == b""


def test_a_gib_goes_out_through_nginx_with_the_worker_flat(
    redis_site: Site, record_property: t.Callable[[str, t.Any], None]
) -> None:
    site = redis_site
    workers = site.worker_pids()
    assert len(workers) == 2
    rss_before, cpu_before = _usage(workers)
    got, offload_seconds = _download(site.url + "/files/big.bin", site.host)
    rss_after, cpu_after = _usage(workers)
    assert got == GIB
    offload = {
        "MiB/s": round(GIB / (1 << 20) / offload_seconds),
        "rss_delta_kib": (rss_after - rss_before) // 1024,
        "cpu_s": round(cpu_after - cpu_before, 3),
    }
    rss_before, cpu_before = _usage(workers)
    got, python_seconds = _download(site.url + "/python/big.bin", site.host)
    rss_after, cpu_after = _usage(workers)
    assert got == GIB
    python = {
        "MiB/s": round(GIB / (1 << 20) / python_seconds),
        "rss_delta_kib": (rss_after - rss_before) // 1024,
        "cpu_s": round(cpu_after - cpu_before, 3),
    }
    record_property("offload", offload)
    record_property("python", python)
    print(f"\n1 GiB through nginx: offloaded {offload}; through Python {python}")
    assert offload["rss_delta_kib"] < 8 * 1024, offload
    assert offload["cpu_s"] < 0.25, offload


# -- SSE across instances --------------------------------------------------------------


class EventStream:
    """A text/event-stream read from nginx, event by event, with a deadline."""

    def __init__(self, site: Site, last_event_id: str | None = None) -> None:
        headers = {"Host": site.host, "Accept": "text/event-stream"}
        if last_event_id is not None:
            headers["Last-Event-ID"] = last_event_id
        self.connection = http.client.HTTPConnection(HOST, site.http_port, timeout=TIMEOUT)
        self.connection.request("GET", "/events/notes", headers=headers)
        self.answer = self.connection.getresponse()
        assert self.answer.status == 200
        self.instance = self.answer.headers["X-Instance"]
        self.buffer = ""
        self.ended = False

    def next_block(self, limit: float = 5.0) -> str | None:
        """The next event or comment block, or ``None`` at the end of the
        stream; fails after ``limit`` seconds."""
        deadline = time.monotonic() + limit
        while "\n\n" not in self.buffer:
            assert time.monotonic() < deadline, f"no event within {limit} s: {self.buffer!r}"
            data = self.answer.read1(65536)
            if not data:
                self.ended = True
                return None
            self.buffer += data.decode("utf-8")
        block, self.buffer = self.buffer.split("\n\n", 1)
        return block

    def next_event(self, limit: float = 5.0) -> dict[str, str] | None:
        deadline = time.monotonic() + limit
        while True:
            block = self.next_block(max(0.1, deadline - time.monotonic()))
            if block is None:
                return None
            if block.startswith(":"):
                continue
            return dict(line.split(": ", 1) for line in block.splitlines())

    def close(self) -> None:
        self.connection.close()


def _post_note(site: Site, text: str, not_on: str | None = None) -> requests.Response:
    """POST a note through nginx, until an instance other than ``not_on``
    answers (round-robin: at most a few tries)."""
    session = site.session()
    for _ in range(4):
        answer = session.post(site.url + "/notes", json={"text": text}, timeout=TIMEOUT)
        assert answer.status_code == 201, answer.text
        if answer.headers["X-Instance"] != not_on:
            return answer
    pytest.fail(f"no instance other than {not_on} answered")


def test_an_event_posted_to_one_instance_reaches_a_stream_on_the_other(
    redis_site: Site, redis_server: RedisServer
) -> None:
    site = redis_site
    last = max(
        [0, *(row[0] for row in site.session().get(site.url + "/notes", timeout=TIMEOUT).json())]
    )
    stream = EventStream(site, str(last))
    try:
        assert stream.next_block() == ": stream open"
        posted = _post_note(site, "from the other side", not_on=stream.instance)
        note_id = posted.json()["id"]
        while True:
            event = stream.next_event()
            assert event is not None
            if event["id"] == str(note_id):
                break
        assert event["event"] == "note"
        assert json.loads(event["data"]) == {
            "text": "from the other side",
            "by": posted.headers["X-Instance"],
        }
        assert posted.headers["X-Instance"] != stream.instance

        # Redis goes away: the stream ends cleanly and its generator's
        # finally runs; the instance still answers at once.
        record = Path(site.env["DEPLOY_RECORD"])
        closed_before = record.read_text().count(f"closed {stream.instance}")
        redis_server.kill()
        while stream.next_block(limit=5.0) is not None:
            pass
        assert poll(
            lambda: record.read_text().count(f"closed {stream.instance}") > closed_before, 5
        )
        started = time.monotonic()
        plain = requests.get(f"http://{HOST}:{site.ports[stream.instance]}/whoami", timeout=2)
        assert plain.status_code == 200 and time.monotonic() - started < 2

        # Stored while Redis is down, so not published: the reconnect replays it.
        missed = _post_note(site, "while redis was down")
        assert missed.json()["published"] is False
        refused = EventStream(site, str(note_id))
        assert refused.next_event() == {"retry": "500"}
        assert refused.next_block() is None
        refused.close()
    finally:
        stream.close()

    redis_server.start()
    resumed = None
    for _ in range(10):  # EventSource's reconnects, bounded
        candidate = EventStream(site, str(note_id))
        first = candidate.next_event()
        if first is not None and "id" in first:
            resumed = candidate
            break
        candidate.close()
        time.sleep(0.5)
    assert resumed is not None, "the stream did not resume"
    try:
        assert first is not None
        assert (first["id"], json.loads(first["data"])["text"]) == (
            str(missed.json()["id"]),
            "while redis was down",
        )
        live = _post_note(site, "after redis came back", not_on=resumed.instance)
        event = resumed.next_event()
        assert event is not None and event["id"] == str(live.json()["id"])
    finally:
        resumed.close()
