"""The focal point's workspace under /my/. Thin views: authorise, validate, call a service,
render or redirect. Every object is fetched through a helper that checks the user may act
for its State (a focal point of another State gets 403, an anonymous visitor the log-in)."""

import secrets
from pathlib import PurePath

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.paginator import Paginator
from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.translation import check_for_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from commitments import selectors, services
from commitments.drafts import DRAFTS_STORAGE_PREFIX
from commitments.forms import CommitmentForm, EvidenceLinkFormSet, ProgressUpdateForm
from commitments.models import Commitment, ProgressUpdate
from focalpoints.models import MemberState, StateAccess
from focalpoints.permissions import Action, can, is_secretariat, role_for, states_for

DRAFTS_SESSION_KEY = "workspace_update_drafts"


def _commitment_for_user(request, pk: int, action: Action) -> Commitment:
    commitments = selectors.commitments_with_relations().annotate(
        urgency=selectors.urgency(selectors.review_today())
    )
    commitment = get_object_or_404(commitments, pk=pk)
    if not can(request.user, action, commitment.state_id):
        raise PermissionDenied(_("You do not act for this State."))
    return commitment


def _add_service_errors(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields (unknown fields: on the form)."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class LoginView(auth_views.LoginView):
    """Django's log-in; afterwards the site speaks the account's preferred language, unless
    the visitor already chose one with the language switcher."""

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


@login_required
def home(request):
    """The States the user acts for and their commitments, most urgent review first."""
    user = request.user
    staff = is_secretariat(user)
    if staff:
        chosen = request.GET.get("state", "")
        states = list(MemberState.objects.filter(code=chosen)) if chosen else []
        all_states = MemberState.objects.order_by("name").only("code", "name")
    else:
        states = list(states_for(user).order_by("name"))
        all_states = None
    commitments = list(selectors.commitments_for_states([s.code for s in states]))
    by_state = {state.code: [] for state in states}
    for commitment in commitments:
        by_state[commitment.state_id].append(commitment)
    return render(
        request,
        "commitments/home.html",
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
            "overdue": [c for c in commitments if c.urgency == selectors.Urgency.OVERDUE],
            "due_soon": [c for c in commitments if c.urgency == selectors.Urgency.DUE_SOON],
            "today": selectors.review_today(),
            "reminders_sent": selectors.reminders_sent_to(user),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def commitment_create(request):
    """Record a commitment for a State the user may pledge for (its focal point, or staff)."""
    user = request.user
    allowed = [s.code for s in states_for(user) if can(user, Action.RECORD_COMMITMENT, s)]
    if not allowed:
        raise PermissionDenied(_("Only a State's focal point may record its commitments."))
    asked = request.POST.get("state") or request.GET.get("state")
    if asked and asked not in allowed:
        raise PermissionDenied(_("You may not record commitments for this State."))
    states = MemberState.objects.filter(code__in=allowed).order_by("name")
    searching = request.method == "POST" and request.POST.get("action") == "search"
    if request.method == "POST" and not searching:
        form = CommitmentForm(request.POST, states=states)
        if form.is_valid():
            data = form.cleaned_data
            try:
                commitment = services.commitment_create(
                    user=user,
                    state=data["state"],
                    step=data["step"],
                    title=data["title"],
                    description=data["description"],
                    source_kind=data["source_kind"],
                    source_description=data["source_description"],
                    source_url=data["source_url"],
                    pledged_on=data["pledged_on"],
                    target_date=data["target_date"],
                    review_interval_days=data["review_interval_days"],
                    basis=data["basis"] or None,
                    resolutions=data["resolutions"],
                )
            except ValidationError as exc:
                _add_service_errors(form, exc)
            else:
                messages.success(request, _("The commitment is recorded."))
                return redirect("workspace:commitment", pk=commitment.pk)
    elif searching:
        # The resolution search works without JavaScript: the form comes back as typed, not
        # judged yet, with the resolutions matching the query (and those already ticked).
        initial = {key: request.POST.get(key) for key in request.POST if key != "resolutions"}
        initial["resolutions"] = request.POST.getlist("resolutions")
        form = CommitmentForm(initial=initial, states=states)
    else:
        form = CommitmentForm(initial={"state": asked} if asked else {}, states=states)
    query = (form["resolution_search"].value() or "").strip() if searching else ""
    selected = [str(pk) for pk in (form["resolutions"].value() or [])]
    resolutions = form.fields["resolutions"].queryset
    if query:
        matching = selectors.resolutions_matching(query).values("pk")
        resolutions = resolutions.filter(Q(pk__in=selected) | Q(pk__in=matching))
    return render(
        request,
        "commitments/commitment_form.html",
        {
            "form": form,
            "resolution_query": query,
            "resolutions": resolutions,
            "selected_resolutions": selected,
        },
    )


@login_required
def commitment_detail(request, pk: int):
    """A commitment as its State's users see it: progress timeline and change history."""
    commitment = _commitment_for_user(request, pk, Action.VIEW_WORKSPACE)
    updates = list(selectors.updates_timeline(commitment))
    corrections = {u.corrects_id: u for u in updates if u.corrects_id}
    return render(
        request,
        "commitments/commitment_detail.html",
        {
            "commitment": commitment,
            "updates": updates[::-1],
            "corrections": corrections,
            "resolutions": commitment.resolutions.all(),
            "history": selectors.commitment_changes(commitment),
            "can_log": can(request.user, Action.LOG_PROGRESS, commitment.state_id),
            "can_correct": can(request.user, Action.CORRECT_PROGRESS, commitment.state_id),
            "today": selectors.review_today(),
        },
    )


# --- Progress updates: form -> preview (a draft kept in the session) -> publish -----------


def _drafts(request) -> dict:
    return request.session.setdefault(DRAFTS_SESSION_KEY, {})


def _draft_or_404(request, commitment: Commitment, token: str) -> dict:
    draft = _drafts(request).get(token)
    if draft is None or draft["commitment"] != commitment.pk:
        raise Http404(_("This draft no longer exists: it was published or discarded."))
    return draft


def _store_draft_file(token: str, upload, meta) -> dict:
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


def _discard_draft(request, token: str, keep_paths=()) -> None:
    draft = _drafts(request).pop(token, None)
    request.session.modified = True
    for item in (draft or {}).get("files", []):
        if item["path"] not in keep_paths:
            default_storage.delete(item["path"])


@login_required
@require_http_methods(["GET", "POST"])
def update_create(request, pk: int, corrects_pk: int | None = None):
    """Write a progress update (or a correction, which starts from the update it corrects)
    and go to its preview. Nothing is published here."""
    action = Action.CORRECT_PROGRESS if corrects_pk else Action.LOG_PROGRESS
    commitment = _commitment_for_user(request, pk, action)
    corrects = (
        get_object_or_404(commitment.updates.prefetch_related("evidence"), pk=corrects_pk)
        if corrects_pk
        else None
    )
    token = request.GET.get("draft") or request.POST.get("draft") or ""
    draft = _draft_or_404(request, commitment, token) if token else None
    draft_files = draft["files"] if draft else []
    if request.method == "POST":
        form = ProgressUpdateForm(request.POST, request.FILES, draft_files=draft_files)
        links = EvidenceLinkFormSet(request.POST, prefix="links")
        if form.is_valid() and links.is_valid():
            data = form.cleaned_data
            try:
                inspected = services.progress_update_check(
                    user=request.user,
                    commitment=commitment,
                    reported_on=data["reported_on"],
                    narrative=data["narrative"],
                    corrects=corrects,
                    files=data["files"],
                )
            except ValidationError as exc:
                _add_service_errors(form, exc)
            else:
                token = token or secrets.token_urlsafe(12)
                kept = [f for f in draft_files if f["key"] in data.get("keep_files", [])]
                for item in draft_files:
                    if item not in kept:
                        default_storage.delete(item["path"])
                new_files = [
                    _store_draft_file(token, upload, meta)
                    for upload, meta in zip(data["files"], inspected, strict=True)
                ]
                _drafts(request)[token] = {
                    "commitment": commitment.pk,
                    "corrects": corrects.pk if corrects else None,
                    "reported_on": data["reported_on"].isoformat(),
                    "status": data["status"],
                    "narrative": data["narrative"],
                    "links": [
                        {"url": link["url"], "title": link.get("title", "")}
                        for link in links.cleaned_data
                        if link.get("url")
                    ],
                    "files": kept + new_files,
                }
                request.session.modified = True
                return redirect("workspace:update_preview", pk=commitment.pk, token=token)
    else:
        if draft:
            initial = draft
            link_initial = draft["links"]
        elif corrects:
            initial = {
                "reported_on": corrects.reported_on,
                "status": corrects.status,
                "narrative": corrects.narrative,
            }
            link_initial = [
                {"url": e.url, "title": e.title} for e in corrects.evidence.all() if e.url
            ]
        else:
            initial, link_initial = {}, []
        initial = {**initial, "keep_files": [f["key"] for f in draft_files]}
        form = ProgressUpdateForm(initial=initial, draft_files=draft_files)
        links = EvidenceLinkFormSet(initial=link_initial, prefix="links")
    return render(
        request,
        "commitments/update_form.html",
        {
            "commitment": commitment,
            "corrects": corrects,
            "form": form,
            "links": links,
            "draft_token": token,
            "draft_files": draft_files,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def update_preview(request, pk: int, token: str):
    """Show the draft exactly as it will be published; publish or go back to edit it."""
    commitment = _commitment_for_user(request, pk, Action.LOG_PROGRESS)
    draft = _draft_or_404(request, commitment, token)
    corrects = (
        get_object_or_404(commitment.updates.all(), pk=draft["corrects"])
        if draft["corrects"]
        else None
    )
    edit_url = (
        reverse("workspace:update_correct", kwargs={"pk": pk, "corrects_pk": corrects.pk})
        if corrects
        else reverse("workspace:update_create", kwargs={"pk": pk})
    ) + f"?draft={token}"
    if request.method == "POST" and request.POST.get("action") == "discard":
        _discard_draft(request, token)
        messages.info(request, _("The draft was discarded. Nothing was published."))
        return redirect("workspace:commitment", pk=pk)
    if request.method == "POST":
        missing = [f for f in draft["files"] if not default_storage.exists(f["path"])]
        if missing:
            # The draft outlived its documents (purge_evidence_drafts): say so, keep the rest.
            draft["files"] = [f for f in draft["files"] if f not in missing]
            request.session.modified = True
            messages.error(
                request,
                _("These documents of your draft expired; attach them again: %(names)s")
                % {"names": ", ".join(f["name"] for f in missing)},
            )
            return redirect(edit_url)
        files = [
            File(default_storage.open(item["path"]), name=item["name"]) for item in draft["files"]
        ]
        try:
            update = services.progress_update_create(
                user=request.user,
                commitment=commitment,
                reported_on=parse_date(draft["reported_on"]),
                status=draft["status"],
                narrative=draft["narrative"],
                corrects=corrects,
                links=[services.EvidenceLink(**link) for link in draft["links"]],
                files=files,
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
            return redirect(edit_url)
        finally:
            for file in files:
                file.close()
        _discard_draft(request, token)
        return redirect("workspace:update_published", pk=pk, update_pk=update.pk)
    preview = {
        "reported_on": parse_date(draft["reported_on"]),
        "status": draft["status"],
        "status_label": dict(ProgressUpdate._meta.get_field("status").choices)[draft["status"]],
        "narrative": draft["narrative"],
        "links": draft["links"],
        "files": draft["files"],
        "author": request.user,
    }
    return render(
        request,
        "commitments/update_preview.html",
        {
            "commitment": commitment,
            "corrects": corrects,
            "preview": preview,
            "token": token,
            "edit_url": edit_url,
        },
    )


@login_required
def update_published(request, pk: int, update_pk: int):
    """Confirmation: what was published, and where the public can now read it."""
    commitment = _commitment_for_user(request, pk, Action.VIEW_WORKSPACE)
    update = get_object_or_404(
        commitment.updates.select_related("author", "corrects").prefetch_related("evidence"),
        pk=update_pk,
    )
    return render(
        request,
        "commitments/update_published.html",
        {"commitment": commitment, "update": update, "today": selectors.review_today()},
    )


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
    page = Paginator(overdue.order_by("next_review_due", "state__name", "id"), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "commitments/staff_overdue.html",
        {"page": page, "today": today, "total": page.paginator.count},
    )
