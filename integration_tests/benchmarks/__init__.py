"""The benchmark suite: plain Flask 3 against Flask-Express on the same endpoints.

Run it with ``hatch run bench:run`` (every mode) or one mode at a time
(``hatch run bench:a``, ``aa``, ``b``, ``c``, ``smoke``, ``profile``); see
docs/benchmarks.md. The modules here are named so that pytest does not collect
them; ``test_smoke.py`` is the only test.

- :mod:`benchmarks.apps`: the endpoints, written the natural way in each
  style, and what each response must be.
- :mod:`benchmarks.mode_a`: both apps in one process, called through WSGI,
  CPU time per request (and the A/A noise floor).
- :mod:`benchmarks.mode_b`: gunicorn and wrk, throughput, latency and the
  server's CPU time per request.
- :mod:`benchmarks.mode_c`: a 1 GiB sparse file from gunicorn, throughput and
  the worker's peak RSS growth.
- :mod:`benchmarks.report`: JSON, Markdown, the chart and docs/benchmarks.md.
"""
