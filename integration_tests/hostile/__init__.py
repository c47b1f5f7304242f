"""A hostile-input harness shared by test_fuzz.py, test_traversal.py and
test_injection.py: an app that hands client input to every method of
:class:`flask_express.Response` and reads every view of ``req``
(:mod:`hostile.app`), the checks every answer must pass
(:mod:`hostile.checks`), and a raw HTTP client that sends request targets
byte for byte (:mod:`hostile.rawhttp`).

The test files put ``integration_tests/`` on ``sys.path`` to import it, as
the benchmark suite does; gunicorn imports ``hostile.app:create_app()`` with
``PYTHONPATH`` set the same way.
"""
