"""The focal point's workspace under /my/. Thin views: authorise, validate, call a service,
render or redirect. Every object is fetched through a helper that checks the user may act
for its State (a focal point of another State gets 403, an anonymous visitor the log-in)."""

import datetime
import hashlib
import logging
from pathlib import PurePath

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from commitments import selectors, services
from commitments.errors import add_service_errors
from commitments.evidence import document_response, download_name
from commitments.models import Commitment, RevisionRequest
from commitments.selectors import Urgency
from focalpoints.clients import client_ip, rate_hit, too_many_requests
from focalpoints.localisation import translated_columns
from focalpoints.lockout import address_locked, cooloff_seconds
from focalpoints.models import MemberState, StateAccess, state_name_order
from focalpoints.permissions import (
    Action,
    can,
    is_assessor,
    is_secretariat,
    may_moderate,
    role_for,
    states_for,
)
from workspace import drafts
from workspace.forms import (
    CommitmentForm,
    EvidenceLinkFormSet,
    ProgressUpdateForm,
    RemovalForm,
    RevisionDecisionForm,
    RevisionForm,
    UpdateTranslationForm,
)

logger = logging.getLogger(__name__)


def _commitment_for_user(request, pk: int, action: Action) -> Commitment:
    commitments = selectors.commitments_with_relations().annotate(
        urgency=selectors.urgency(selectors.review_today())
    )
    commitment = get_object_or_404(commitments, pk=pk)
    if not can(request.user, action, commitment.state_id):
        raise PermissionDenied(_("You do not act for this State."))
    return commitment


class LoginView(auth_views.LoginView):
    """Django's log-in; afterwards the site speaks the account's preferred language, unless
    the visitor already chose one with the language switcher. An address locked after too many
    failures across accounts (focalpoints/lockout.py) gets the lock-out page, 429."""

    def post(self, request, *args, **kwargs):
        if address_locked(request):
            seconds = cooloff_seconds()
            context = {
                "locked_address": True,
                "failure_limit": settings.LOGIN_FAILURES_PER_IP,
                "cooloff_timedelta": datetime.timedelta(seconds=seconds),
            }
            response = render(request, settings.AXES_LOCKOUT_TEMPLATE, context, status=429)
            response["Retry-After"] = str(seconds)
            return response
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        response = super().form_valid(form)
        language = form.get_user().preferred_language
        if settings.LANGUAGE_COOKIE_NAME not in self.request.COOKIES and check_for_language(
            language
        ):
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Django's password reset, limited per client address (past it: 429) and per e-mail
    address (past it: the same "check your inbox" answer, but nothing is sent — so the limit
    neither floods an inbox nor tells anyone whether an address has an account)."""

    def post(self, request, *args, **kwargs):
        allowed, wait = rate_hit(
            f"password-reset-ip:{client_ip(request)}", settings.PASSWORD_RESET_PER_IP
        )
        if not allowed:
            return too_many_requests(request, wait)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        address = form.cleaned_data["email"].strip().lower()
        digest = hashlib.sha256(address.encode()).hexdigest()[:32]
        allowed, _wait = rate_hit(
            f"password-reset-address:{digest}", settings.PASSWORD_RESET_PER_ADDRESS
        )
        if not allowed:
            logger.warning(
                "password reset not sent: too many for this address", extra={"address_hash": digest}
            )
            return redirect(self.get_success_url())
        return super().form_valid(form)


@login_required
def home(request):
    """The States the user acts for and their commitments, most urgent review first."""
    user = request.user
    staff = is_secretariat(user)
    if staff:
        chosen = request.GET.get("state", "")
        states = list(MemberState.objects.filter(code=chosen)) if chosen else []
        all_states = MemberState.objects.order_by(state_name_order()).only(
            "code", *translated_columns("name")
        )
    else:
        states = list(states_for(user).order_by(state_name_order()))
        all_states = None
        if not states and is_assessor(user):  # an assessor acts for no State
            return redirect("workspace:assessments")
    commitments = list(selectors.commitments_for_states([s.code for s in states]))
    by_state = {state.code: [] for state in states}
    for commitment in commitments:
        by_state[commitment.state_id].append(commitment)
    return render(
        request,
        "workspace/home.html",
        {
            "is_staff_view": staff,
            "all_states": all_states,
            "state_sections": [
                {
                    "state": state,
                    "role": None if staff else StateAccess.Role(role_for(user, state)).label,
                    "can_record": can(user, Action.RECORD_COMMITMENT, state),
                    "commitments": by_state[state.code],
                }
                for state in states
            ],
            "overdue": [c for c in commitments if c.urgency == Urgency.OVERDUE],
            "due_soon": [c for c in commitments if c.urgency == Urgency.DUE_SOON],
            "today": selectors.review_today(),
            "reminders_sent": selectors.reminders_sent_to(user),
            "Urgency": Urgency,
            "may_moderate": may_moderate(user),
            "is_assessor": is_assessor(user),
        },
    )


def _states_user_may_pledge_for(request):
    """The States the user may record commitments for; 403 for anyone else, and for a State
    asked for in the request that is not one of them."""
    user = request.user
    allowed = [s.code for s in states_for(user) if can(user, Action.RECORD_COMMITMENT, s)]
    if not allowed:
        raise PermissionDenied(_("Only a State's focal point may record its commitments."))
    asked = request.POST.get("state") or request.GET.get("state")
    if asked and asked not in allowed:
        raise PermissionDenied(_("You may not record commitments for this State."))
    return MemberState.objects.filter(code__in=allowed).order_by(state_name_order())


@login_required
@require_http_methods(["GET", "POST"])
def commitment_create(request):
    """Record a commitment for a State the user may pledge for (its focal point, or staff)."""
    form = CommitmentForm.from_request(request, states=_states_user_may_pledge_for(request))
    if form.is_bound and form.is_valid():
        try:
            commitment = services.commitment_create(
                user=request.user, **form.cleaned_data_for_service()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The commitment is recorded."))
            return redirect("workspace:commitment", pk=commitment.pk)
    context = {"form": form, **form.resolution_picker()}
    return render(request, "workspace/commitment_form.html", context)


@login_required
def commitment_detail(request, pk: int):
    """A commitment as its State's users see it: progress timeline and change history."""
    commitment = _commitment_for_user(request, pk, Action.VIEW_WORKSPACE)
    updates = list(selectors.updates_timeline(commitment))
    corrections = {u.corrects_id: u for u in updates if u.corrects_id}
    return render(
        request,
        "workspace/commitment_detail.html",
        {
            "commitment": commitment,
            "updates": updates[::-1],
            "corrections": corrections,
            "resolutions": commitment.resolutions.all(),
            "history": selectors.commitment_changes(commitment),
            "can_log": can(request.user, Action.LOG_PROGRESS, commitment.state_id),
            "can_correct": can(request.user, Action.CORRECT_PROGRESS, commitment.state_id),
            "can_revise": can(request.user, Action.REQUEST_REVISION, commitment.state_id),
            "revision_requests": commitment.revision_requests.all()[:10],
            "today": selectors.review_today(),
            "Urgency": Urgency,
        },
    )


