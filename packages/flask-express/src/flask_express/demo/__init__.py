"""The Flask-Express demo: one page for each method of ``req`` and ``res``.

Run it with the development server (``app.listen``)::

    hatch run demo                      # http://127.0.0.1:5000
    python -m flask_express.demo --port 8000

or with a production server::

    gunicorn 'flask_express.demo:app'
"""

from __future__ import annotations

import os
import typing as t

from flask_express import FlaskExpress

from .middleware import admins_only, response_time
from .pages import pages
from .views import demos

__all__ = ["DEMO_SECRET_KEY", "app", "create_app"]

#: For this demo only: a fixed key, so sessions work with no setup, survive a
#: restart and are shared by every gunicorn worker. Set the ``FLASK_SECRET_KEY``
#: environment variable to use your own. Never reuse this value in a real app:
#: anyone who knows it can forge session cookies.
DEMO_SECRET_KEY = "flask-express-demo-key-not-secret"


def create_app(config: t.Mapping[str, t.Any] | None = None) -> FlaskExpress:
    """Create the demo app.

    :param config: config values applied last, e.g. ``{"TESTING": True}``.
    """
    app = FlaskExpress(__name__)
    # FLASK_* variables configure the demo, e.g. FLASK_ATTACHMENTS_FOLDER.
    app.config.from_prefixed_env()
    # Read raw: from_prefixed_env parses values as JSON, so a key of digits
    # would become an int.
    app.config["SECRET_KEY"] = os.environ.get("FLASK_SECRET_KEY") or DEMO_SECRET_KEY
    if config is not None:
        app.config.update(config)
    app.use(response_time)
    app.use("/admin", admins_only)
    app.register_blueprint(pages)
    app.register_blueprint(demos)
    return app


#: The app served by ``python -m flask_express.demo`` and
#: ``gunicorn 'flask_express.demo:app'``.
app = create_app()
