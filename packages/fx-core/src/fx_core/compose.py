"""Build the response class from the pieces' mixins, and the request class that goes with it."""

from __future__ import annotations

import typing as t
from functools import lru_cache

from flask.wrappers import Request as FlaskRequest

from .request import Request
from .response import Response

__all__ = ["compose", "compose_request"]


def compose(*mixins: type[Response], name: str = "Response") -> type[Response]:
    """Return a new subclass of :class:`fx_core.Response` with ``mixins``
    before the base in its MRO.

    :param mixins: response mixins, each a subclass of :class:`fx_core.Response`
        (``CookiesMixin``, ``FilesMixin``, ...). With none, a plain subclass is
        returned.
    :param name: the new class's name.
    :raises TypeError: for an argument that is not a mixin, or a mixin given
        twice; each names the culprit.

    ::

        from fx_cookies import CookiesMixin
        from fx_files import FilesMixin

        Response = compose(CookiesMixin, FilesMixin)
        app = FlaskExpress(__name__, response_class=Response)
    """
    seen: set[type[Response]] = set()
    for mixin in mixins:
        if not isinstance(mixin, type) or not issubclass(mixin, Response):
            raise TypeError(
                f"compose() takes response mixins (subclasses of fx_core.Response), got {mixin!r}"
            )
        if mixin is Response:
            raise TypeError("compose() adds fx_core.Response itself; pass only mixins")
        if mixin in seen:
            raise TypeError(f"compose() got {mixin.__qualname__} more than once")
        seen.add(mixin)
    namespace: dict[str, t.Any] = {
        "__module__": __name__,
        "__qualname__": name,
        "__doc__": f"Response composed of {', '.join(m.__name__ for m in mixins) or 'no mixins'}.",
    }
    return type(name, (*mixins, Response), namespace)


def compose_request(response_class: type, base: type[FlaskRequest] = Request) -> type[FlaskRequest]:
    """Return the request class that goes with ``response_class``: ``base``
    with the :attr:`~fx_core.Response.request_mixin` of every piece composed
    into ``response_class`` before it in the MRO.

    :class:`~fx_core.FlaskExpress` calls this for its ``request_class``, so
    composing ``FlashMixin`` into the response also gives ``req.flashes()``.
    ``base`` itself is returned when there is nothing to add: no piece
    brings a reader, ``base`` already has them all, or ``base`` is not built
    on :class:`fx_core.Request` (a plain :class:`flask.Request` stays as
    given). The same arguments always give the same class.

    :param response_class: the app's response class.
    :param base: the request class to build on.
    :raises TypeError: a ``request_mixin`` is not a subclass of
        :class:`fx_core.Request`.

    ::

        compose_request(compose(FlashMixin)).flashes  # fx-flash's reader

    .. versionadded:: 1.0
    """
    # Classes are hashable; typeshed's Hashable protocol does not see it.
    composed: type[FlaskRequest] = _composed_request(response_class, base)  # type: ignore[arg-type]
    return composed


# Read once per request by FlaskExpress.request_class: the same pair of classes
# always gives the same class, made once.
@lru_cache(maxsize=64)
def _composed_request(response_class: t.Any, base: t.Any) -> t.Any:
    if not isinstance(base, type) or not issubclass(base, Request):
        return base
    mixins: list[type[Request]] = []
    for cls in getattr(response_class, "__mro__", ()):
        mixin = cls.__dict__.get("request_mixin")
        if mixin is None:
            continue
        if not isinstance(mixin, type) or not issubclass(mixin, Request):
            raise TypeError(
                f"{cls.__qualname__}.request_mixin must be a subclass of fx_core.Request, "
                f"got {mixin!r}"
            )
        if not issubclass(base, mixin) and mixin not in mixins:
            mixins.append(mixin)
    if not mixins:
        return base
    namespace: dict[str, t.Any] = {
        "__module__": __name__,
        "__qualname__": base.__name__,
        "__doc__": f"{base.__name__} with {', '.join(m.__name__ for m in mixins)}.",
    }
    return type(base.__name__, (*mixins, base), namespace)
