"""Independent scrutiny in the workspace (/my/): the assessor's own pages and forms, the
secretariat's moderation queue, the State's view of assessments of its commitments with the
reply form, and the public self-registration of an organisation. Thin views: every permission
is asked of focalpoints.permissions and every write made by a service (docs/scrutiny.md)."""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from commitments import selectors, services
from commitments.errors import add_service_errors
from commitments.evidence import document_response
from commitments.models import Assessment, AssessmentEvidence, Commitment, Moderation
from focalpoints import permissions
from focalpoints.clients import client_ip, rate_hit, too_many_requests
from focalpoints.services import organisation_confirm_email, organisation_register
from workspace.forms import EvidenceLinkFormSet
from workspace.scrutiny_forms import (
    AssessableSearchForm,
    AssessmentForm,
    DisputeForm,
    OrganisationRegistrationForm,
    RejectForm,
    ReplyForm,
)

logger = logging.getLogger(__name__)
ASSESSABLE_LIMIT = 100


def _require_assessor(user) -> None:
    if not permissions.is_assessor(user):
        raise PermissionDenied(_("You are not a member of an assessor organisation."))


def _assessment_for_user(request, pk: int) -> Assessment:
    """An assessment the user may see here: a published one (anyone signed in: its State's
    users reply from here), or an unpublished one for its organisation and the moderators."""
    assessment = get_object_or_404(
        Assessment.objects.select_related(
            "organisation__country", "commitment__state", "corrects", "reply"
        ).prefetch_related("evidence"),
        pk=pk,
    )
    if assessment.is_draft:
        if permissions.may_see_draft(request.user, assessment.organisation_id):
            return assessment
        raise PermissionDenied(_("This assessment is not published."))
    if assessment.is_published or permissions.may_see_unpublished(
        request.user, assessment.organisation_id
    ):
        return assessment
    raise PermissionDenied(_("This assessment is not published."))


@login_required
def assessments(request):
    """The assessor's workspace: the organisations' drafts, what they assessed, awaiting
    moderation, published (with any reply), rejected (with the reason); and commitments to
    assess, by State."""
    _require_assessor(request.user)
    organisations = list(permissions.organisations_for(request.user))
    rows = list(selectors.assessments_of_organisations([o.pk for o in organisations]))
    form = AssessableSearchForm(request.GET or None)
    assessable = []
    if form.is_valid() and form.cleaned_data["state"]:
        state = form.cleaned_data["state"]
        if any(permissions.may_assess(request.user, o, state) for o in organisations):
            assessable = list(
                Commitment.objects.filter(state=state)
                .select_related("state", "step")
                .order_by("pledged_on", "id")[:ASSESSABLE_LIMIT]
            )
        else:
            messages.error(request, _("Your organisation assesses only its own country."))
    return render(
        request,
        "workspace/assessments.html",
        {
            "organisations": organisations,
            "drafts": [a for a in rows if a.moderation == Moderation.DRAFT],
            "submitted": [a for a in rows if a.moderation == Moderation.SUBMITTED],
            "published": [a for a in rows if a.moderation == Moderation.PUBLISHED],
            "rejected": [a for a in rows if a.moderation == Moderation.REJECTED],
            "search_form": form,
            "assessable": assessable,
        },
    )


def _assessment_form_context(request, commitment, corrects, form, links, draft=None):
    return {
        "commitment": commitment,
        "corrects": corrects,
        "form": form,
        "links": links,
        "draft": draft,
    }


def _links(links) -> list:
    return [
        services.EvidenceLink(link["url"], link.get("title", ""))
        for link in links.cleaned_data
        if link.get("url")
    ]


SAVE_DRAFT = "save_draft"  # the name of the "Save as draft" button


def _saved(request, assessment: Assessment, *, draft: bool):
    """After a save: a draft goes back to its edit page, a submission to its page."""
    if draft:
        messages.success(request, _("Draft saved. Only your organisation's members can see it."))
        return redirect("workspace:assessment_draft", pk=assessment.pk)
    messages.success(request, _("Submitted. The secretariat moderates it before it is published."))
    return redirect("workspace:assessment", pk=assessment.pk)


