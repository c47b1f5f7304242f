from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from fx_core import FlaskExpress, compose
from fx_sse import SSEMixin


@pytest.fixture
def app() -> FlaskExpress:
    app = FlaskExpress(__name__, response_class=compose(SSEMixin))
    app.config.update(TESTING=True, SECRET_KEY="test-secret")
    return app


@pytest.fixture
def client(app: FlaskExpress) -> FlaskClient:
    return app.test_client()
