"""fx-cookies: cookies for Flask-Express.

``res.set_cookie`` / ``cookie`` / ``setCookie``, ``res.clear_cookie`` /
``clearCookie``, signed cookies, and ``req.signed_cookies``::

    from fx_core import FlaskExpress, compose
    from fx_cookies import CookiesMixin

    app = FlaskExpress(__name__, response_class=compose(CookiesMixin))

    @app.post("/login")
    def login(req, res):
        return res.cookie("user_id", "42", httponly=True, signed=True).json(ok=True)
"""

from .__about__ import __version__
from .cookies import SALT, CookiesMixin, CookiesRequest, SignedCookieMunch, signed_cookies

__all__ = [
    "SALT",
    "CookiesMixin",
    "CookiesRequest",
    "SignedCookieMunch",
    "__version__",
    "signed_cookies",
]
