"""gunicorn's configuration, the one the Dockerfile and `make prodcheck` both run
(``gunicorn -c config/gunicorn.py config.wsgi:application``). Every value comes from the
environment, with the production defaults.

Forwarded headers: gunicorn sets ``wsgi.url_scheme`` from ``X-Forwarded-Proto`` only when the
peer is in ``FORWARDED_ALLOW_IPS`` (the reverse proxy), and Django takes the scheme from there
(no ``SECURE_PROXY_SSL_HEADER``), so nobody else can claim HTTPS. Never ``*``.
"""

import os

bind = f"{os.environ.get('BIND_HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"  # noqa: S104
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
# gunicorn reads FORWARDED_ALLOW_IPS itself; said again here so the default is visible.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# Recycle a worker now and then so a slow leak can never grow without bound.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "5000"))
max_requests_jitter = max_requests // 10
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
# One JSON object per line, like the application's own logs (config/logging.py).
access_log_format = (
    '{"time": "%(t)s", "logger": "gunicorn.access", "remote": "%(h)s", '
    '"forwarded_for": "%({x-forwarded-for}i)s", "method": "%(m)s", "path": "%(U)s", '
    '"query": "%(q)s", "status": %(s)s, "bytes": "%(B)s", "duration_ms": %(M)s, '
    '"worker": "%(p)s"}'
)
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
