"""``fx_core.http``: each HTTP rule, once, for the request, the response and the pieces."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from werkzeug.datastructures import Headers
from werkzeug.exceptions import BadRequest, HTTPException, NotFound

from fx_core.http import (
    TOKEN,
    check_field_value,
    check_status,
    http_exception,
    is_fresh,
    is_token,
    negotiate,
    parse_http_date,
)

# -- tokens ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["X-Request-Id", "sid", "a!#$%&'*+-.^_`|~9"])
def test_tokens(name: str) -> None:
    assert is_token(name)
    assert TOKEN.fullmatch(name)


@pytest.mark.parametrize("name", ["", "a b", "a;b", "a=b", 'a"b', "é", "a\r\nb", 5, None])
def test_not_tokens(name: object) -> None:
    assert not is_token(name)


# -- field values ----------------------------------------------------------------------


@pytest.mark.parametrize("value", ["no-store", "a\tb", "caf\xe9", ""])
def test_field_values_a_header_can_hold(value: str) -> None:
    assert check_field_value(value, "X") == value


@pytest.mark.parametrize("value", ["a\rb", "a\nb", "a\0b", "a\x1bb", "a\x7fb", "€"])
def test_field_values_no_header_can_hold(value: str) -> None:
    with pytest.raises(ValueError, match=r"^header 'X': value .* contains"):
        check_field_value(value, "header 'X': value")


# -- status codes ----------------------------------------------------------------------


def test_check_status_returns_a_valid_code() -> None:
    assert check_status(201, "send_status") == 201
    assert check_status(301, "redirect", 300, 399) == 301


@pytest.mark.parametrize("code", [99, 1000, 0, -1])
def test_check_status_out_of_range(code: int) -> None:
    with pytest.raises(ValueError, match=rf"res\.send_status\(\): {code} is not a status code"):
        check_status(code, "send_status")


@pytest.mark.parametrize("code", ["200", 200.0, True, None])
def test_check_status_wrong_type(code: object) -> None:
    with pytest.raises(TypeError, match="int status code"):
        check_status(code, "send_status")
    with pytest.raises(ValueError, match="is not a redirect status"):
        check_status(code, "redirect", 300, 399, kind="redirect status", wrong_type=ValueError)


# -- HTTP errors -----------------------------------------------------------------------


def test_http_exception_uses_werkzeugs_class() -> None:
    assert type(http_exception(400)) is BadRequest
    assert type(http_exception(404)) is NotFound


def test_http_exception_for_a_code_werkzeug_has_no_class_for() -> None:
    exc = http_exception(499)
    assert isinstance(exc, HTTPException)
    assert exc.code == 499


# -- dates -----------------------------------------------------------------------------


def test_parse_http_date() -> None:
    assert parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT") == datetime(
        1994, 11, 6, 8, 49, 37, tzinfo=timezone.utc
    )
    assert parse_http_date(None) is None
    assert parse_http_date("yesterday") is None
    # Werkzeug raises OverflowError here; a client can send it.
    assert parse_http_date("Sun, 06 Nov 1994 08:49:37 +9999999999999999999") is None


# -- freshness -------------------------------------------------------------------------

LAST_MODIFIED = "Sun, 06 Nov 1994 08:49:37 GMT"


def fresh(
    request: dict[str, str], response: dict[str, str], method: str = "GET", status: int = 200
) -> bool:
    return is_fresh(method, Headers(request), status, Headers(response))


def test_if_none_match_compares_weakly() -> None:
    assert fresh({"If-None-Match": '"v1"'}, {"ETag": '"v1"'})
    assert fresh({"If-None-Match": 'W/"v1"'}, {"ETag": '"v1"'})
    assert fresh({"If-None-Match": '"v0", "v1"'}, {"ETag": 'W/"v1"'})
    assert not fresh({"If-None-Match": '"v2"'}, {"ETag": '"v1"'})
    assert not fresh({"If-None-Match": '"v1"'}, {})


def test_if_none_match_star_matches_any_response() -> None:
    assert fresh({"If-None-Match": "*"}, {})


def test_if_none_match_decides_alone() -> None:
    both = {"ETag": '"v1"', "Last-Modified": LAST_MODIFIED}
    assert not fresh({"If-None-Match": '"v2"', "If-Modified-Since": LAST_MODIFIED}, both)
    assert fresh(
        {"If-None-Match": '"v1"', "If-Modified-Since": "Sat, 05 Nov 1994 08:49:37 GMT"}, both
    )


def test_if_modified_since() -> None:
    response = {"Last-Modified": LAST_MODIFIED}
    assert fresh({"If-Modified-Since": LAST_MODIFIED}, response)
    assert fresh({"If-Modified-Since": "Mon, 07 Nov 1994 08:49:37 GMT"}, response)
    assert not fresh({"If-Modified-Since": "Sat, 05 Nov 1994 08:49:37 GMT"}, response)
    assert not fresh({"If-Modified-Since": LAST_MODIFIED}, {})
    assert not fresh({"If-Modified-Since": "not a date"}, response)


@pytest.mark.parametrize("cache_control", ["no-cache", "max-age=0, no-cache", "No-Cache"])
def test_no_cache_is_never_fresh(cache_control: str) -> None:
    assert not fresh({"If-None-Match": '"v1"', "Cache-Control": cache_control}, {"ETag": '"v1"'})


def test_only_get_and_head_with_2xx_or_304() -> None:
    request, response = {"If-None-Match": '"v1"'}, {"ETag": '"v1"'}
    assert fresh(request, response, "HEAD")
    assert fresh(request, response, status=304)
    assert not fresh(request, response, "POST")
    assert not fresh(request, response, status=404)
    assert not fresh(request, response, status=301)


def test_an_unconditional_request_is_not_fresh() -> None:
    assert not fresh({}, {"ETag": '"v1"', "Last-Modified": LAST_MODIFIED})


# -- negotiation -----------------------------------------------------------------------

OFFERED = {"html": "text/html", "json": "application/json"}


def best(header: str | None, offered: dict[str, str] = OFFERED) -> str | None:
    return negotiate(header, offered)


def test_negotiate_by_quality_then_order() -> None:
    assert best("application/json") == "json"
    assert best("text/html;q=0.5, application/json") == "json"
    assert best("*/*") == "html"
    assert best("text/*, application/json;q=0.1") == "html"


def test_negotiate_without_an_accept_header_gives_the_first() -> None:
    assert best(None) == "html"
    assert best("  ") == "html"


def test_negotiate_nothing_acceptable() -> None:
    assert best("image/png") is None
    assert best("text/html;q=0") is None
    assert best("application/xml", {}) is None


def test_negotiate_follows_the_clients_order_among_equal_qualities() -> None:
    # Express's negotiator: quality, then specificity, then the client's order.
    assert best("application/json, text/html") == "json"
    assert best("text/html, application/json") == "html"
    assert best("text/*, application/json") == "json"


def test_negotiate_matches_star_slash_subtype() -> None:
    assert best("*/html") == "html"
    assert best("*/json;q=0.9, text/plain") == "json"


def test_negotiate_ignores_parameters_of_what_is_offered() -> None:
    assert best("text/html", {"page": "text/html; charset=utf-8"}) == "page"
