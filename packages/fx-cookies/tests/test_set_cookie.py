"""``res.set_cookie`` and its aliases ``cookie`` and ``setCookie`` (docs/packages/fx-cookies.md).

Every test makes a real request through Flask's test client and asserts the
raw ``Set-Cookie`` header. Views that must keep going after a failed call
catch the error, record it and then answer, so the test can also check that
the failed call added nothing.
"""

from __future__ import annotations

import inspect
import typing as t
import warnings
from datetime import datetime, timedelta, timezone

import pytest
from flask.testing import FlaskClient

import fx_core
from fx_cookies import CookiesMixin, CookiesRequest
from fx_core import FlaskExpress, Request, compose

SETTERS = ["set_cookie", "cookie", "setCookie"]


def set_cookies(rv: t.Any) -> list[str]:
    return list(rv.headers.getlist("Set-Cookie"))


def cookie_app(app: FlaskExpress, **options: t.Any) -> None:
    """Route ``/`` sets cookie ``c`` = ``v`` with ``options`` and sends ``ok``."""

    @app.get("/")
    def view(req: Request, res: CookiesMixin) -> CookiesMixin:
        return res.set_cookie("c", "v", **options).send("ok")


def failing_app(app: FlaskExpress, call: t.Callable[[CookiesMixin], t.Any]) -> None:
    """Route ``/`` runs ``call(res)``, which must raise, and answers with the
    exception's type and message."""

    @app.get("/")
    def view(req: Request, res: CookiesMixin) -> CookiesMixin:
        try:
            call(res)
        except Exception as e:
            return res.send(f"{type(e).__name__}: {e}")
        return res.send("no error")


# -- defaults, aliases, chaining ----------------------------------------------


@pytest.mark.parametrize("method", SETTERS)
def test_setter_adds_only_path_by_default_and_chains(
    app: FlaskExpress, client: FlaskClient, method: str
) -> None:
    @app.get("/")
    def view(req: Request, res: CookiesMixin) -> CookiesMixin:
        chained = getattr(res, method)("theme", "dark")
        assert chained is res
        return chained.send("ok")

    rv = client.get("/")
    assert rv.status_code == 200
    assert rv.data == b"ok"
    assert set_cookies(rv) == ["theme=dark; Path=/"]
    jar_cookie = client.get_cookie("theme")
    assert jar_cookie is not None
    assert jar_cookie.value == "dark"


def test_aliases_are_the_same_method() -> None:
    methods = vars(CookiesMixin)
    assert methods["cookie"] is methods["set_cookie"]
    assert methods["setCookie"] is methods["set_cookie"]


def test_value_defaults_to_empty(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: CookiesMixin) -> CookiesMixin:
        return res.cookie("flag").send("ok")

    assert set_cookies(client.get("/")) == ["flag=; Path=/"]


def test_chained_cookies_give_one_header_each_in_order(
    app: FlaskExpress, client: FlaskClient
) -> None:
    @app.get("/")
    def view(req: Request, res: CookiesMixin) -> CookiesMixin:
        return res.cookie("a", "1").setCookie("b", "2").set_cookie("c", "3").send("ok")

    rv = client.get("/")
    assert rv.data == b"ok"
    assert set_cookies(rv) == ["a=1; Path=/", "b=2; Path=/", "c=3; Path=/"]


def test_set_cookie_is_real_on_the_composed_class() -> None:
    composed = compose(CookiesMixin)
    assert inspect.getattr_static(composed, "set_cookie") is vars(CookiesMixin)["set_cookie"]
    assert composed.request_mixin is CookiesRequest


# -- each parameter --------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"max_age": 60}, "Max-Age=60"),
        ({"max_age": timedelta(minutes=2)}, "Max-Age=120"),
        ({"max_age": 0}, "Max-Age=0"),
        ({"path": "/admin"}, "Path=/admin"),
        ({"domain": "example.com"}, "Domain=example.com"),
        ({"domain": ".example.com"}, "Domain=example.com"),
        ({"secure": True}, "Secure"),
        ({"httponly": True}, "HttpOnly"),
        ({"samesite": "Strict"}, "SameSite=Strict"),
        ({"samesite": "Lax"}, "SameSite=Lax"),
        ({"samesite": "None", "secure": True}, "SameSite=None"),
        ({"partitioned": True}, "Partitioned"),
    ],
)
def test_each_parameter_adds_its_attribute(
    app: FlaskExpress, client: FlaskClient, options: dict[str, t.Any], expected: str
) -> None:
    cookie_app(app, **options)
    rv = client.get("/")
    assert rv.status_code == 200
    [header] = set_cookies(rv)
    assert header.startswith("c=v; ")
    assert expected in header.split("; ")