@login_required
@require_http_methods(["GET", "POST"])
def assessment_create(request, pk: int, corrects_pk: int | None = None):
    """Submit an assessment of a commitment (or a correction of a published one) for moderation,
    or save it as a private draft ("Save as draft")."""
    _require_assessor(request.user)
    commitment = get_object_or_404(Commitment.objects.select_related("state", "step"), pk=pk)
    corrects = None
    if corrects_pk:
        corrects = get_object_or_404(
            Assessment.objects.published().filter(commitment=commitment), pk=corrects_pk
        )
        if not permissions.is_member(request.user, corrects.organisation_id):
            raise PermissionDenied(_("Only its own organisation may correct an assessment."))
    organisations = permissions.organisations_for(request.user)
    if corrects is not None:
        organisations = organisations.filter(pk=corrects.organisation_id)
    if request.method == "POST":
        form = AssessmentForm(request.POST, request.FILES, organisations=organisations)
        links = EvidenceLinkFormSet(request.POST, prefix="links")
        if form.is_valid() and links.is_valid():
            data = form.cleaned_data
            draft = SAVE_DRAFT in request.POST
            try:
                assessment = services.assessment_submit(
                    user=request.user,
                    organisation=data["organisation"],
                    commitment=commitment,
                    corrects=corrects,
                    status=data["status"],
                    period_start=data["period_start"],
                    period_end=data["period_end"],
                    narrative=data["narrative"],
                    channel=data["channel"],
                    language=data["language"],
                    links=_links(links),
                    files=data["files"],
                    draft=draft,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                return _saved(request, assessment, draft=draft)
    else:
        initial = {"language": request.user.preferred_language}
        if corrects is not None:
            initial.update(
                organisation=corrects.organisation_id,
                status=corrects.status,
                period_start=corrects.period_start,
                period_end=corrects.period_end,
                narrative=corrects.narrative,
                channel=corrects.channel,
                language=corrects.language,
            )
        form = AssessmentForm(initial=initial, organisations=organisations)
        links = EvidenceLinkFormSet(prefix="links")
    context = _assessment_form_context(request, commitment, corrects, form, links)
    return render(request, "workspace/assessment_form.html", context)


def _draft_for_user(request, pk: int) -> Assessment:
    """A draft ``request.user`` may work on (the service checks again, under lock)."""
    assessment = _assessment_for_user(request, pk)
    if not assessment.is_draft:
        raise PermissionDenied(_("Only a draft can be changed."))
    if not permissions.may_assess(
        request.user, assessment.organisation, assessment.commitment.state_id
    ):
        raise PermissionDenied(_("Only its own organisation may work on a draft."))
    return assessment


@login_required
@require_http_methods(["GET", "POST"])
def assessment_draft_edit(request, pk: int):
    """Edit a draft: its content, evidence to add or remove; "Save draft" keeps it private,
    "Submit for moderation" saves and submits it."""
    draft = _draft_for_user(request, pk)
    organisations = permissions.organisations_for(request.user).filter(pk=draft.organisation_id)
    evidence = list(draft.evidence.all())
    if request.method == "POST":
        form = AssessmentForm(
            request.POST, request.FILES, organisations=organisations, evidence=evidence
        )
        links = EvidenceLinkFormSet(request.POST, prefix="links")
        if form.is_valid() and links.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    services.assessment_draft_update(
                        user=request.user,
                        assessment=draft,
                        status=data["status"],
                        period_start=data["period_start"],
                        period_end=data["period_end"],
                        narrative=data["narrative"],
                        channel=data["channel"],
                        language=data["language"],
                        links=_links(links),
                        files=data["files"],
                        remove_evidence=[int(e) for e in data.get("remove_evidence", [])],
                    )
                    if SAVE_DRAFT not in request.POST:
                        services.assessment_draft_submit(user=request.user, assessment=draft)
            except ValidationError as exc:
                add_service_errors(form, exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                return _saved(request, draft, draft=SAVE_DRAFT in request.POST)
    else:
        form = AssessmentForm(
            initial={
                "organisation": draft.organisation_id,
                "status": draft.status,
                "period_start": draft.period_start,
                "period_end": draft.period_end,
                "narrative": draft.narrative,
                "channel": draft.channel,
                "language": draft.language,
            },
            organisations=organisations,
            evidence=evidence,
        )
        links = EvidenceLinkFormSet(prefix="links")
    context = _assessment_form_context(
        request, draft.commitment, draft.corrects, form, links, draft=draft
    )
    return render(request, "workspace/assessment_form.html", context)


def _draft_action(write, done):
    """A POST on a draft from the workspace list or the draft's page: ``write(user, draft)``
    calls the service, ``done(request, draft)`` answers; a refusal is a clear message."""

    @login_required
    @require_POST
    def view(request, pk: int):
        draft = _draft_for_user(request, pk)
        try:
            write(request.user, draft)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("workspace:assessment", pk=pk)
        return done(request, draft)

    return view


def _discarded(request, _draft):
    messages.success(request, _("Draft discarded."))
    return redirect("workspace:assessments")


assessment_draft_submit = _draft_action(
    lambda user, draft: services.assessment_draft_submit(user=user, assessment=draft),
    lambda request, draft: _saved(request, draft, draft=False),
)
assessment_draft_discard = _draft_action(
    lambda user, draft: services.assessment_draft_discard(user=user, assessment=draft),
    _discarded,
)


@login_required
def assessment_detail(request, pk: int):
    """One assessment: its moderation state (and the rejection reason, for its organisation and
    the moderators), its evidence, the forms the user may use (publish / reject / dispute for a
    moderator, the reply for the State's focal point or delegate, correct for its organisation)."""
    assessment = _assessment_for_user(request, pk)
    user = request.user
    state = assessment.commitment.state_id
    has_reply = hasattr(assessment, "reply")
    may_moderate = permissions.may_moderate(user) and not permissions.is_member(
        user, assessment.organisation_id
    )
    context = {
        "assessment": assessment,
        "commitment": assessment.commitment,
        "private": not assessment.is_published,
        "may_see_reason": permissions.may_see_unpublished(user, assessment.organisation_id),
        "may_moderate": may_moderate and assessment.moderation == Moderation.SUBMITTED,
        "may_edit_draft": assessment.is_draft
        and permissions.may_assess(user, assessment.organisation, state),
        "may_dispute": may_moderate and assessment.is_published and not assessment.is_disputed,
        "may_reply": permissions.may_reply(user, state)
        and assessment.is_published
        and not has_reply,
        "may_correct": assessment.is_published
        and permissions.may_assess(user, assessment.organisation, state)
        and not assessment.corrections.exclude(
            moderation__in=[Moderation.REJECTED, Moderation.DRAFT]
        ).exists(),
        "reject_form": RejectForm(),
        "dispute_form": DisputeForm(),
        "reply_form": ReplyForm(initial={"language": user.preferred_language}),
    }
    return render(request, "workspace/assessment_detail.html", context)


def _moderation_post(request, pk: int, form_class, write, done: str, form_name: str):
    """Shared by the moderation actions: validate, call the service, report, or show the form
    again with the service's errors (a refusal is a clear message, never a silent no-op)."""
    assessment = _assessment_for_user(request, pk)
    form = form_class(request.POST) if form_class else None
    if form is None or form.is_valid():
        try:
            write(assessment, form.cleaned_data if form else {})
        except ValidationError as exc:
            if form is None:
                messages.error(request, " ".join(exc.messages))
                return redirect("workspace:assessment", pk=pk)
            add_service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("workspace:assessment", pk=pk)
    context = {"assessment": assessment, "commitment": assessment.commitment, form_name: form}
    context.update(
        private=not assessment.is_published,
        may_see_reason=permissions.may_see_unpublished(request.user, assessment.organisation_id),
    )
    context[form_name.replace("_form", "_open")] = True
    return render(request, "workspace/assessment_detail.html", context, status=400)


def _action(form_class, write, done, form_name: str):
    """A moderation or reply POST view: ``write(user, assessment, cleaned_data)`` calls the
    service; ``done`` is the message on success (lazy: in the request's language)."""

    @login_required
    @require_POST
    def view(request, pk: int):
        return _moderation_post(
            request,
            pk,
            form_class,
            lambda assessment, data: write(request.user, assessment, data),
            str(done),
            form_name,
        )

    return view


assessment_publish = _action(
    None,
    lambda user, a, _data: services.assessment_publish(user=user, assessment=a),
    gettext_lazy("Published: the assessment is now public."),
    "publish_form",
)
assessment_reject = _action(
    RejectForm,
    lambda user, a, data: services.assessment_reject(
        user=user, assessment=a, reason=data["reason"]
    ),
    gettext_lazy("Rejected: the organisation sees your reason."),
    "reject_form",
)
assessment_dispute = _action(
    DisputeForm,
    lambda user, a, data: services.assessment_dispute(
        user=user, assessment=a, reason=data["reason"]
    ),
    gettext_lazy("Marked as disputed by the secretariat, with your public reason."),
    "dispute_form",
)
assessment_reply = _action(
    ReplyForm,
    lambda user, a, data: services.assessment_reply_publish(
        user=user, assessment=a, text=data["text"], language=data["language"]
    ),
    gettext_lazy("Your reply is published under the assessment; the organisation is told."),
    "reply_form",
)


@login_required
def assessment_document(request, pk: int):
    """A document of an assessment not yet public, for its organisation and the moderators
    (published ones are served by the public site)."""
    evidence = get_object_or_404(
        AssessmentEvidence.objects.select_related("assessment").filter(
            kind=AssessmentEvidence.Kind.FILE
        ),
        pk=pk,
    )
    organisation = evidence.assessment.organisation_id
    if not (
        permissions.may_see_draft(request.user, organisation)
        if evidence.assessment.is_draft
        else permissions.may_see_unpublished(request.user, organisation)
    ):
        raise PermissionDenied(_("This document is not public."))
    return document_response(
        name=evidence.file.name,
        content_type=evidence.content_type or "application/octet-stream",
        filename=evidence.download_name,
        public=False,
    )


@login_required
def moderation_queue(request):
    """The moderators' queue: submitted assessments oldest first, with counts."""
    if not permissions.may_moderate(request.user):
        raise PermissionDenied(_("Only the secretariat moderates assessments."))
    return render(
        request,
        "workspace/moderation.html",
        {
            "queue": list(selectors.assessments_awaiting_moderation()),
            "counts": selectors.moderation_counts(),
        },
    )


@login_required
def state_assessments(request):
    """Published assessments of the commitments of the States the user acts for, with the
    reply status of each (the focal point's and delegates' view)."""
    codes = [
        code
        for code in permissions.states_for(request.user).values_list("code", flat=True)
        if permissions.may_reply(request.user, code)
    ]
    if not codes:
        raise PermissionDenied(_("You do not act for a State."))
    return render(
        request,
        "workspace/state_assessments.html",
        {"rows": list(selectors.published_assessments_for_states(codes))},
    )


@require_http_methods(["GET", "POST"])
def organisation_registration(request):
    """Public: an organisation registers itself and its first account (rate limited per
    address). Pending until the e-mail is confirmed and the secretariat approves it."""
    if request.method == "POST":
        allowed, wait = rate_hit(
            f"organisation-register-ip:{client_ip(request)}",
            settings.ORGANISATION_REGISTRATIONS_PER_IP,
        )
        if not allowed:
            return too_many_requests(request, wait)
        form = OrganisationRegistrationForm(request.POST)
        if form.is_valid():
            try:
                organisation_register(**form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return render(request, "workspace/registration_sent.html", status=201)
    else:
        form = OrganisationRegistrationForm()
    return render(request, "workspace/registration_form.html", {"form": form})


def organisation_confirm(request, token: str):
    """Public: the signed link from the confirmation e-mail."""
    try:
        organisation = organisation_confirm_email(token=token)
    except ValidationError as exc:
        return render(
            request, "workspace/registration_confirmed.html", {"error": exc.messages[0]}, status=400
        )
    return render(request, "workspace/registration_confirmed.html", {"organisation": organisation})
