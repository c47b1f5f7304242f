from __future__ import annotations

import typing as t

import pytest
from flask.testing import FlaskClient

from fx_core import FlaskExpress


@pytest.fixture
def app() -> FlaskExpress:
    app = FlaskExpress(__name__)
    app.config.update(TESTING=True, SECRET_KEY="test-secret")
    return app


@pytest.fixture
def client(app: FlaskExpress) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def pieces_not_installed(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make fx-core see none of the pieces as installed, as in an
    environment with fx-core alone (integration_tests/test_partial_installs.py
    checks that for real), so MissingFeature gives its not-installed form."""
    from fx_core import pieces

    modules = {piece.module for piece in pieces.PIECES}
    real = pieces.find_spec

    def find_spec(name: str, package: str | None = None) -> t.Any:
        return None if name in modules else real(name, package)

    monkeypatch.setattr(pieces, "find_spec", find_spec)
