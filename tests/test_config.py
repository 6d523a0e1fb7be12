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