@pytest.mark.parametrize(
    ("samesite", "expected"),
    [
        ("strict", "Strict"),
        ("STRICT", "Strict"),
        ("lax", "Lax"),
        ("lAx", "Lax"),
        ("none", "None"),
        ("NONE", "None"),
    ],
)
def test_samesite_is_normalized(
    app: FlaskExpress, client: FlaskClient, samesite: str, expected: str
) -> None:
    cookie_app(app, samesite=samesite, secure=True)
    [header] = set_cookies(client.get("/"))
    assert header.endswith(f"; SameSite={expected}")


def test_max_age_adds_a_matching_expires(app: FlaskExpress, client: FlaskClient) -> None:
    cookie_app(app, max_age=60)
    [header] = set_cookies(client.get("/"))
    attributes = header.split("; ")
    assert attributes[0] == "c=v"
    [expires] = [a for a in attributes if a.startswith("Expires=")]
    sent = datetime.strptime(expires[len("Expires=") :], "%a, %d %b %Y %H:%M:%S GMT")
    delta = sent.replace(tzinfo=timezone.utc) - datetime.now(tz=timezone.utc)
    assert timedelta(seconds=0) < delta <= timedelta(seconds=61)
    assert "Max-Age=60" in attributes


@pytest.mark.parametrize(
    ("expires", "expected"),
    [
        (datetime(2037, 10, 21, 7, 28, tzinfo=timezone.utc), "Wed, 21 Oct 2037 07:28:00 GMT"),
        (0, "Thu, 01 Jan 1970 00:00:00 GMT"),
        (2_000_000_000, "Wed, 18 May 2033 03:33:20 GMT"),
        (2_000_000_000.5, "Wed, 18 May 2033 03:33:20 GMT"),
        ("Wed, 21 Oct 2037 07:28:00 GMT", "Wed, 21 Oct 2037 07:28:00 GMT"),
    ],
)
def test_expires_takes_a_datetime_a_timestamp_or_a_str(
    app: FlaskExpress, client: FlaskClient, expires: t.Any, expected: str
) -> None:
    cookie_app(app, expires=expires)
    assert set_cookies(client.get("/")) == [f"c=v; Expires={expected}; Path=/"]


def test_path_none_leaves_path_out(app: FlaskExpress, client: FlaskClient) -> None:
    cookie_app(app, path=None)
    assert set_cookies(client.get("/")) == ["c=v"]


def test_partitioned_implies_secure(app: FlaskExpress, client: FlaskClient) -> None:
    cookie_app(app, partitioned=True)
    assert set_cookies(client.get("/")) == ["c=v; Secure; Path=/; Partitioned"]


def test_every_attribute_at_once(app: FlaskExpress, client: FlaskClient) -> None:
    cookie_app(
        app,
        expires=0,
        path="/app",
        domain="example.com",
        secure=True,
        httponly=True,
        samesite="strict",
        partitioned=True,
    )
    assert set_cookies(client.get("/")) == [
        "c=v; Domain=example.com; Expires=Thu, 01 Jan 1970 00:00:00 GMT; Secure; HttpOnly; "
        "Path=/app; SameSite=Strict; Partitioned"
    ]


@pytest.mark.parametrize("flag", ["secure", "httponly"])
def test_a_truthy_flag_is_written_as_a_bare_flag(
    app: FlaskExpress, client: FlaskClient, flag: str
) -> None:
    # Config values such as SESSION_COOKIE_SECURE=1 reach set_cookie as is.
    cookie_app(app, **{flag: 1})
    [header] = set_cookies(client.get("/"))
    assert {"Secure", "HttpOnly"} & set(header.split("; ")) == {
        {"secure": "Secure", "httponly": "HttpOnly"}[flag]
    }
    assert "=1" not in header