# --- Progress updates: form -> preview (a draft, workspace.drafts) -> publish ---------------


def _draft_or_404(request, commitment: Commitment, token: str) -> drafts.Draft:
    try:
        return drafts.draft_get(request.session, commitment=commitment, token=token)
    except drafts.DraftGone:
        raise Http404(_("This draft no longer exists: it was published or discarded.")) from None


@login_required
def draft_document(request, pk: int, token: str, key: str):
    """A document of the requester's own draft, before it is published: only the session that
    wrote the draft has it (anyone else, including staff, gets 404), with the same headers as a
    published document but never cached."""
    commitment = _commitment_for_user(request, pk, Action.LOG_PROGRESS)
    draft = _draft_or_404(request, commitment, token)
    item = next((f for f in draft.files if f["key"] == key), None)
    if item is None or not default_storage.exists(item["path"]):
        raise Http404(_("This document is no longer part of the draft."))
    return document_response(
        name=item["path"],
        content_type=item.get("content_type") or "application/octet-stream",
        filename=download_name(PurePath(item["name"]).stem, item["name"]),
        public=False,
    )


def _update_form_initial(draft, corrects) -> tuple[dict, list]:
    """What the form starts from: the draft being edited, else the update being corrected."""
    if draft:
        return dict(draft.__dict__), draft.links
    if corrects:
        initial = {
            "reported_on": corrects.reported_on,
            "status": corrects.status,
            "narrative": corrects.narrative,
            "language": corrects.language,
        }
        return initial, [{"url": e.url, "title": e.title} for e in corrects.evidence.all() if e.url]
    return {}, []


