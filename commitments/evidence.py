"""Evidence documents: what we accept (checked by their content, not their name), and how a
stored one is served (the headers every surface that serves one uses)."""

import hashlib
from dataclasses import dataclass
from pathlib import PurePath
from urllib.parse import quote

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpResponse
from django.template.defaultfilters import filesizeformat
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _

# Detected MIME type -> extensions a file of that type may carry.
ACCEPTED_TYPES: dict[str, frozenset[str]] = {
    "application/pdf": frozenset({".pdf"}),
    "application/msword": frozenset({".doc"}),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": frozenset({".docx"}),
    "application/vnd.oasis.opendocument.text": frozenset({".odt"}),
    "image/png": frozenset({".png"}),
    "image/jpeg": frozenset({".jpg", ".jpeg"}),
    "image/webp": frozenset({".webp"}),
}
ACCEPTED_EXTENSIONS = sorted(set().union(*ACCEPTED_TYPES.values()))


@dataclass(frozen=True)
class InspectedUpload:
    content_type: str
    size: int
    sha256: str
    title: str


def _sniff(head: bytes) -> str | None:
    kind = filetype.guess(head)
    if kind is not None:
        if kind.mime == "application/zip":
            return None
        return kind.mime
    # Legacy Word (OLE2 compound document) is not told apart by filetype.
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return "application/msword"
    return None


def inspect_upload(upload) -> InspectedUpload:
    """Validate an uploaded evidence document and describe it, or raise ValidationError."""
    limit = settings.EVIDENCE_MAX_UPLOAD_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("The file is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."), code="empty")
    upload.seek(0)
    head = upload.read(8192)
    upload.seek(0)
    mime = _sniff(head)
    extension = PurePath(upload.name or "").suffix.lower()
    if mime not in ACCEPTED_TYPES:
        raise ValidationError(
            _(
                "This is not a document we accept. Upload PDF, Word, OpenDocument text or an image "
                "(%(extensions)s)."
            )
            % {"extensions": ", ".join(ACCEPTED_EXTENSIONS)},
            code="bad_type",
        )
    if extension not in ACCEPTED_TYPES[mime]:
        raise ValidationError(
            _("The file's name says %(extension)s but its content is %(mime)s.")
            % {"extension": extension or _("no extension"), "mime": mime},
            code="mismatch",
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return InspectedUpload(
        content_type=mime,
        size=upload.size,
        sha256=digest.hexdigest(),
        title=PurePath(upload.name).stem[:200] or _("Document"),
    )


# --- Serving a stored document ------------------------------------------------------------------

# Shown in the browser; everything else is downloaded (a Word file opened "inline" by some
# browser plug-in is a risk we need not take).
INLINE_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg", "image/webp"})
# Whatever a document turns out to contain, it runs no script, submits no form, loads nothing
# from anywhere, and cannot be framed: a unique opaque origin with nothing allowed.
DOCUMENT_CSP = (
    "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; "
    "frame-ancestors 'none'; form-action 'none'; base-uri 'none'"
)


def download_name(title: str, stored_name: str) -> str:
    """A safe file name for a download: the title, slugified, with the stored suffix."""
    suffix = PurePath(stored_name).suffix.lower()[:10]
    stem = slugify(title)[:80] or "document"
    return f"{stem}{suffix}"


def document_response(*, name: str, content_type: str, filename: str, public: bool):
    """The HTTP response for the stored document ``name`` (default storage).

    Images and PDF are shown inline, anything else is an attachment; the type is the one found
    by inspecting the content at upload (never guessed from the name), ``nosniff`` keeps the
    browser from guessing, and a sandboxing CSP applies to whatever it is.

    With ``EVIDENCE_ACCEL_REDIRECT`` set (the compose file's nginx), the body is handed to the
    proxy by ``X-Accel-Redirect`` to an internal-only location (the proxy repeats the security
    headers, which it does not copy from this response); otherwise it is streamed from the
    storage (file system or S3-compatible) in chunks.
    """
    inline = content_type in INLINE_TYPES
    prefix = settings.EVIDENCE_ACCEL_REDIRECT
    if prefix:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = prefix.rstrip("/") + "/" + quote(name)
    else:
        response = FileResponse(default_storage.open(name, "rb"), content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = DOCUMENT_CSP
    response["Cross-Origin-Resource-Policy"] = "same-site"
    # Published evidence never changes (append-only); a draft is its author's alone.
    response["Cache-Control"] = "public, max-age=86400" if public else "private, no-store"
    return response
