#!/usr/bin/env python3
"""Back up and restore the database and the uploaded files, as one archive.

    python ops/backup.py backup [--to DIR]          # make backup
    python ops/backup.py restore ARCHIVE --yes      # make restore BACKUP=ARCHIVE

The archive (``r2p-backup-<UTC time>.tar.gz``) holds ``manifest.json`` (when, which database
engine, the latest migration of each app, every file with its size and SHA-256), the database
(``database.sqlite3``: SQLite's online backup, consistent while the site runs; or
``database.pgdump``: ``pg_dump --format=custom``) and ``media/`` (evidence documents, drafts,
the open-data zip) — everything that is not in the code. It reads the same settings as the site
(DATABASE_URL, MEDIA_ROOT), so it works on the embedded default and in production alike (in
compose: ``docker compose run --rm web python ops/backup.py backup --to /app/var/backups``).

Restore checks the archive against its manifest before touching anything, refuses an archive
made for another database engine or by a newer version of the schema than the code knows, keeps
the current media folder beside the restored one (``<MEDIA_ROOT>.before-restore-<time>``) and,
on SQLite, the current database file too. Uploaded files on an S3-compatible storage are backed
up by the bucket's own versioning or replication, not by this script (docs/operations.md).
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORMAT = 1


def setup_django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings

    return settings


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def applied_migrations() -> dict[str, str]:
    from django.db.migrations.recorder import MigrationRecorder

    latest: dict[str, str] = {}
    for app, name in MigrationRecorder.Migration.objects.values_list("app", "name"):
        latest[app] = max(latest.get(app, ""), name)
    return latest


def known_migrations() -> dict[str, str]:
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    latest: dict[str, str] = {}
    for app, name in MigrationLoader(connection, ignore_no_migrations=True).disk_migrations:
        latest[app] = max(latest.get(app, ""), name)
    return latest


def dump_database(database: dict, target: Path) -> str:
    engine = database["ENGINE"].rsplit(".", 1)[-1]
    if engine == "sqlite3":
        source = sqlite3.connect(database["NAME"])
        copy = sqlite3.connect(target / "database.sqlite3")
        with copy:
            source.backup(copy)  # a consistent copy, even while the site writes
        source.close()
        copy.close()
        return "database.sqlite3"
    if engine == "postgresql":
        run_pg(
            "pg_dump",
            database,
            "--format=custom",
            "--no-owner",
            f"--file={target / 'database.pgdump'}",
        )
        return "database.pgdump"
    raise SystemExit(f"cannot back up a {engine} database")


def run_pg(tool: str, database: dict, *args: str) -> None:
    env = {**os.environ, "PGPASSWORD": str(database.get("PASSWORD") or "")}
    command = [
        tool,
        f"--host={database.get('HOST') or '127.0.0.1'}",
        f"--port={database.get('PORT') or 5432}",
        f"--username={database.get('USER') or 'postgres'}",
        f"--dbname={database['NAME']}",
        *args,
    ]
    subprocess.run(command, env=env, check=True)  # noqa: S603


def backup(destination: Path) -> Path:
    settings = setup_django()
    from django.db import connection

    database = settings.DATABASES["default"]
    media = Path(settings.MEDIA_ROOT)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
    destination.mkdir(parents=True, exist_ok=True)
    archive = destination / f"r2p-backup-{stamp}.tar.gz"
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        print(f"Dumping the {connection.vendor} database…", flush=True)
        dumped = dump_database(database, scratch)
        files = sorted(p for p in media.rglob("*") if p.is_file()) if media.exists() else []
        print(f"Adding {len(files)} uploaded files from {media}…", flush=True)
        manifest = {
            "format": FORMAT,
            "created_at": stamp,
            "engine": connection.vendor,
            "database": {"file": dumped, "sha256": sha256_of(scratch / dumped)},
            "migrations": applied_migrations(),
            "media": {
                str(p.relative_to(media)): {"size": p.stat().st_size, "sha256": sha256_of(p)}
                for p in files
            },
        }
        with tarfile.open(archive, "w:gz") as tar:
            body = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mtime = len(body), int(datetime.datetime.now().timestamp())
            tar.addfile(info, io.BytesIO(body))
            tar.add(scratch / dumped, arcname=dumped)
            for path in files:
                tar.add(path, arcname=f"media/{path.relative_to(media)}")
    print(f"Backup written: {archive} ({archive.stat().st_size:,} bytes)")
    return archive


def _safe_members(tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = []
    for member in tar.getmembers():
        name = Path(member.name)
        if name.is_absolute() or ".." in name.parts or not (member.isfile() or member.isdir()):
            raise SystemExit(f"refusing a suspicious archive member: {member.name}")
        members.append(member)
    return members


def verify(scratch: Path, engine: str) -> dict:
    """The manifest of an extracted archive, after checking it fits this site and every file
    matches its checksum. Raises SystemExit (nothing replaced yet) otherwise."""
    manifest = json.loads((scratch / "manifest.json").read_text())
    if manifest.get("format") != FORMAT:
        raise SystemExit(f"unknown backup format {manifest.get('format')}")
    if manifest["engine"] != engine:
        raise SystemExit(
            f"this backup is of a {manifest['engine']} database; the site uses {engine}"
        )
    known = known_migrations()
    newer = {
        app: name
        for app, name in manifest["migrations"].items()
        if app in known and name > known[app]
    }
    if newer:
        raise SystemExit(f"the backup's schema is newer than this code ({newer}): upgrade first")
    if sha256_of(scratch / manifest["database"]["file"]) != manifest["database"]["sha256"]:
        raise SystemExit("the database dump does not match its manifest: archive damaged")
    for name, meta in manifest["media"].items():
        if sha256_of(scratch / "media" / name) != meta["sha256"]:
            raise SystemExit(f"{name} does not match its manifest: archive damaged")
    return manifest


def restore_database(database: dict, engine: str, dumped: Path, stamp: str) -> None:
    if engine == "sqlite":
        current = Path(database["NAME"])
        if current.exists():
            shutil.copy2(current, current.with_name(f"{current.name}.before-restore-{stamp}"))
        source, target = sqlite3.connect(dumped), sqlite3.connect(current)
        with target:
            source.backup(target)
        source.close()
        target.close()
    else:
        run_pg("pg_restore", database, "--clean", "--if-exists", "--no-owner",
               "--single-transaction", str(dumped))  # fmt: skip


def restore_media(restored: Path, media: Path, stamp: str) -> None:
    if media.exists():
        media.rename(media.with_name(f"{media.name}.before-restore-{stamp}"))
    media.parent.mkdir(parents=True, exist_ok=True)
    if restored.exists():
        shutil.copytree(restored, media)
    else:
        media.mkdir()


def restore(archive: Path) -> None:
    settings = setup_django()
    from django.core.cache import cache
    from django.db import connection, connections

    media = Path(settings.MEDIA_ROOT)
    engine = connection.vendor
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(scratch, members=_safe_members(tar), filter="data")
        manifest = verify(scratch, engine)
        dumped = scratch / manifest["database"]["file"]
        print(f"Archive verified: {len(manifest['media'])} files, database {dumped.name}.")
        stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")
        connections.close_all()
        restore_database(settings.DATABASES["default"], engine, dumped, stamp)
        print("Database restored.")
        restore_media(scratch / "media", media, stamp)
        print(f"Uploaded files restored to {media} (previous files kept beside it).")
    cache.clear()  # figures and the open-data manifest cached for the old data
    print("Restore complete. Run `python manage.py migrate` if the code is newer than the backup.")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    make = sub.add_parser("backup", help="write an archive of the database and uploaded files")
    make.add_argument("--to", type=Path, default=ROOT / "var" / "backups", help="folder")
    back = sub.add_parser("restore", help="replace the database and uploaded files")
    back.add_argument("archive", type=Path)
    back.add_argument("--yes", action="store_true", help="confirm: current data is replaced")
    options = parser.parse_args(argv)
    if options.command == "backup":
        backup(options.to)
        return 0
    if not options.yes:
        print("restore replaces the database and the uploaded files: add --yes to confirm")
        return 2
    restore(options.archive)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
