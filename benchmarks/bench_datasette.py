"""Datasette serving the SQLite export of the same rows (``make bench-api``), as an ASGI app
for gunicorn's uvicorn worker: ``BENCH_SQLITE=… gunicorn -k uvicorn_worker.UvicornWorker
bench_datasette:app``. Immutable, as ``datasette publish`` serves a published file."""

import os

from datasette.app import Datasette

app = Datasette(immutables=[os.environ["BENCH_SQLITE"]], settings={"suggest_facets": False}).app()
