"""Project-level behaviour: health check, production settings refuse to start unsafely."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.django_db
def test_healthz_reports_the_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def _check(env: dict) -> subprocess.CompletedProcess:
    dropped = {"SECRET_KEY", "APP_ENV", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    return subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_refuses_to_start_without_a_secret_key():
    result = _check({"APP_ENV": "production", "ALLOWED_HOSTS": "tracker.example.org"})
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_settings_pass_the_deploy_checks():
    result = _check(
        {
            "APP_ENV": "production",
            "SECRET_KEY": "a-long-random-test-value-8f3b2c1d9e7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c",
            "ALLOWED_HOSTS": "tracker.example.org",
        }
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def _production_settings(code: str, **env) -> subprocess.CompletedProcess:
    """Run ``code`` with Django set up under production settings (a fresh process: settings
    are read once, at start)."""
    dropped = {"SECRET_KEY", "APP_ENV", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    production = {
        "APP_ENV": "production",
        "SECRET_KEY": "a-long-random-test-value-8f3b2c1d9e7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c",
        "ALLOWED_HOSTS": "tracker.example.org",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    script = "import django; django.setup(); from django.conf import settings\n" + code
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**clean, **production, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("value", ["true", "1", "on"])
def test_debug_is_forced_off_in_production_whatever_the_environment_says(value):
    result = _production_settings("print(settings.DEBUG)", DEBUG=value)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"


def test_debug_can_still_be_turned_on_in_development():
    result = _production_settings("print(settings.DEBUG)", APP_ENV="development", DEBUG="true")
    assert result.stdout.strip() == "True", result.stderr


# --- /healthz as the container health check calls it -------------------------------------------

COMPOSE_HEALTH_CHECK = """
from django.test import Client
response = Client().get("/healthz", HTTP_HOST="127.0.0.1:8000")  # plain HTTP, internal host
print(response.status_code, response.content.decode())
other = Client().get("/", HTTP_HOST="127.0.0.1:8000")
print(other.status_code)
secure = Client().get("/states/", HTTP_HOST="tracker.example.org")
print(secure.status_code, secure.get("Location"))
"""


@pytest.mark.django_db
def test_health_check_passes_under_production_settings_as_compose_calls_it():
    """Inside the container the check calls http://127.0.0.1:8000/healthz: neither the host
    check (400) nor the HTTPS redirect (301) may stand in its way — while every other page
    still gets both."""
    from django.db import connection

    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {"DATABASE_URL": url if connection.vendor == "postgresql" else "sqlite://:memory:"}
    result = _production_settings(COMPOSE_HEALTH_CHECK, **env)
    assert result.returncode == 0, result.stderr
    health, other, secure = result.stdout.strip().splitlines()[-3:]
    assert health == '200 {"status": "ok", "database": "ok"}'
    assert other == "400"  # a host nobody allowed
    assert secure.startswith("301 https://tracker.example.org/states/")


def test_healthz_says_503_when_the_database_is_unreachable(client, settings):
    from unittest import mock

    with mock.patch("config.health.connection") as connection:
        connection.cursor.side_effect = OSError("connection refused")
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "OSError"}
    assert "no-cache" in response["Cache-Control"]


def test_the_wsgi_application_loads_every_view_and_freezes_them_for_the_collector():
    """A worker imports the URLconf before its first request and moves what it loaded out of
    the garbage collector's generations (D-16-31): a full collection no longer walks them."""
    code = (
        "import gc, sys; from config.wsgi import application\n"
        "print(gc.get_freeze_count(), 'tracker.api.views' in sys.modules, callable(application))"
    )
    result = _production_settings(code)
    assert result.returncode == 0, result.stderr
    frozen, views_loaded, callable_ = result.stdout.split()
    assert int(frozen) > 50_000 and views_loaded == "True" and callable_ == "True"
