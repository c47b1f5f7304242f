"""Mode C: large files. A 1 GiB sparse file sent by a real server.

Both styles serve the same sparse file (1 GiB long, next to no disk) from
gunicorn with one sync worker: ``send_file(path)`` in plain Flask,
``res.send_file(path)`` in Flask-Express. A streaming client on a raw socket
downloads it in interleaved pairs (Flask then Flask-Express, then the other
way round, ...) and measures
the throughput; the worker's peak RSS (``VmHWM`` in /proc/<pid>/status) is
read after a warm-up with the small file and again after every download, so
its growth is what sending 1 GiB cost in memory. One untimed download per
style comes before the timed pairs.
"""

from __future__ import annotations

import socket
import statistics
import tempfile
import time
import typing as t
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .apps import BIG_FILE_ENV, STYLES, check, endpoint, factory_spec
from .servers import HOST, Gunicorn, cpu_sets, http_get, peak_rss, pin

__all__ = ["GIB", "ModeCConfig", "ModeCResult", "download", "run_mode_c"]

GIB = 1 << 30
#: Read buffer of the client.
_BUFFER = 1 << 20


@dataclass
class ModeCConfig:
    #: Size of the sparse file.
    size: int = GIB
    #: Pairs of downloads.
    pairs: int = 9
    pin: bool = True
    log_dir: Path = Path("/tmp")
    log: Callable[[str], None] = print


@dataclass
class Download:
    style: str
    pair: int
    bytes: int
    seconds: float
    mib_per_s: float
    server_cpu_s: float
    worker_peak_rss: int


@dataclass
class Side:
    mib_per_s: float
    server_cpu_s_per_gib: float
    rss_before: int
    rss_after: int
    rss_growth: int


@dataclass
class ModeCResult:
    size: int
    pairs: int
    pinned: bool
    seconds: float
    downloads: list[Download] = field(default_factory=list)
    sides: dict[str, Side] = field(default_factory=dict)
    throughput_ratio: float = 0.0
    throughput_ratio_min: float = 0.0
    throughput_ratio_max: float = 0.0

    def as_dict(self) -> dict[str, t.Any]:
        return asdict(self)


def download(port: int, path: str, expected: int) -> tuple[int, float]:
    """GET ``path`` and read the body into one reused buffer; return
    ``(bytes received, seconds)``.

    Checks the status, the ``Content-Length`` header and that the first and
    last chunks are zeros (the file is sparse).
    """
    request = f"GET {path} HTTP/1.0\r\nHost: {HOST}:{port}\r\n\r\n".encode()
    buffer = bytearray(_BUFFER)
    view = memoryview(buffer)
    started = time.perf_counter()
    with socket.create_connection((HOST, port), timeout=60) as sock:
        sock.sendall(request)
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = sock.recv(65536)
            if not chunk:
                raise RuntimeError(f"{path}: the connection closed in the headers")
            head += chunk
        head, _, first = head.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {
            name.strip().lower(): value.strip()
            for name, _, value in (line.partition(":") for line in lines[1:])
        }
        if status != 200 or headers.get("content-length") != str(expected):
            raise RuntimeError(f"{path}: status {status}, headers {headers}")
        if first.strip(b"\0"):
            raise RuntimeError(f"{path}: the body does not start with zeros")
        received = len(first)
        last = 0
        while True:
            n = sock.recv_into(view)
            if not n:
                break
            received += n
            last = n
        if last and view[:last].tobytes().strip(b"\0"):
            raise RuntimeError(f"{path}: the body does not end with zeros")
    return received, time.perf_counter() - started


def run_mode_c(config: ModeCConfig) -> ModeCResult:
    """Run Mode C and return its figures."""
    started = time.perf_counter()
    log = config.log
    server_cpus, client_cpus = cpu_sets() if config.pin else (None, None)
    small = endpoint("send_file_small")
    result = ModeCResult(
        size=config.size, pairs=config.pairs, pinned=server_cpus is not None, seconds=0.0
    )
    with tempfile.TemporaryDirectory(prefix="fx-bench-c-") as tmp:
        big = Path(tmp) / "big.bin"
        with big.open("wb") as f:
            f.truncate(config.size)  # sparse: the full length, next to no disk
        servers: dict[str, Gunicorn] = {}
        try:
            for style in STYLES:
                servers[style] = Gunicorn(
                    factory_spec(style, "main"),
                    config.log_dir / f"gunicorn-c-{style}.log",
                    workers=1,
                    cpus=server_cpus,
                    env={BIG_FILE_ENV: str(big)},
                )
            workers: dict[str, int] = {}
            before: dict[str, int] = {}
            for style, server in servers.items():
                server.wait_until_answering(small.path)
                for _ in range(3):  # warm the send_file path before the baseline
                    problems = check(small, style, *http_get(server.port, small.path))
                    if problems:
                        raise RuntimeError("\n".join(problems))
                (workers[style],) = server.worker_pids()
                before[style] = peak_rss(workers[style])

            with pin(client_cpus):
                # One untimed download each first: the first pass over the
                # file is slower (page cache), whichever style makes it. The
                # RSS baseline is older, so its cost is in the growth.
                for style in STYLES:
                    download(servers[style].port, "/big", config.size)
                for pair in range(config.pairs):
                    # Flask first, then Flask-Express first: a drift hits both alike.
                    for style in STYLES if pair % 2 == 0 else STYLES[::-1]:
                        server = servers[style]
                        cpu_before = server.cpu_seconds()
                        received, seconds = download(server.port, "/big", config.size)
                        if received != config.size:
                            raise RuntimeError(f"{style}: {received} bytes of {config.size}")
                        rss = peak_rss(workers[style])
                        result.downloads.append(
                            Download(
                                style=style,
                                pair=pair,
                                bytes=received,
                                seconds=seconds,
                                mib_per_s=received / seconds / 2**20,
                                server_cpu_s=server.cpu_seconds() - cpu_before,
                                worker_peak_rss=rss,
                            )
                        )
                        log(
                            f"  mode C: {style} pair {pair + 1}/{config.pairs}: "
                            f"{received / seconds / 2**20:.0f} MiB/s, worker peak RSS "
                            f"{rss / 2**20:.1f} MiB"
                        )
        finally:
            for server in servers.values():
                server.stop()

    for style in STYLES:
        mine = [d for d in result.downloads if d.style == style]
        after = max(d.worker_peak_rss for d in mine)
        result.sides[style] = Side(
            mib_per_s=statistics.median(d.mib_per_s for d in mine),
            server_cpu_s_per_gib=statistics.median(d.server_cpu_s for d in mine)
            * GIB
            / config.size,
            rss_before=before[style],
            rss_after=after,
            rss_growth=after - before[style],
        )
    result.throughput_ratio = result.sides["fx"].mib_per_s / result.sides["flask"].mib_per_s
    ratios = [
        fx.mib_per_s / flask.mib_per_s
        for flask, fx in zip(
            (d for d in result.downloads if d.style == "flask"),
            (d for d in result.downloads if d.style == "fx"),
            strict=True,
        )
    ]
    result.throughput_ratio_min = min(ratios)
    result.throughput_ratio_max = max(ratios)
    result.seconds = time.perf_counter() - started
    return result