def test_no_attribute_the_caller_did_not_ask_for(app: FlaskExpress, client: FlaskClient) -> None:
    cookie_app(app)
    [header] = set_cookies(client.get("/"))
    for attribute in ("SameSite", "Secure", "HttpOnly", "Domain", "Max-Age", "Expires"):
        assert attribute not in header
    # No default signing either: the value is sent as given.
    assert header == "c=v; Path=/"


# -- values are encoded, never injected --------------------------------------


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        ("a;b", '"a\\073b"'),
        ("x\r\nSet-Cookie: evil=1", '"x\\015\\012Set-Cookie: evil=1"'),
        ("1; Domain=evil.example; HttpOnly", '"1\\073 Domain=evil.example\\073 HttpOnly"'),
        ('say "hi"', '"say \\"hi\\""'),
        ("a,b", '"a\\054b"'),
        ("h\u00e9llo", '"h\\303\\251llo"'),
        ("back\\slash", '"back\\\\slash"'),
    ],
)
def test_values_are_encoded_not_injected(
    app: FlaskExpress, client: FlaskClient, value: str, encoded: str
) -> None:
    @app.get("/set")
    def set_view(req: Request, res: CookiesMixin) -> CookiesMixin:
        return res.cookie("c", value).send("ok")

    @app.get("/read")
    def read_view(req: Request, res: CookiesMixin) -> CookiesMixin:
        return res.json({"c": req.cookies.get("c")})

    rv = client.get("/set")
    raw = set_cookies(rv)
    assert raw == [f"c={encoded}; Path=/"]
    assert "\r" not in raw[0] and "\n" not in raw[0]
    # One header only, and no attribute beyond Path.
    assert [a.split("=")[0] for a in raw[0].split("; ")[1:]] == ["Path"]
    # The browser (here the test client's jar) gives the value back intact.
    assert client.get("/read").json == {"c": value}


def test_a_non_str_value_raises_type_error(app: FlaskExpress, client: FlaskClient) -> None:
    failing_app(app, lambda res: res.cookie("c", 42))  # type: ignore[arg-type]
    rv = client.get("/")
    assert rv.data == b"TypeError: res.set_cookie('c'): the value must be a str, got int"
    assert set_cookies(rv) == []


# -- cookie names ----------------------------------------------------------------

BAD_NAMES = [
    "",
    "two words",
    " lead",
    "semi;colon",
    "eq=uals",
    "com,ma",
    'quo"te',
    "tab\there",
    "new\nline",
    "cr\rhere",
    "nul\0",
    "del\x7f",
    "caf\u00e9",
    "slash/",
    "at@",
    "colon:",
    "paren(",
    "brace{",
    "bracket[",
    "question?",
    "back\\slash",
]


@pytest.mark.parametrize("method", SETTERS)
@pytest.mark.parametrize("name", BAD_NAMES)
def test_a_name_that_is_not_a_token_raises_value_error(
    app: FlaskExpress, client: FlaskClient, method: str, name: str
) -> None:
    failing_app(app, lambda res: getattr(res, method)(name, "v"))
    rv = client.get("/")
    assert rv.status_code == 200
    assert rv.data.startswith(b"ValueError: res.set_cookie(): ")
    assert b"is not a valid cookie name" in rv.data
    assert set_cookies(rv) == []


@pytest.mark.parametrize("name", ["a", "Session_ID", "__Host-id", "x.y", "a!#$%&'*+-.^_`|~9"])
def test_token_names_are_accepted(app: FlaskExpress, client: FlaskClient, name: str) -> None:
    @app.get("/")
    def view(req: Request, res: CookiesMixin) -> CookiesMixin:
        return res.cookie(name, "v").send("ok")

    assert set_cookies(client.get("/")) == [f"{name}=v; Path=/"]


def test_a_non_str_name_raises_type_error(app: FlaskExpress, client: FlaskClient) -> None:
    failing_app(app, lambda res: res.cookie(b"c", "v"))  # type: ignore[arg-type]
    rv = client.get("/")
    assert rv.data == b"TypeError: res.set_cookie(): a cookie name must be a str, got bytes"
    assert set_cookies(rv) == []


# -- SameSite ----------------------------------------------------------------------


