"""Every e-mail is three templates — ``<name>_subject.txt``, ``<name>_body.txt`` and
``<name>_body.html`` (``name`` is a template path prefix such as
``workspace/emails/reminder_digest``, in the folder of the layer whose pages the message links
to) — rendered here, in the recipient's language, as one message for Django's e-mail API
(whatever EMAIL_BACKEND is)."""

from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def render_email(name: str, context: Mapping, *, language: str) -> RenderedEmail:
    """Render ``templates/<name>_*`` with every string translated into ``language``."""
    with translation.override(language):
        context = {
            **context,
            "SITE_URL": settings.SITE_URL,
            "LANGUAGE_BIDI": translation.get_language_bidi(),
            "LANGUAGE_CODE": translation.get_language(),
        }
        subject = render_to_string(f"{name}_subject.txt", context)
        text = render_to_string(f"{name}_body.txt", context)
        html = render_to_string(f"{name}_body.html", context)
    # A header injection guard as much as tidiness: a subject is one line.
    subject = " ".join(subject.split())
    return RenderedEmail(subject=subject, text=text.strip() + "\n", html=html)


def compose_email(
    name: str,
    context: Mapping,
    *,
    to: str,
    language: str,
    headers: Mapping[str, str] | None = None,
    connection=None,
) -> EmailMultiAlternatives:
    """One message with plain-text and HTML parts, ready to ``send()``; the caller sends it
    and decides about retries (errors from the backend propagate)."""
    rendered = render_email(name, context, language=language)
    message = EmailMultiAlternatives(
        subject=rendered.subject,
        body=rendered.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        headers=dict(headers or {}),
        connection=connection,
    )
    message.attach_alternative(rendered.html, "text/html")
    return message
