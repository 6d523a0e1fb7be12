"""What evidence documents we accept: checked by their content, not their name."""

import hashlib
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
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