@login_required
@require_http_methods(["GET", "POST"])
def update_create(request, pk: int, corrects_pk: int | None = None):
    """Write a progress update (or a correction, which starts from the update it corrects)
    and go to its preview. Nothing is published here."""
    action = Action.CORRECT_PROGRESS if corrects_pk else Action.LOG_PROGRESS
    commitment = _commitment_for_user(request, pk, action)
    corrects = _update_to_correct(commitment, corrects_pk)
    token = request.GET.get("draft") or request.POST.get("draft") or ""
    draft = _draft_or_404(request, commitment, token) if token else None
    draft_files = draft.files if draft else []
    if request.method == "POST":
        form = ProgressUpdateForm(request.POST, request.FILES, draft_files=draft_files)
        links = EvidenceLinkFormSet(request.POST, prefix="links")
        if form.is_valid() and links.is_valid():
            data = form.cleaned_data
            try:
                token = drafts.draft_save(
                    request.session,
                    user=request.user,
                    commitment=commitment,
                    corrects=corrects,
                    token=token,
                    reported_on=data["reported_on"],
                    status=data["status"],
                    narrative=data["narrative"],
                    language=data["language"],
                    links=[link for link in links.cleaned_data if link.get("url")],
                    uploads=data["files"],
                    keep_keys=data.get("keep_files", []),
                    previous_files=draft_files,
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return redirect("workspace:update_preview", pk=commitment.pk, token=token)
    else:
        initial, link_initial = _update_form_initial(draft, corrects)
        initial["keep_files"] = [f["key"] for f in draft_files]
        initial["language"] = initial.get("language") or request.user.preferred_language
        form = ProgressUpdateForm(initial=initial, draft_files=draft_files)
        links = EvidenceLinkFormSet(initial=link_initial, prefix="links")
    context = {"commitment": commitment, "corrects": corrects, "form": form, "links": links}
    context.update(draft_token=token, draft_files=draft_files)
    return render(request, "workspace/update_form.html", context)


def _update_to_correct(commitment: Commitment, corrects_pk: int | None):
    if not corrects_pk:
        return None
    return get_object_or_404(commitment.updates.prefetch_related("evidence"), pk=corrects_pk)


@login_required
@require_http_methods(["GET", "POST"])
def update_preview(request, pk: int, token: str):
    """Show the draft exactly as it will be published; publish or go back to edit it."""
    commitment = _commitment_for_user(request, pk, Action.LOG_PROGRESS)
    draft = _draft_or_404(request, commitment, token)
    corrects = _update_to_correct(commitment, draft.corrects)
    edit_url = (
        reverse("workspace:update_correct", kwargs={"pk": pk, "corrects_pk": corrects.pk})
        if corrects
        else reverse("workspace:update_create", kwargs={"pk": pk})
    ) + f"?draft={token}"
    if request.method == "POST" and request.POST.get("action") == "discard":
        drafts.draft_discard(request.session, token)
        messages.info(request, _("The draft was discarded. Nothing was published."))
        return redirect("workspace:commitment", pk=pk)
    if request.method == "POST":
        try:
            update = drafts.draft_publish(
                request.session,
                user=request.user,
                commitment=commitment,
                corrects=corrects,
                token=token,
            )
        except drafts.DraftDocumentsExpired as exc:
            messages.error(
                request,
                _("These documents of your draft expired; attach them again: %(names)s")
                % {"names": ", ".join(exc.names)},
            )
            return redirect(edit_url)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect(edit_url)
        return redirect("workspace:update_published", pk=pk, update_pk=update.pk)
    context = {"commitment": commitment, "corrects": corrects, "token": token, "edit_url": edit_url}
    context["preview"] = drafts.draft_preview(draft, author=request.user)
    return render(request, "workspace/update_preview.html", context)


@login_required
def update_published(request, pk: int, update_pk: int):
    """Confirmation: what was published, and where the public can now read it."""
    commitment = _commitment_for_user(request, pk, Action.VIEW_WORKSPACE)
    update = get_object_or_404(
        commitment.updates.select_related("author", "corrects").prefetch_related(
            "evidence", "translations"
        ),
        pk=update_pk,
    )
    context = {"commitment": commitment, "update": update, "today": selectors.review_today()}
    return render(request, "workspace/update_published.html", {**context, "Urgency": Urgency})


# --- Secretariat ------------------------------------------------------------------------------


@login_required
def staff_overdue(request):
    """Every State's overdue reviews, longest overdue first, with who to chase."""
    if not is_secretariat(request.user):
        raise PermissionDenied(_("Only the secretariat sees every State's overdue reviews."))
    today = selectors.review_today()
    accesses = StateAccess.objects.filter(is_active=True).select_related("user")
    overdue = selectors.commitments_overdue(today).prefetch_related(
        Prefetch("state__accesses", queryset=accesses, to_attr="active_accesses")
    )
    page = Paginator(
        overdue.order_by("next_review_due", state_name_order("state__"), "id"), 50
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "workspace/staff_overdue.html",
        {"page": page, "today": today, "total": page.paginator.count},
    )


# --- Pledge revisions: the secretariat revises; a focal point requests, the secretariat approves


def _revise_or_request(request, commitment, form) -> str:
    """The secretariat's change is made at once; a focal point's waits for approval."""
    changes, reason = form.changes(), form.cleaned_data["reason"]
    if is_secretariat(request.user):
        services.commitment_revise(
            user=request.user, commitment=commitment, changes=changes, reason=reason
        )
        return _("The commitment is revised; the change is public with its reason.")
    services.revision_request_create(
        user=request.user, commitment=commitment, changes=changes, reason=reason
    )
    return _("Your request is sent to the secretariat. Nothing changes until it is approved.")


@login_required
@require_http_methods(["GET", "POST"])
def commitment_revise(request, pk: int):
    commitment = _commitment_for_user(request, pk, Action.REQUEST_REVISION)
    form = RevisionForm(request.POST or None, commitment=commitment)
    if form.is_bound and form.is_valid():
        try:
            done = _revise_or_request(request, commitment, form)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("workspace:commitment", pk=commitment.pk)
    context = {"form": form, "commitment": commitment, "staff": is_secretariat(request.user)}
    return render(request, "workspace/revision_form.html", context)


@login_required
def staff_revision_requests(request):
    """The secretariat's queue of revision requests waiting for a decision, oldest first."""
    if not is_secretariat(request.user):
        raise PermissionDenied(_("Only the secretariat decides on revision requests."))
    pending = selectors.revision_requests_pending()
    page = Paginator(pending, 50).get_page(request.GET.get("page"))
    return render(request, "workspace/staff_revisions.html", {"page": page})


@login_required
@require_http_methods(["POST"])
def staff_revision_decide(request, request_pk: int):
    if not is_secretariat(request.user):
        raise PermissionDenied(_("Only the secretariat decides on revision requests."))
    revision_request = get_object_or_404(RevisionRequest, pk=request_pk)
    form = RevisionDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to approve or to refuse."))
        return redirect("workspace:staff_revisions")
    approve = form.cleaned_data["decision"] == "approve"
    try:
        services.revision_request_decide(
            user=request.user,
            revision_request=revision_request,
            approve=approve,
            note=form.cleaned_data["decision_note"],
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Approved and published.") if approve else _("Refused."))
    return redirect("workspace:staff_revisions")


@login_required
@require_http_methods(["GET", "POST"])
def commitment_remove(request, pk: int):
    """The secretariat removes a commitment; the ledger keeps a public tombstone."""
    if not is_secretariat(request.user):
        raise PermissionDenied(_("Only the secretariat may remove a commitment."))
    commitment = _commitment_for_user(request, pk, Action.VIEW_WORKSPACE)
    form = RemovalForm(request.POST or None)
    if form.is_bound and form.is_valid():
        try:
            services.commitment_remove(
                user=request.user, commitment=commitment, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The commitment is removed; its tombstone is public."))
            return redirect("workspace:home")
    return render(
        request, "workspace/commitment_remove.html", {"form": form, "commitment": commitment}
    )


@login_required
@require_http_methods(["GET", "POST"])
def update_translate(request, pk: int, update_pk: int):
    """Add a translation of a published update's narrative; the update is not changed."""
    commitment = _commitment_for_user(request, pk, Action.LOG_PROGRESS)
    update = get_object_or_404(commitment.updates.all(), pk=update_pk)
    form = UpdateTranslationForm(request.POST or None, update=update)
    if request.method == "POST" and form.is_valid():
        try:
            services.progress_update_translate(
                user=request.user, update=update, **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The translation is published beside the update."))
            return redirect(f"{reverse('workspace:commitment', args=[pk])}#update-{update.pk}")
    context = {"commitment": commitment, "update": update, "form": form}
    return render(request, "workspace/update_translate.html", context)
