"""Checked by mypy --strict, never run: the typed surface of FilesMixin."""

from __future__ import annotations

import io
from pathlib import Path

from fx_core import compose
from fx_files import FilesMixin


class Response(FilesMixin):
    pass


def views(res: Response) -> None:
    chained: Response = res.attachment("report.pdf")
    chained = res.attachment(Path("sub/report.pdf"), "saved.pdf", max_age=60, etag=False)
    chained = res.send_file("static/a.txt", mimetype="text/plain", as_attachment=True)
    chained = res.send_file(io.BytesIO(b"x"), download_name="x.bin", max_age=lambda path: 60)
    chained = res.send_file("a.txt", root=Path("uploads"), conditional=False, etag="v1")
    chained = res.sendFile("a.txt", last_modified=0)
    chained = res.download("exports/data.csv", "data.csv", root="exports")
    res.send_file("a.txt", colour="red")  # type: ignore[call-arg]
    res.attachmnt("a.txt")  # type: ignore[attr-defined]
    del chained


composed = compose(FilesMixin)
