"""The open-data zip, built ahead of time so that no request ever waits for it.

A Celery task (:func:`tracker.tasks.refresh_open_data`, run by beat every minute and by the
``build_open_data`` command) compares the current :func:`tracker.stats.data_version` with the
version of the published zip. When they differ it waits for the data to settle — no change for
``OPEN_DATA_QUIET_SECONDS``, so a burst of edits or an import produces one build, not hundreds —
but never leaves the published zip more than ``OPEN_DATA_MAX_STALE_SECONDS`` behind. Then it
builds the zip into the default storage (``open-data/<version>.zip``, the file system or an
S3-compatible bucket), writes a small manifest beside it (``open-data/current.json``: version,
size, build time, SHA-256) and deletes the previous version. One build at a time, whatever the
number of workers (a lock in the shared cache).

Requests read only the manifest (cached) and stream the file it names; until the first build
exists they get 503 with ``Retry-After`` and the build is queued.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import tempfile
from dataclasses import asdict, dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile, File
from django.core.files.storage import default_storage
from django.http import FileResponse
from django.utils import timezone
from django.utils.http import http_date

from tracker import exports, stats

logger = logging.getLogger(__name__)

OPEN_DATA_DIR = "open-data"
MANIFEST = f"{OPEN_DATA_DIR}/current.json"
DOWNLOAD_NAME = "r2p-tracker-open-data.zip"
MANIFEST_CACHE_KEY = "tracker:open-data:manifest"
MANIFEST_CACHE_SECONDS = 60
BUILD_LOCK_KEY = "tracker:open-data:building"
# Longer than any build (8.5 s for 20,000 commitments); released as soon as a build ends, and
# short enough that a worker killed mid-build holds up the next one for minutes, not hours.
BUILD_LOCK_SECONDS = 10 * 60


@dataclass(frozen=True)
class Release:
    """What the manifest says about the published zip."""

    path: str
    version: str
    built_at: datetime.datetime
    data_changed_at: datetime.datetime | None
    size_bytes: int
    sha256: str

    def to_json(self) -> str:
        data = asdict(self)
        data["built_at"] = self.built_at.isoformat()
        data["data_changed_at"] = self.data_changed_at and self.data_changed_at.isoformat()
        return json.dumps(data)

    @classmethod
    def from_json(cls, text: str) -> Release:
        data = json.loads(text)
        data["built_at"] = datetime.datetime.fromisoformat(data["built_at"])
        changed = data.get("data_changed_at")
        data["data_changed_at"] = changed and datetime.datetime.fromisoformat(changed)
        return cls(**data)


def current_release() -> Release | None:
    """The published zip, from the manifest (cached briefly: every web process reads it)."""
    cached = cache.get(MANIFEST_CACHE_KEY)
    if cached:
        return Release.from_json(cached)
    try:
        with default_storage.open(MANIFEST, "rb") as manifest:
            text = manifest.read().decode()
    except (FileNotFoundError, OSError):
        text = ""
    if text and not default_storage.exists(Release.from_json(text).path):
        text = ""  # the manifest outlived its file (restored from an old backup): rebuild
    if not text:
        # Not cached: the manifest may be in the middle of being replaced (publish()).
        return None
    cache.set(MANIFEST_CACHE_KEY, text, MANIFEST_CACHE_SECONDS)
    return Release.from_json(text)


@dataclass(frozen=True)
class Decision:
    build: bool
    reason: str


def should_build(*, release: Release | None, version: dict, now: datetime.datetime) -> Decision:
    """Whether to build now: the debounce rule, as a pure function of what is published, the
    current data version and the time."""
    if release is None:
        return Decision(True, "nothing published yet")
    if release.version == version["key"]:
        return Decision(False, "up to date")
    quiet = datetime.timedelta(seconds=settings.OPEN_DATA_QUIET_SECONDS)
    stale = datetime.timedelta(seconds=settings.OPEN_DATA_MAX_STALE_SECONDS)
    changed = version["last_changed"]
    if changed is None or now - changed >= quiet:
        return Decision(True, "the data changed and has settled")
    if now - release.built_at >= stale:
        return Decision(True, "the data keeps changing; the published zip is too old")
    return Decision(False, "the data is still changing")


def refresh(*, force: bool = False) -> dict:
    """Build and publish the zip if :func:`should_build` says so (or ``force``). Safe to run
    from any number of workers at once: one builds, the others return."""
    version = stats.data_version()
    release = current_release()
    decision = should_build(release=release, version=version, now=timezone.now())
    if not (force or decision.build):
        return {"built": False, "reason": decision.reason, "version": version["key"]}
    if not cache.add(BUILD_LOCK_KEY, version["key"], BUILD_LOCK_SECONDS):
        return {"built": False, "reason": "another worker is building", "version": version["key"]}
    try:
        built = publish(version)
    finally:
        cache.delete(BUILD_LOCK_KEY)
    return {**asdict(built), "built": True, "reason": decision.reason}


def publish(version: dict) -> Release:
    """Build the zip of ``version`` into the storage, then point the manifest at it and
    delete older zips. Readers see the old zip or the new one, never half of one."""
    built_at = timezone.now().replace(microsecond=0)
    path = f"{OPEN_DATA_DIR}/{version['key']}-{built_at:%Y%m%dT%H%M%SZ}.zip"
    digest = hashlib.sha256()
    with tempfile.TemporaryFile() as spool:
        exports.write_open_data_zip(spool, version["key"], built_at=built_at)
        size = spool.tell()
        spool.seek(0)
        for chunk in iter(lambda: spool.read(1 << 20), b""):
            digest.update(chunk)
        spool.seek(0)
        path = default_storage.save(path, File(spool, name=path))
    release = Release(
        path=path,
        version=version["key"],
        built_at=built_at,
        data_changed_at=version["last_changed"],
        size_bytes=size,
        sha256=digest.hexdigest(),
    )
    if default_storage.exists(MANIFEST):
        default_storage.delete(MANIFEST)
    default_storage.save(MANIFEST, ContentFile(release.to_json().encode()))
    cache.set(MANIFEST_CACHE_KEY, release.to_json(), MANIFEST_CACHE_SECONDS)
    _delete_other_zips(keep=path)
    logger.info(
        "open data published",
        extra={"path": path, "version": release.version, "size_bytes": size},
    )
    return release


def _delete_other_zips(*, keep: str) -> None:
    """Only the published zip is kept (a download already streaming an older one carries on:
    an open file survives deletion on POSIX, and an object storage GET in flight completes)."""
    _dirs, files = default_storage.listdir(OPEN_DATA_DIR)
    for filename in files:
        path = f"{OPEN_DATA_DIR}/{filename}"
        if path != keep and filename.endswith(".zip"):
            default_storage.delete(path)


def release_response(release: Release) -> FileResponse:
    response = FileResponse(
        default_storage.open(release.path, "rb"),
        as_attachment=True,
        filename=DOWNLOAD_NAME,
        content_type="application/zip",
    )
    response["ETag"] = f'"{release.sha256[:32]}"'
    response["Last-Modified"] = http_date(release.built_at.timestamp())
    response["Cache-Control"] = "public, max-age=60"
    return response
