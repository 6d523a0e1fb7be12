# Production image: gunicorn serving Django, static files by whitenoise. The same image runs
# the Celery worker and beat (see docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    APP_ENV=production PORT=8000

RUN apt-get update \
 && apt-get install -y --no-install-recommends gettext \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --create-home --uid 10001 tracker

WORKDIR /app
COPY requirements.lock .
RUN pip install -r requirements.lock

COPY --chown=tracker:tracker . .
# collectstatic needs settings but no secrets or database.
RUN SECRET_KEY=build-only-not-secret ALLOWED_HOSTS=build python manage.py collectstatic --no-input -v 0 \
 && mkdir -p /app/var/media && chown -R tracker:tracker /app/var

USER tracker
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s \
  CMD python -c "import urllib.request,os; urllib.request.urlopen(f'http://127.0.0.1:{os.environ.get(\"PORT\",\"8000\")}/healthz', timeout=4)"
CMD ["sh", "-c", "gunicorn config.wsgi:application --bind 0.0.0.0:${PORT} --workers ${WEB_CONCURRENCY:-3} --access-logfile - --forwarded-allow-ips='*'"]
