"""`make backup` / `make restore` round-trip on the embedded default (SQLite file and uploaded
files on disk): what was there comes back — rows and documents, byte for byte — and a damaged
archive, or one of another engine, is refused before anything is touched."""

import os
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

SETUP = """
import django; django.setup()
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from focalpoints.models import MemberState
MemberState.objects.create(code="ZZZ", name="Backupland", kind="observer")
default_storage.save("evidence/2026/01/decree.pdf", ContentFile(b"%PDF-1.4 decree"))
"""

MUTATE = """
import django; django.setup()
from django.core.files.storage import default_storage
from focalpoints.models import MemberState
MemberState.objects.filter(code="ZZZ").delete()
MemberState.objects.create(code="YYY", name="After the backup", kind="observer")
default_storage.delete("evidence/2026/01/decree.pdf")
"""

CHECK = """
import django; django.setup()
from django.core.files.storage import default_storage
from focalpoints.models import MemberState
print(sorted(MemberState.objects.values_list("code", flat=True)))
print(default_storage.open("evidence/2026/01/decree.pdf").read())
"""


@pytest.fixture
def embedded(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "APP_ENV"}},
        "APP_ENV": "development",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "MEDIA_ROOT": str(tmp_path / "media"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "LOG_LEVEL": "ERROR",
    }

    def run(*args, code=None, check=True):
        command = [sys.executable, "-c", code] if code else [sys.executable, *args]
        return subprocess.run(
            command, cwd=ROOT, env=env, capture_output=True, text=True, check=check, timeout=300
        )

    run("manage.py", "migrate", "--no-input", "-v", "0")
    return run, tmp_path


def test_backup_and_restore_round_trip_on_the_embedded_default(embedded):
    run, tmp_path = embedded
    run(code=SETUP)
    made = run("ops/backup.py", "backup", "--to", str(tmp_path / "backups"))
    (archive,) = (tmp_path / "backups").glob("r2p-backup-*.tar.gz")
    assert "Backup written" in made.stdout
    with tarfile.open(archive) as tar:
        names = set(tar.getnames())
    assert {"manifest.json", "database.sqlite3", "media/evidence/2026/01/decree.pdf"} <= names

    run(code=MUTATE)
    refused = run("ops/backup.py", "restore", str(archive), check=False)
    assert refused.returncode == 2  # no --yes, nothing touched
    restored = run("ops/backup.py", "restore", str(archive), "--yes")
    assert "Restore complete" in restored.stdout
    state = run(code=CHECK).stdout.splitlines()
    assert "ZZZ" in state[0] and "YYY" not in state[0]
    assert state[1] == "b'%PDF-1.4 decree'"
    # What was replaced is kept beside it.
    assert list(tmp_path.glob("media.before-restore-*"))
    assert list(tmp_path.glob("db.sqlite3.before-restore-*"))


def test_a_damaged_archive_is_refused_before_anything_is_replaced(embedded):
    run, tmp_path = embedded
    run(code=SETUP)
    run("ops/backup.py", "backup", "--to", str(tmp_path / "backups"))
    (archive,) = (tmp_path / "backups").glob("*.tar.gz")
    damaged = tmp_path / "damaged.tar.gz"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member)
            if member.name.endswith("decree.pdf"):
                import io

                body = b"%PDF-1.4 forged"
                member.size = len(body)
                data = io.BytesIO(body)
            target.addfile(member, data)
    run(code=MUTATE)
    result = run("ops/backup.py", "restore", str(damaged), "--yes", check=False)
    assert result.returncode != 0
    assert "does not match its manifest" in result.stderr + result.stdout
    assert "YYY" in run(code=CHECK.split("print(default_storage")[0]).stdout
