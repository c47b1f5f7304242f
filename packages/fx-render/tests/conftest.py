from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient

from fx_core import FlaskExpress, compose
from fx_render import RenderMixin

HERE = Path(__file__).parent


@pytest.fixture
def app() -> FlaskExpress:
    app = FlaskExpress(
        __name__,
        response_class=compose(RenderMixin),
        root_path=str(HERE),
        template_folder=str(HERE / "templates"),
    )
    app.config.update(TESTING=True, SECRET_KEY="test-secret")
    return app


@pytest.fixture
def client(app: FlaskExpress) -> FlaskClient:
    return app.test_client()
