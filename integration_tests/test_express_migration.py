"""The Express migration guide's download example runs as written
(docs/migration/from-express.md, "Downloads of generated content")."""

from __future__ import annotations

import re
from pathlib import Path

from werkzeug.http import parse_options_header

from flask_express import FlaskExpress

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "migration" / "from-express.md"


def _example() -> str:
    text = GUIDE.read_text(encoding="utf-8")
    section = text.split("### Downloads of generated content", 1)[1]
    match = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert match, "the section has no Python example"
    return match.group(1)


def test_the_download_example_sends_the_bytes_as_an_attachment() -> None:
    app = FlaskExpress(__name__)
    namespace = {"app": app}
    exec(compile(_example(), str(GUIDE), "exec"), namespace)

    rv = app.test_client().get("/report.csv")
    assert rv.status_code == 200
    assert rv.data == b"id,name\n1,Ada\n"
    assert rv.headers["Content-Type"] == "text/csv; charset=utf-8"
    disposition, options = parse_options_header(rv.headers["Content-Disposition"])
    assert disposition == "attachment"
    # Werkzeug decodes filename* over filename: the real name comes back.
    assert options["filename"] == "rapport été.csv"
    assert 'filename="rapport _t_.csv"' in rv.headers["Content-Disposition"]


def test_the_header_helper_keeps_an_ascii_name_plain() -> None:
    namespace = {"app": FlaskExpress(__name__)}
    exec(compile(_example(), str(GUIDE), "exec"), namespace)
    assert namespace["download_headers"]("report.csv") == "attachment; filename=report.csv"
    assert namespace["download_headers"]('a "b".csv') == 'attachment; filename="a \\"b\\".csv"'
