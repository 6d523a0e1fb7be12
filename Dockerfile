# Production image: gunicorn serving Django (static files by whitenoise), behind the nginx of
# docker-compose.yml. The same image runs the Celery worker and beat. `make prodcheck` runs
# this very command line (config/gunicorn.py) on the CI machine.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    APP_ENV=production PORT=8000

RUN apt-get update \
 && apt-get install -y --no-install-recommends gettext \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 10001 tracker

WORKDIR /app
COPY requirements.lock .
# Every package is pinned with its hashes: pip refuses anything that does not match.
RUN pip install --require-hashes -r requirements.lock

COPY --chown=tracker:tracker . .
# collectstatic needs settings but no secrets or database.
RUN SECRET_KEY=build-only-not-secret ALLOWED_HOSTS=build python manage.py collectstatic --no-input -v 0 \
 && mkdir -p /app/var/media && chown -R tracker:tracker /app/var

USER tracker
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD python -c "import urllib.request,os; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\",\"8000\")}/healthz', timeout=4)"
# Workers, bind address, trusted proxy (FORWARDED_ALLOW_IPS) and logs: config/gunicorn.py.
CMD ["gunicorn", "-c", "config/gunicorn.py", "config.wsgi:application"]
