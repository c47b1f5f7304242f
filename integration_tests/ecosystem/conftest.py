"""Flask's popular extensions on ``(req, res)`` views (docs/ecosystem.md).

Every test here uses the real extension, through the Flask test client. The
``shape`` fixture runs a test once for each way a ``(req, res)`` view is
written: a function, sync or async; a ``MethodView`` class with
``get(self, req, res)``, sync or async; and a view in a blueprint
(``flask_express.Blueprint`` sync, ``flask.Blueprint`` async). ``serve``
registers a view body in the shape asked for, under the extension's
decorators, with the route decorator outermost as the docs advise.
"""

from __future__ import annotations

import asyncio
import typing as t

import flask
import pytest
from flask.views import MethodView

import flask_express

#: function, async function, MethodView, async MethodView, flask_express.Blueprint,
#: async view in a plain flask.Blueprint.
SHAPES = (
    "function",
    "async_function",
    "method_view",
    "async_method_view",
    "blueprint",
    "async_flask_blueprint",
)

Body = t.Callable[..., t.Any]
Decorator = t.Callable[[t.Callable[..., t.Any]], t.Callable[..., t.Any]]


class Serve(t.Protocol):
    def __call__(
        self,
        app: flask.Flask,
        rule: str,
        body: Body,
        shape: str,
        *,
        decorators: t.Sequence[Decorator] = (),
        class_decorators: t.Sequence[Decorator] = (),
        methods: t.Sequence[str] = ("GET",),
        endpoint: str = "view",
    ) -> str: ...


def _decorate(func: t.Callable[..., t.Any], decorators: t.Sequence[Decorator]) -> t.Any:
    # Listed outermost first, as they are written above a def.
    for decorator in reversed(decorators):
        func = decorator(func)
    return func


def serve(
    app: flask.Flask,
    rule: str,
    body: Body,
    shape: str,
    *,
    decorators: t.Sequence[Decorator] = (),
    class_decorators: t.Sequence[Decorator] = (),
    methods: t.Sequence[str] = ("GET",),
    endpoint: str = "view",
) -> str:
    """Serve ``body(req, res, **route_variables)`` at ``rule`` as a view of
    ``shape`` under ``decorators`` (outermost first); return its endpoint.

    ``class_decorators`` is the ``decorators`` attribute of a MethodView
    shape (applied by ``as_view()`` to the function Flask routes to), and
    ignored by the other shapes.
    """
    is_async = shape.startswith("async_")

    if shape in ("method_view", "async_method_view"):
        handlers: dict[str, t.Any] = {}
        for method in methods:
            # One function a method, as a class body would define them.
            if is_async:

                async def handler(
                    self: MethodView, req: t.Any, res: t.Any, **kwargs: t.Any
                ) -> t.Any:
                    await asyncio.sleep(0)
                    return body(req, res, **kwargs)

            else:

                def handler(self: MethodView, req: t.Any, res: t.Any, **kwargs: t.Any) -> t.Any:  # type: ignore[misc]
                    return body(req, res, **kwargs)

            handler.__name__ = handler.__qualname__ = method.lower()
            handlers[method.lower()] = _decorate(handler, decorators)
        handlers["decorators"] = list(class_decorators)
        view_class = type(f"{endpoint.title()}View", (MethodView,), handlers)
        app.add_url_rule(rule, view_func=view_class.as_view(endpoint))  # type: ignore[attr-defined]
        return endpoint

    if is_async:

        async def view(req: t.Any, res: t.Any, **kwargs: t.Any) -> t.Any:
            await asyncio.sleep(0)
            return body(req, res, **kwargs)

    else:

        def view(req: t.Any, res: t.Any, **kwargs: t.Any) -> t.Any:  # type: ignore[misc]
            return body(req, res, **kwargs)

    view.__name__ = view.__qualname__ = endpoint
    decorated = _decorate(view, decorators)
    if shape == "blueprint":
        bp: flask.Blueprint = flask_express.Blueprint(f"bp_{endpoint}", __name__)
    elif shape == "async_flask_blueprint":
        bp = flask.Blueprint(f"bp_{endpoint}", __name__)
    else:
        app.add_url_rule(rule, endpoint, decorated, methods=list(methods))
        return endpoint
    bp.add_url_rule(rule, endpoint, decorated, methods=list(methods))
    app.register_blueprint(bp)
    return f"{bp.name}.{endpoint}"


@pytest.fixture(params=SHAPES)
def shape(request: pytest.FixtureRequest) -> str:
    """Each way of writing a ``(req, res)`` view, one test run each."""
    return t.cast(str, request.param)


@pytest.fixture(name="serve")
def serve_fixture() -> Serve:
    """:func:`serve`, for the test modules (no imports between them under
    ``--import-mode=importlib``)."""
    return serve
