"""The progress-update draft workflow of the workspace: write → preview → publish (or discard).

A draft lives in the person's session until it is published; its documents wait in storage
under ``commitments.drafts.DRAFTS_STORAGE_PREFIX`` (abandoned ones are purged daily). Nothing is
public until :func:`draft_publish`, which calls the one writer,
:func:`commitments.services.progress_update_create` — the same rules as the API and the admin.
"""

import datetime
import secrets
from dataclasses import dataclass, field
from pathlib import PurePath

from django.core.files import File
from django.core.files.storage import default_storage
from django.utils.dateparse import parse_date

from commitments import services
from commitments.drafts import DRAFTS_STORAGE_PREFIX
from commitments.models import Commitment, ProgressUpdate

DRAFTS_SESSION_KEY = "workspace_update_drafts"


class DraftGone(Exception):
    """The draft was published, discarded or never existed (in this session)."""


class DraftDocumentsExpired(Exception):
    """Some documents of the draft were purged before it was published."""

    def __init__(self, names: list[str]):
        super().__init__(", ".join(names))
        self.names = names


@dataclass
class Draft:
    """What a draft holds between the form and "Publish" (JSON-serialisable for the session)."""

    commitment: int
    corrects: int | None
    reported_on: str  # ISO date
    status: str
    narrative: str
    links: list[dict] = field(default_factory=list)  # {"url", "title"}
    language: str = ""  # of the narrative; empty in drafts saved before it was asked
    files: list[dict] = field(default_factory=list)  # {"key", "path", "name", ...}

    @property
    def reported_on_date(self) -> datetime.date:
        return parse_date(self.reported_on)

    @property
    def status_label(self) -> str:
        return dict(ProgressUpdate._meta.get_field("status").choices)[self.status]


def draft_preview(draft: Draft, *, author) -> dict:
    """The draft as the preview shows it, exactly as it will be published."""
    return {
        "reported_on": draft.reported_on_date,
        "status": draft.status,
        "status_label": draft.status_label,
        "narrative": draft.narrative,
        "language": draft.language or getattr(author, "preferred_language", "en"),
        "links": draft.links,
        "files": draft.files,
        "author": author,
    }


def _drafts(session) -> dict:
    return session.setdefault(DRAFTS_SESSION_KEY, {})


def draft_get(session, *, commitment: Commitment, token: str) -> Draft:
    data = _drafts(session).get(token)
    if data is None or data["commitment"] != commitment.pk:
        raise DraftGone(token)
    return Draft(**data)


def _store_document(token: str, upload, meta) -> dict:
    suffix = PurePath(upload.name).suffix.lower()[:10]
    path = default_storage.save(
        f"{DRAFTS_STORAGE_PREFIX}/{token}/{secrets.token_hex(8)}{suffix}", upload
    )
    return {
        "key": secrets.token_hex(6),
        "path": path,
        "name": PurePath(upload.name).name[:200],
        "content_type": meta.content_type,
        "size": meta.size,
    }


def draft_save(
    session,
    *,
    user,
    commitment: Commitment,
    corrects: ProgressUpdate | None,
    token: str,
    reported_on: datetime.date,
    status: str,
    narrative: str,
    language: str,
    links: list[dict],
    uploads: list,
    keep_keys: list[str],
    previous_files: list[dict],
) -> str:
    """Check the update as it would be published (raises the service's ValidationError), store
    its new documents, drop the ones left out, and keep the draft; returns its token."""
    inspected = services.progress_update_check(
        user=user,
        commitment=commitment,
        reported_on=reported_on,
        narrative=narrative,
        corrects=corrects,
        files=uploads,
    )
    token = token or secrets.token_urlsafe(12)
    kept = [item for item in previous_files if item["key"] in keep_keys]
    for item in previous_files:
        if item not in kept:
            default_storage.delete(item["path"])
    new_files = [
        _store_document(token, upload, meta)
        for upload, meta in zip(uploads, inspected, strict=True)
    ]
    draft = Draft(
        commitment=commitment.pk,
        corrects=corrects.pk if corrects else None,
        reported_on=reported_on.isoformat(),
        status=status,
        narrative=narrative,
        language=language,
        links=[{"url": link["url"], "title": link.get("title", "")} for link in links],
        files=kept + new_files,
    )
    _drafts(session)[token] = draft.__dict__
    session.modified = True
    return token


def draft_discard(session, token: str) -> None:
    """Forget the draft and delete its stored documents."""
    data = _drafts(session).pop(token, None)
    session.modified = True
    for item in (data or {}).get("files", []):
        default_storage.delete(item["path"])


def draft_publish(
    session, *, user, commitment: Commitment, corrects: ProgressUpdate | None, token: str
) -> ProgressUpdate:
    """Publish the draft through the one writer; the draft is gone afterwards. Raises
    :class:`DraftDocumentsExpired` (the draft keeps its other documents) or the service's
    ValidationError / PermissionDenied (the draft is kept to be edited)."""
    draft = draft_get(session, commitment=commitment, token=token)
    missing = [item for item in draft.files if not default_storage.exists(item["path"])]
    if missing:
        _drafts(session)[token]["files"] = [f for f in draft.files if f not in missing]
        session.modified = True
        raise DraftDocumentsExpired([item["name"] for item in missing])
    files = [File(default_storage.open(item["path"]), name=item["name"]) for item in draft.files]
    try:
        update = services.progress_update_create(
            user=user,
            commitment=commitment,
            reported_on=draft.reported_on_date,
            status=draft.status,
            narrative=draft.narrative,
            language=draft.language or None,
            corrects=corrects,
            links=[services.EvidenceLink(**link) for link in draft.links],
            files=files,
        )
    finally:
        for file in files:
            file.close()
    draft_discard(session, token)
    return update
