"""Where each public record lives on the public site: the one mapping from a model to its page.

Wired into Django as ``ABSOLUTE_URL_OVERRIDES`` (config/settings.py), so ``get_absolute_url()``
works on the models — in templates, the admin's "view on site", feeds and e-mails — while the
domain apps (commitments, focalpoints) never name a page of this layer. Imported by the settings
module: it must not import models."""

from django.urls import reverse


def _state(state) -> str:
    return reverse("tracker:state", kwargs={"code": state.code})


def _commitment(commitment) -> str:
    return reverse("tracker:commitment", kwargs={"pk": commitment.pk})


def _progress_update(update) -> str:
    return f"{_commitment(update.commitment)}#update-{update.pk}"


def _resolution(resolution) -> str:
    return reverse("tracker:resolution", kwargs={"pk": resolution.pk})


def _step(step) -> str:
    return reverse("tracker:step", kwargs={"code": step.code})


def _risk_factor(factor) -> str:
    return reverse("tracker:risk_factor", kwargs={"number": factor.number})


def _evidence(evidence) -> str:
    """A link is read where it points; a document through tracker.views.evidence_document
    (never a storage or media URL)."""
    if evidence.kind == "link":
        return evidence.url
    return reverse(
        "tracker:evidence", kwargs={"pk": evidence.pk, "filename": evidence.download_name}
    )


def _assessment(assessment) -> str:
    return f"{_commitment(assessment.commitment)}#assessment-{assessment.pk}"


def _reply(reply) -> str:
    return f"{_commitment(reply.assessment.commitment)}#reply-{reply.pk}"


def _assessment_evidence(evidence) -> str:
    """As :func:`_evidence`, through tracker.views.assessment_evidence_document."""
    if evidence.kind == "link":
        return evidence.url
    return reverse(
        "tracker:assessment_evidence",
        kwargs={"pk": evidence.pk, "filename": evidence.download_name},
    )


PUBLIC_PAGES = {
    "focalpoints.memberstate": _state,
    "commitments.commitment": _commitment,
    "commitments.progressupdate": _progress_update,
    "commitments.resolution": _resolution,
    "commitments.preventionstep": _step,
    "commitments.riskfactor": _risk_factor,
    "commitments.evidence": _evidence,
    "commitments.assessment": _assessment,
    "commitments.assessmentreply": _reply,
    "commitments.assessmentevidence": _assessment_evidence,
}
