"""The environment the project runs in under the benchmarks: as deployed (``APP_ENV=production``,
DEBUG off, every middleware) on 127.0.0.1 without TLS, with the settings of
``bench_settings.py`` (rate limits off). Shared by ``wrk_api.py`` (the project's gunicorn) and
``api_page_parts.py`` (in process), so both measure the same configuration."""

PROJECT_ENVIRONMENT = {
    "APP_ENV": "production",
    "SECRET_KEY": "bench-only-not-a-secret-" + "x" * 40,
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_SSL_REDIRECT": "false",
    "DJANGO_SETTINGS_MODULE": "benchmarks.bench_settings",
    "LOG_LEVEL": "WARNING",
}
