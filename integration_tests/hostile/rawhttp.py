"""A raw HTTP/1.1 client over a socket: the request target goes out byte for
byte (no client normalizes ``..`` or re-encodes ``%2e``), and the response
head comes back as the bytes the server wrote, so a split header shows.
"""

from __future__ import annotations

import re
import socket
import time
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["RawResponse", "head_problems", "request"]

#: Seconds one request may take, connection included.
TIMEOUT = 10.0
#: The most bytes read from one response.
MAX_RESPONSE = 8 * 1024 * 1024

_HEADER_LINE = re.compile(rb"([!#$%&'*+\-.^_`|~0-9A-Za-z]+):[ \t]*([ \t\x21-\x7e\x80-\xff]*)")
_STATUS_LINE = re.compile(rb"HTTP/1\.[01] ([0-9]{3})(?: [^\r\n]*)?")


@dataclass
class RawResponse:
    """A response as the server wrote it."""

    status: int
    #: The header lines, exactly as sent (status line and final CRLF left out).
    head: bytes
    #: ``(name, value)`` pairs parsed from :attr:`head`, names lower-cased.
    headers: list[tuple[bytes, bytes]]
    #: The body, de-chunked.
    body: bytes

    def header(self, name: bytes) -> bytes | None:
        for key, value in self.headers:
            if key == name.lower():
                return value
        return None

    def header_list(self, name: bytes) -> list[bytes]:
        return [value for key, value in self.headers if key == name.lower()]

    def header_names(self) -> list[bytes]:
        return [key for key, _ in self.headers]


def head_problems(head: bytes) -> list[str]:
    """Lines of a response head that are not one well-formed header each:
    a bare CR or LF, a name that is not a token, a control character."""
    problems = []
    for line in head.split(b"\r\n"):
        if not _HEADER_LINE.fullmatch(line):
            problems.append(f"malformed header line {line!r}")
    return problems


def _dechunk(data: bytes) -> bytes:
    body = bytearray()
    pos = 0
    while True:
        end = data.index(b"\r\n", pos)
        size = int(data[pos:end].split(b";", 1)[0], 16)
        if size == 0:
            return bytes(body)
        body += data[end + 2 : end + 2 + size]
        pos = end + 2 + size + 2


def request(
    port: int,
    target: bytes,
    method: bytes = b"GET",
    headers: Sequence[tuple[bytes, bytes]] = (),
    body: bytes = b"",
    host: str = "127.0.0.1",
) -> RawResponse:
    """Send one request to ``host:port`` and read the whole response.

    :param target: the request target, sent as is (``/files/../x``).
    :param headers: more request headers, sent as is.
    """
    lines = [
        method + b" " + target + b" HTTP/1.1",
        f"Host: {host}:{port}".encode(),
        b"Connection: close",
        *(name + b": " + value for name, value in headers),
    ]
    if body:
        lines.append(b"Content-Length: " + str(len(body)).encode())
    payload = b"\r\n".join(lines) + b"\r\n\r\n" + body
    deadline = time.monotonic() + TIMEOUT
    received = bytearray()
    with socket.create_connection((host, port), timeout=TIMEOUT) as sock:
        sock.sendall(payload)
        while len(received) <= MAX_RESPONSE:
            sock.settimeout(max(0.1, deadline - time.monotonic()))
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
    data = bytes(received)
    head_end = data.index(b"\r\n\r\n")
    status_line, _, head = data[:head_end].partition(b"\r\n")
    found = _STATUS_LINE.fullmatch(status_line)
    assert found is not None, f"malformed status line {status_line!r}"
    parsed = []
    for line in head.split(b"\r\n") if head else []:
        name, _, value = line.partition(b":")
        parsed.append((name.lower(), value.strip(b" \t")))
    raw_body = data[head_end + 4 :]
    response = RawResponse(int(found.group(1)), head, parsed, raw_body)
    if (response.header(b"transfer-encoding") or b"").lower() == b"chunked":
        response.body = _dechunk(raw_body)
    return response
