"""fx-files: ``res.attachment``, ``res.send_file`` and ``res.download`` for
Flask-Express, with client-chosen names confined to their folder.

::

    from fx_core import FlaskExpress, compose
    from fx_files import FilesMixin

    app = FlaskExpress(__name__, response_class=compose(FilesMixin))

    @app.get("/files/<path:name>")
    def file(req, res, name):
        return res.send_file(name, root="files")
"""

from .__about__ import __version__
from .files import FilesMixin

__all__ = ["FilesMixin", "__version__"]