@pytest.mark.parametrize("samesite", ["", "Strictly", "none ", "no", "Lax;", True, 1])
def test_a_bad_samesite_raises_value_error(
    app: FlaskExpress, client: FlaskClient, samesite: t.Any
) -> None:
    failing_app(app, lambda res: res.cookie("c", "v", samesite=samesite))
    rv = client.get("/")
    message = (
        "ValueError: res.set_cookie(): samesite must be 'Strict', 'Lax' or 'None', "
        f"got {samesite!r}"
    )
    assert rv.data == message.encode()
    assert set_cookies(rv) == []


@pytest.mark.parametrize("method", SETTERS)
@pytest.mark.parametrize("samesite", ["None", "none"])
def test_samesite_none_without_secure_warns_and_still_sets(
    app: FlaskExpress, client: FlaskClient, method: str, samesite: str
) -> None:
    @app.get("/")
    def view(req: Request, res: CookiesMixin) -> CookiesMixin:
        return t.cast(CookiesMixin, getattr(res, method)("c", "v", samesite=samesite).send("ok"))

    with pytest.warns(UserWarning, match=r"SameSite=None without secure=True") as record:
        rv = client.get("/")
    assert rv.status_code == 200
    assert set_cookies(rv) == ["c=v; Path=/; SameSite=None"]
    # The warning points at the view, the line that made the mistake.
    assert record[0].filename == __file__


def test_samesite_none_with_secure_does_not_warn(app: FlaskExpress, client: FlaskClient) -> None:
    # pytest runs with filterwarnings=error: a warning would fail this request.
    cookie_app(app, samesite="None", secure=True)
    assert set_cookies(client.get("/")) == ["c=v; Secure; Path=/; SameSite=None"]


def test_samesite_none_partitioned_does_not_warn(app: FlaskExpress, client: FlaskClient) -> None:
    # Partitioned implies Secure, so browsers keep the cookie.
    cookie_app(app, samesite="None", partitioned=True)
    assert set_cookies(client.get("/")) == ["c=v; Secure; Path=/; SameSite=None; Partitioned"]


# -- other bad attributes ----------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"max_age": "60"}, "TypeError: res.set_cookie(): max_age must be an int of seconds"),
        ({"max_age": 1.5}, "TypeError: res.set_cookie(): max_age must be an int of seconds"),
        ({"max_age": True}, "TypeError: res.set_cookie(): max_age must be an int of seconds"),
        ({"expires": object()}, "TypeError: res.set_cookie(): expires must be a datetime"),
        ({"expires": True}, "TypeError: res.set_cookie(): expires must be a datetime"),
        ({"expires": "0; Domain=evil"}, "ValueError: res.set_cookie(): expires '0; Domain=evil'"),
        ({"expires": "Thu\r\nX: y"}, "ValueError: res.set_cookie(): expires 'Thu\\r\\nX: y'"),
        ({"domain": "a;b.com"}, "ValueError: res.set_cookie(): 'a;b.com' is not a valid"),
        ({"domain": "a b.com"}, "ValueError: res.set_cookie(): 'a b.com' is not a valid"),
        ({"domain": "a.com\r\nX: y"}, "ValueError: res.set_cookie(): 'a.com\\r\\nX: y' is not"),
        ({"domain": 'a".com'}, "ValueError: res.set_cookie(): 'a\".com' is not a valid"),
        ({"domain": 7}, "TypeError: res.set_cookie(): domain must be a str, got int"),
        ({"path": 7}, "TypeError: res.set_cookie(): path must be a str or None, got int"),
    ],
)
def test_bad_attributes_raise_and_change_nothing(
    app: FlaskExpress, client: FlaskClient, options: dict[str, t.Any], message: str
) -> None:
    failing_app(app, lambda res: res.cookie("c", "v", **options))
    rv = client.get("/")
    assert rv.data.decode().startswith(message)
    assert set_cookies(rv) == []


def test_a_path_with_separators_is_percent_encoded(app: FlaskExpress, client: FlaskClient) -> None:
    cookie_app(app, path="/a;b\r\nc")
    assert set_cookies(client.get("/")) == ["c=v; Path=/a%3Bb%0D%0Ac"]


