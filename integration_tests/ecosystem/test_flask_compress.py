"""Flask-Compress on (req, res) answers: exactly as on plain Flask's equivalent views."""

from __future__ import annotations

import gzip
import typing as t
import zlib
from pathlib import Path

import brotli
import flask
import pytest
from flask_compress import Compress

from flask_express import FlaskExpress

DATA = {"items": [{"id": i, "name": f"item {i}", "tags": ["a", "b", "c"]} for i in range(500)]}
CHUNKS = [f"<p>line {i}: {'x' * 60}</p>\n" for i in range(300)]
ENCODINGS = ("gzip", "br", "deflate", "identity")


def decode(rv: t.Any) -> bytes:
    data = rv.get_data()
    encoding = rv.headers.get("Content-Encoding")
    if encoding == "gzip":
        return gzip.decompress(data)
    if encoding == "br":
        return t.cast(bytes, brotli.decompress(data))
    if encoding == "deflate":
        return zlib.decompress(data)
    assert encoding is None, encoding
    return t.cast(bytes, data)


def express_body(kind: str, file: Path) -> t.Callable[..., t.Any]:
    def body(req: t.Any, res: t.Any) -> t.Any:
        if kind == "json":
            return res.json(DATA)
        if kind == "file":
            return res.send_file(file)
        res.send(chunk for chunk in CHUNKS)  # a generator: a streamed body
        return None

    return body


def plain_view(kind: str, file: Path) -> t.Callable[..., t.Any]:
    def view() -> t.Any:
        if kind == "json":
            return flask.jsonify(DATA)
        if kind == "file":
            return flask.send_file(file)
        return flask.stream_with_context(chunk for chunk in CHUNKS)

    return view


def answer(client: t.Any, encoding: str) -> tuple[t.Any, ...]:
    # Closed: a file body left open warns (ResourceWarning).
    with client.get("/data", headers={"Accept-Encoding": encoding}) as rv:
        return (
            rv.status_code,
            rv.headers.get("Content-Encoding"),
            rv.headers.get("Vary"),
            rv.headers.get("Content-Length"),
            rv.mimetype,
            decode(rv),
        )


@pytest.fixture
def data_file(tmp_path: Path) -> Path:
    path = tmp_path / "report.txt"
    path.write_text("".join(CHUNKS), encoding="utf-8")
    return path


# Flask-Compress wraps a streamed file body in a generator and never closes
# the file: it stays open until garbage collection, on plain Flask as here.
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize(
    ("kind", "streams"),
    [
        ("json", True),
        ("json", False),
        ("file", True),
        ("file", False),
        ("stream", True),
        ("stream", False),
    ],
)
def test_compressed_as_plain_flask_compresses(
    shape: str, serve: t.Any, kind: str, streams: bool, data_file: Path
) -> None:
    config = {"COMPRESS_STREAMS": streams}
    plain = flask.Flask(__name__)
    plain.config.update(config)
    Compress(plain)
    plain.add_url_rule("/data", "data", plain_view(kind, data_file))

    express = FlaskExpress(__name__)
    express.config.update(config)
    Compress(express)
    serve(express, "/data", express_body(kind, data_file), shape)

    plain_client, express_client = plain.test_client(), express.test_client()
    for encoding in ENCODINGS:
        expected = answer(plain_client, encoding)
        assert answer(express_client, encoding) == expected, encoding

        status, content_encoding, vary, length, _, body = expected
        assert status == 200
        assert vary == "Accept-Encoding"
        # What the comparison covers, spelled out: a whole body is
        # compressed, with a Content-Length; a stream (a file is one) only
        # with COMPRESS_STREAMS, chunked, and never with gzip (not among
        # COMPRESS_ALGORITHM_STREAMING's defaults).
        compressed = encoding != "identity" and (kind == "json" or (streams and encoding != "gzip"))
        assert content_encoding == (encoding if compressed else None)
        if kind == "json":
            assert flask.json.loads(body) == DATA
            assert length is not None
        else:
            assert body == "".join(CHUNKS).encode()
        if kind == "stream" or (kind == "file" and compressed):
            assert length is None


def test_small_bodies_and_errors_are_left_alone() -> None:
    app = FlaskExpress(__name__)
    Compress(app)

    @app.get("/small")
    def small(req: t.Any, res: t.Any) -> None:
        res.json(ok=True)

    @app.get("/missing")
    def missing(req: t.Any, res: t.Any) -> t.Any:
        return res.send_status(404).json(error="x" * 2000)

    @app.get("/empty")
    def empty(req: t.Any, res: t.Any) -> t.Any:
        return res.end(200)

    client = app.test_client()
    headers = {"Accept-Encoding": "gzip"}
    for path, status in (("/small", 200), ("/missing", 404), ("/empty", 200)):
        rv = client.get(path, headers=headers)
        assert rv.status_code == status
        assert "Content-Encoding" not in rv.headers
        assert rv.headers["Vary"] == "Accept-Encoding"
