"""Build a response class from the pieces' mixins."""

from __future__ import annotations

import typing as t

from .response import Response

__all__ = ["compose"]


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