def test_a_non_ascii_domain_is_idna_encoded(app: FlaskExpress, client: FlaskClient) -> None:
    cookie_app(app, domain="b\u00fccher.example")
    assert set_cookies(client.get("/")) == ["c=v; Domain=xn--bcher-kva.example; Path=/"]


# -- cookies survive terminal methods ----------------------------------------------


def test_cookies_set_before_json_are_kept(app: FlaskExpress, client: FlaskClient) -> None:
    # Finish res and return nothing, as in Express; Flask's route typing
    # does not know that form.
    @app.get("/")  # type: ignore[type-var]
    def view(req: Request, res: CookiesMixin) -> None:
        res.cookie("a", "1", httponly=True).cookie("b", "2")
        res.json({"ok": True})

    rv = client.get("/")
    assert rv.status_code == 200
    assert rv.headers["Content-Type"] == "application/json"
    assert rv.data == b'{"ok":true}\n'
    assert set_cookies(rv) == ["a=1; HttpOnly; Path=/", "b=2; Path=/"]


def test_cookies_set_before_a_redirect_are_kept(app: FlaskExpress, client: FlaskClient) -> None:
    @app.get("/")
    def view(req: Request, res: CookiesMixin) -> CookiesMixin:
        return res.send_status(303).cookie("next", "home").redirect("/home")

    rv = client.get("/")
    assert rv.status_code == 303
    assert rv.headers["Location"] == "/home"
    assert set_cookies(rv) == ["next=home; Path=/"]


def test_a_cookie_can_be_set_after_the_response_is_finished(
    app: FlaskExpress, client: FlaskClient
) -> None:
    # Flask's session adds its cookie after the view, to a finished response.
    @app.get("/")
    def view(req: Request, res: CookiesMixin) -> CookiesMixin:
        res.send("ok")
        return res.cookie("late", "1")

    rv = client.get("/")
    assert rv.data == b"ok"
    assert set_cookies(rv) == ["late=1; Path=/"]


# -- an override: Werkzeug's method is still called --------------------------------


class Recorder(fx_core.Response):
    """A mixin placed after CookiesMixin, to see what reaches ``super()``."""

    calls: t.ClassVar[list[tuple[tuple[t.Any, ...], dict[str, t.Any]]]] = []

    def set_cookie(self, *args: t.Any, **kwargs: t.Any) -> None:
        Recorder.calls.append((args, kwargs))
        super().set_cookie(*args, **kwargs)


def test_set_cookie_calls_super() -> None:
    Recorder.calls.clear()
    app = FlaskExpress(__name__, response_class=compose(CookiesMixin, Recorder))
    app.config.update(TESTING=True, SECRET_KEY="test-secret")

    @app.get("/")
    def view(req: Request, res: CookiesMixin) -> CookiesMixin:
        return res.cookie("c", "v", max_age=5, samesite="lax").send("ok")

    rv = app.test_client().get("/")
    assert set_cookies(rv)[0].startswith("c=v; Expires=")
    assert set_cookies(rv)[0].endswith("; Max-Age=5; Path=/; SameSite=Lax")
    [(args, kwargs)] = Recorder.calls
    assert args == ("c", "v")
    assert kwargs == {
        "max_age": 5,
        "expires": None,
        "path": "/",
        "domain": None,
        "secure": False,
        "httponly": False,
        "samesite": "Lax",
    }


# -- MAX_COOKIE_SIZE ----------------------------------------------------------


def test_max_cookie_size_is_the_apps_config_read_on_each_call(
    app: FlaskExpress, client: FlaskClient
) -> None:
    # res reads the limit from its own app (not through current_app); a
    # change after the app was created still applies, as in Flask.
    sizes: list[int] = []

    @app.get("/")
    def view(req: Request, res: CookiesMixin) -> CookiesMixin:
        sizes.append(res.max_cookie_size)
        return res.set_cookie("big", "x" * 200).send("ok")

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert client.get("/").status_code == 200
    app.config["MAX_COOKIE_SIZE"] = 100
    with pytest.warns(UserWarning, match="cookie is too large"):
        rv = client.get("/")
    assert sizes == [4093, 100]
    assert set_cookies(rv) == [f"big={'x' * 200}; Path=/"]


def test_max_cookie_size_outside_an_app_is_werkzeugs_default() -> None:
    assert compose(CookiesMixin)().max_cookie_size == 4093
