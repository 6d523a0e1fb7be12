"""The secretariat's admin. Every write goes through the services, as from any other surface:
a commitment is recorded with ``commitment_create`` and its terms are changed only by a public
revision with a reason (``commitment_revise``), an update is published with
``progress_update_create``; nothing is deleted here (removal, with its public tombstone, is the
secretariat's page under /my/). Each form runs the service's own checks in
``clean()``, so a rule the service enforces is a form error here, never a 500."""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from commitments.errors import add_service_errors
from commitments.follows.selectors import follower_counts
from commitments.follows.services import follower_unsubscribe
from commitments.models import (
    AnsweredReview,
    Assessment,
    AssessmentEvidence,
    AssessmentReply,
    Commitment,
    CommitmentRevision,
    DocumentedPractice,
    Evidence,
    Follow,
    Follower,
    FollowNotice,
    ImportRow,
    ImportRun,
    LedgerEntry,
    Moderation,
    OperativeParagraph,
    PreventionStep,
    ProgressUpdate,
    Reminder,
    Resolution,
    RevisionRequest,
    RiskFactor,
    ScrutinyChannel,
    UpdateTranslation,
)
from commitments.services import (
    COMMITMENT_TERMS,
    ORIGIN_TERMS,
    REVISABLE_TERMS,
    assessment_publish,
    commitment_create,
    commitment_origin_check,
    commitment_refresh_derived,
    commitment_revise,
    commitment_terms_check,
    progress_update_check,
    progress_update_create,
    revision_changes_check,
)


class ServiceCheckedForm(forms.ModelForm):
    """A model form whose ``clean()`` also runs the service's checks (``service_check``), so
    their errors land on the fields; ``request`` is bound by :class:`ServiceWriteAdmin`."""

    request = None

    def service_check(self, data: dict) -> None:
        raise NotImplementedError

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            try:
                self.service_check(cleaned)
            except ValidationError as exc:
                add_service_errors(self, exc)
            except PermissionDenied as exc:
                self.add_error(None, str(exc))
        return cleaned


class ServiceWriteAdmin(SimpleHistoryAdmin):
    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"request": request})


class ReadOnlyAdminMixin:
    """Published rows: viewable, never changed or deleted from the admin."""

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class OperativeParagraphInline(admin.TabularInline):
    """A resolution's operative paragraphs, which commitments cite as their origin."""

    model = OperativeParagraph
    extra = 0
    fields = ["number", "text"]


@admin.register(Resolution)
class ResolutionAdmin(SimpleHistoryAdmin):
    inlines = [OperativeParagraphInline]
    list_display = ["symbol", "body", "kind", "adopted_on", "title", "verification"]
    list_filter = ["body", "kind", "verification"]
    search_fields = ["symbol", "title", "situation", "r2p_reference"]
    autocomplete_fields = ["states"]
    date_hierarchy = "adopted_on"


@admin.register(RiskFactor)
class RiskFactorAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "kind", "crime", "verification"]
    list_filter = ["kind", "verification"]
    search_fields = ["name", "summary"]


@admin.register(ScrutinyChannel)
class ScrutinyChannelAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "level"]
    list_filter = ["level"]
    search_fields = ["name", "code"]


@admin.register(DocumentedPractice)
class DocumentedPracticeAdmin(SimpleHistoryAdmin):
    """The secretariat adds and corrects sourced examples of State practice; history is kept."""

    list_display = ["state", "year", "summary", "step", "source_name", "verification"]
    list_filter = ["verification", "source_type", "year"]
    search_fields = ["summary", "state__name", "state__code", "source_name"]
    autocomplete_fields = ["state"]
    list_select_related = ["state", "step"]
    readonly_fields = ["updated_at"]


@admin.register(PreventionStep)
class PreventionStepAdmin(SimpleHistoryAdmin):
    list_display = [
        "code",
        "title",
        "level",
        "basis",
        "source_document",
        "verification",
        "is_active",
    ]
    list_filter = ["level", "basis", "verification", "is_active"]
    search_fields = ["code", "title", "description", "source_document"]
    filter_horizontal = ["channels", "risk_factors"]


class EvidenceInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Evidence
    extra = 0
    fields = ["kind", "title", "url", "file", "content_type", "size_bytes", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class ProgressUpdateInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ProgressUpdate
    fk_name = "commitment"
    extra = 0
    fields = ["reported_on", "status", "narrative", "corrects", "author", "created_at"]
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


class CommitmentAdminForm(ServiceCheckedForm):
    """Recording a commitment (all its terms), or revising one: then every change is a public
    revision, and the reason is required."""

    # Not named after the model field: a non-editable field cannot be in a model form.
    withdraw_on = forms.DateField(
        label=_("withdrawn on"),
        required=False,
        help_text=_("Set to withdraw the commitment (a public revision with its reason)."),
    )
    revision_reason = forms.CharField(
        label=_("reason for the revision"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Public, beside the change on the commitment's page. Required for any change, "
            "including a typo."
        ),
    )

    class Meta:
        model = Commitment
        fields = ["state", *COMMITMENT_TERMS, "resolutions", "channels"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["withdraw_on"].initial = self.instance.withdrawn_on

    def revision_changes(self, data) -> dict:
        changes = {name: data[name] for name in REVISABLE_TERMS if name in self.changed_data}
        if "withdraw_on" in self.changed_data:
            changes["withdrawn_on"] = data["withdraw_on"]
        return changes

    def service_check(self, data):
        instance = self.instance
        if instance.pk is not None:
            try:
                revision_changes_check(
                    commitment=instance,
                    changes=self.revision_changes(data),
                    reason=data.get("revision_reason", ""),
                )
            except ValidationError as exc:
                # The service's names for the form's fields.
                renamed = {"reason": "revision_reason", "withdrawn_on": "withdraw_on"}
                raise ValidationError(
                    {renamed.get(name, name): errors for name, errors in exc.message_dict.items()}
                ) from exc
            return
        commitment_terms_check(
            step=data["step"], pledged_on=data["pledged_on"], target_date=data.get("target_date")
        )
        commitment_origin_check(
            Commitment(**{name: data.get(name) or _EMPTY.get(name, "") for name in ORIGIN_TERMS})
        )


# Origin fields whose empty value is None rather than "".
_EMPTY = {"upr_cycle": None, "operative_paragraph": None, "statement_on": None}


@admin.register(Commitment)
class CommitmentAdmin(ServiceWriteAdmin):
    form = CommitmentAdminForm
    list_display = [
        "title",
        "state",
        "step",
        "status",
        "last_reported_on",
        "next_review_due",
        "is_demo",
    ]
    list_filter = [
        "status",
        "step__level",
        "basis",
        "source_kind",
        "state__regional_group",
        "is_demo",
    ]
    search_fields = ["title", "description", "state__name", "state__code", "step__code"]
    autocomplete_fields = ["state", "step", "resolutions", "operative_paragraph"]
    filter_horizontal = ["channels"]
    list_select_related = ["state", "step"]
    date_hierarchy = "pledged_on"
    readonly_fields = [
        "public_revisions",
        "status",
        "latest_update",
        "last_reported_on",
        "next_review_due",
        "created_by",
        "created_at",
        "updated_at",
    ]
    inlines = [ProgressUpdateInline]
    actions = ["recompute_derived"]

    def has_delete_permission(self, request, obj=None):
        # Removal leaves a public tombstone with a reason: the secretariat's page under /my/.
        return False

    def get_readonly_fields(self, request, obj=None):
        # A pledge stays with the State that made it: record another commitment instead.
        return [*self.readonly_fields, "state"] if obj else self.readonly_fields

    def get_fields(self, request, obj=None):
        recorded = ["state", *COMMITMENT_TERMS, "resolutions", "channels"]
        if obj is None:
            return recorded
        # Revising: the terms (the demonstration flag is not one), a withdrawal, the reason.
        terms = [name for name in recorded if name != "is_demo"]
        return [*terms, "withdraw_on", "revision_reason", *self.get_readonly_fields(request, obj)]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        links = {"resolutions": data["resolutions"], "channels": data["channels"]}
        if change:
            commitment_revise(
                user=request.user,
                commitment=obj,
                changes=form.revision_changes(data),
                reason=data["revision_reason"],
            )
            saved = obj
        else:
            terms = {name: data[name] for name in COMMITMENT_TERMS}
            links["channels"] = links["channels"] or None  # none chosen: the step's channels
            saved = commitment_create(user=request.user, state=data["state"], **terms, **links)
        obj.pk, obj._state.adding = saved.pk, False

    def save_related(self, request, form, formsets, change):
        # The services set the resolutions and channels; the inlines are read-only.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    @admin.display(description=_("revisions (public)"))
    def public_revisions(self, obj):
        rows = obj.revisions.order_by("created_at", "pk") if obj and obj.pk else []
        return format_html_join(
            "",
            "<p>{}: {} — {} → {} ({})</p>",
            (
                (
                    r.created_at.date().isoformat(),
                    r.get_field_display(),
                    r.before,
                    r.after,
                    r.reason,
                )
                for r in rows
            ),
        ) or _("None")

    @admin.action(description=_("Recompute status and next review from the updates"))
    def recompute_derived(self, request, queryset):
        for commitment in queryset:
            commitment_refresh_derived(commitment)
        self.message_user(request, _("Recomputed %(n)d commitments.") % {"n": queryset.count()})


class ProgressUpdateAdminForm(ServiceCheckedForm):
    class Meta:
        model = ProgressUpdate
        fields = ["commitment", "reported_on", "status", "narrative", "corrects"]

    def service_check(self, data):
        progress_update_check(
            user=self.request.user,
            commitment=data["commitment"],
            reported_on=data["reported_on"],
            narrative=data["narrative"],
            corrects=data.get("corrects"),
        )


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(ServiceWriteAdmin):
    """Updates are append-only: the secretariat may add one (through the same service as the
    web form, so the same rules apply) but never edit or delete one."""

    list_display = [
        "commitment",
        "reported_on",
        "status",
        "is_correction_display",
        "author",
        "api_token",
        "created_at",
        "is_demo",
    ]
    list_filter = [
        "status",
        "is_demo",
        ("corrects", admin.EmptyFieldListFilter),
        ("api_token", admin.EmptyFieldListFilter),
    ]
    search_fields = ["narrative", "commitment__title", "commitment__state__name"]
    autocomplete_fields = ["commitment", "corrects"]
    list_select_related = ["commitment__state", "author", "api_token"]
    date_hierarchy = "reported_on"
    fields = ["commitment", "reported_on", "status", "narrative", "corrects"]
    form = ProgressUpdateAdminForm
    # Who posted, and how: the API token (if any) is shown to staff only, on the view page.
    fields_on_view = [*fields, "author", "api_token", "created_at"]
    inlines = [EvidenceInline]

    @admin.display(boolean=True, description=_("correction"))
    def is_correction_display(self, obj):
        return obj.is_correction

    def has_change_permission(self, request, obj=None):
        # Viewing is allowed (Django shows a read-only form); saving never is.
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_fields(self, request, obj=None):
        return self.fields_on_view if obj else self.fields

    def get_readonly_fields(self, request, obj=None):
        return self.fields_on_view if obj else []

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        created = progress_update_create(
            user=request.user,
            commitment=data["commitment"],
            reported_on=data["reported_on"],
            status=data["status"],
            narrative=data["narrative"],
            corrects=data.get("corrects"),
        )
        obj.pk, obj._state.adding = created.pk, False


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["title", "kind", "update", "content_type", "size_bytes", "created_at"]
    list_filter = ["kind", "content_type", "is_demo"]
    search_fields = ["title", "url", "update__commitment__title"]
    list_select_related = ["update__commitment__state"]

    def has_add_permission(self, request):
        return False


@admin.register(AnsweredReview)
class AnsweredReviewAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Derived from the updates on every write (D-12-10): shown to check the reporting figures,
    recomputed with the commitment's "Recompute status and next review" action."""

    list_display = ["commitment", "due_on", "reported_on"]
    search_fields = ["commitment__title", "commitment__state__code"]
    list_select_related = ["commitment"]
    date_hierarchy = "due_on"

    def has_add_permission(self, request):
        return False


@admin.register(UpdateTranslation)
class UpdateTranslationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Append-only, like the updates: added by focal points in the workspace, read here."""

    list_display = ["update", "language", "author", "created_at"]
    list_filter = ["language"]
    search_fields = ["narrative", "update__commitment__title"]
    list_select_related = ["update", "author"]

    def has_add_permission(self, request):
        return False


@admin.register(Reminder)
class ReminderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "owed_on",
        "kind",
        "recipient_email",
        "commitment",
        "due_on",
        "outcome",
        "attempts",
        "sent_at",
    ]
    list_filter = ["kind", "outcome", "owed_on", "is_demo"]
    search_fields = ["recipient_email", "commitment__title", "commitment__state__name"]
    list_select_related = ["commitment__state", "recipient"]
    date_hierarchy = "owed_on"

    def has_add_permission(self, request):
        return False


@admin.register(ImportRun)
class ImportRunAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The log of spreadsheet imports (the report is on the workspace's import page)."""

    list_display = [
        "created_at",
        "file_name",
        "kind",
        "state",
        "uploaded_by",
        "rows_total",
        "to_create",
        "to_change",
        "rejected",
    ]
    list_filter = ["kind", "state"]
    search_fields = ["file_name", "sha256", "uploaded_by__username"]
    list_select_related = ["uploaded_by"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False


@admin.register(ImportRow)
class ImportRowAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["run", "number", "action", "label", "object_id"]
    list_filter = ["action"]
    search_fields = ["label", "run__file_name"]
    list_select_related = ["run"]

    def has_add_permission(self, request):
        return False


@admin.register(OperativeParagraph)
class OperativeParagraphAdmin(admin.ModelAdmin):
    list_display = ["resolution", "number", "text"]
    search_fields = ["resolution__symbol", "number", "text"]
    autocomplete_fields = ["resolution"]
    list_select_related = ["resolution"]


@admin.register(CommitmentRevision)
class CommitmentRevisionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Public and append-only: made by ``commitment_revise`` (the commitment's change form, or
    an approved request), never here."""

    list_display = ["created_at", "commitment", "field", "before", "after", "requested_by_role"]
    list_filter = ["field", "requested_by_role", "is_demo"]
    search_fields = ["reason", "commitment__title", "commitment__state__name"]
    list_select_related = ["commitment__state"]

    def has_add_permission(self, request):
        return False


@admin.register(RevisionRequest)
class RevisionRequestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Decided on the secretariat's approval page under /my/ (through the service)."""

    list_display = ["created_at", "commitment", "requested_by", "decision", "decided_at"]
    list_filter = ["decision"]
    list_select_related = ["commitment__state", "requested_by"]

    def has_add_permission(self, request):
        return False


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["sequence", "recorded_at", "kind", "state", "subject_type", "subject_id"]
    list_filter = ["kind"]
    search_fields = ["hash"]

    def has_add_permission(self, request):
        return False


# --- Independent assessments (issue 10): read-mostly; moderation through the services --------


class AssessmentEvidenceInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = AssessmentEvidence
    extra = 0
    fields = ["kind", "title", "url", "file", "content_type", "size_bytes", "sha256"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Assessments are written by their organisations and moderated in the workspace's queue
    (/my/moderation/: publish, reject with a reason, dispute). Here they are read; the one
    action publishes through the same service. Nothing is edited or deleted: a published
    assessment is never unpublished, and its content never changes (a correction is a new
    assessment)."""

    list_display = [
        "commitment",
        "organisation",
        "status",
        "moderation",
        "published_at",
        "disputed_at",
        "created_at",
    ]
    list_filter = ["moderation", "status", "channel", "organisation__kind", "is_demo"]
    search_fields = ["commitment__title", "organisation__name", "narrative"]
    list_select_related = ["commitment", "organisation"]
    inlines = [AssessmentEvidenceInline]
    actions = ["publish"]

    def has_add_permission(self, request):
        return False

    def get_queryset(self, request):
        """Drafts are their organisation's alone, not the secretariat's (D-10-60)."""
        return super().get_queryset(request).not_drafts()

    @admin.action(description=_("Publish the selected submitted assessments"))
    def publish(self, request, queryset):
        published, refused = 0, []
        for assessment in queryset.filter(moderation=Moderation.SUBMITTED):
            try:
                assessment_publish(user=request.user, assessment=assessment)
                published += 1
            except (ValidationError, PermissionDenied) as exc:
                refused.append(f"{assessment.pk}: {' '.join(getattr(exc, 'messages', [str(exc)]))}")
        self.message_user(request, _("%(n)d assessment(s) published.") % {"n": published})
        for message in refused:
            self.message_user(request, message, level="error")


@admin.register(AssessmentReply)
class AssessmentReplyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["assessment", "language", "published_at", "notified_at"]
    list_select_related = ["assessment"]

    def has_add_permission(self, request):
        return False


@admin.register(AssessmentEvidence)
class AssessmentEvidenceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["title", "kind", "assessment", "content_type", "size_bytes", "created_at"]
    list_select_related = ["assessment"]

    def has_add_permission(self, request):
        return False

    def get_queryset(self, request):
        """Not the evidence of drafts (D-10-60)."""
        return super().get_queryset(request).exclude(assessment__moderation=Moderation.DRAFT)


# --- Followers (commitments/follows/): private addresses, see docs/follows.md -----------------


def masked_email(address: str) -> str:
    """``j***@example.org``: enough for the secretariat to tell rows apart, not an address."""
    local, _at, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


class FollowInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = Follow
    fields = ["state", "commitment", "step", "created_at", "confirmed_at"]
    readonly_fields = fields
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Follower)
class FollowerAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Who follows, for the secretariat: state and counts, the address masked in the list.
    The full address is shown on a follower's page to superusers only; staff find a person
    who writes in by searching their exact address, and can unsubscribe them (D-10-44)."""

    list_display = [
        "masked",
        "frequency",
        "language",
        "confirmed_at",
        "unsubscribed_at",
        "follow_count",
    ]
    list_filter = ["frequency", "language", ("confirmed_at", admin.EmptyFieldListFilter)]
    inlines = [FollowInline]
    actions = ["unsubscribe"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(follows_total=models.Count("follows"))

    def get_search_results(self, request, queryset, search_term):
        """Exact address only: a partial search would let anyone with admin access list
        addresses by guessing letters."""
        term = search_term.strip().lower()
        if not term:
            return queryset, False
        return queryset.filter(email=term), False

    def get_search_fields(self, request):
        return ["email"]  # shows the search box; get_search_results decides

    def get_fields(self, request, obj=None):
        fields = ["frequency", "language", "created_at", "confirmed_at", "unsubscribed_at"]
        return (["email"] if request.user.is_superuser else ["masked"]) + fields

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("address"))
    def masked(self, obj):
        return masked_email(obj.email)

    @admin.display(description=_("follows"), ordering="follows_total")
    def follow_count(self, obj):
        return obj.follows_total

    def has_unsubscribe_permission(self, request):
        """Unsubscribing is a write: it needs the change permission (the secretariat), not
        only the view one; the form itself stays read-only."""
        return request.user.has_perm("commitments.change_follower")

    @admin.action(description=_("Unsubscribe the selected followers"), permissions=["unsubscribe"])
    def unsubscribe(self, request, queryset):
        for follower in queryset:
            follower_unsubscribe(follower=follower)
        self.message_user(request, _("%(count)d unsubscribed.") % {"count": len(queryset)})

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "follower_counts": follower_counts()}
        return super().changelist_view(request, extra_context=extra_context)


@admin.register(Follow)
class FollowAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """What is followed, and whether it was confirmed (no addresses: the follower by id)."""

    list_display = [
        "id",
        "follower_id",
        "state",
        "commitment",
        "step",
        "created_at",
        "confirmed_at",
    ]
    list_filter = [("confirmed_at", admin.EmptyFieldListFilter)]
    list_select_related = ["state", "commitment__state", "step"]
    exclude = ["follower"]

    def has_add_permission(self, request):
        return False


@admin.register(FollowNotice)
class FollowNoticeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """The digest log: what was owed, sent, failed or skipped (no addresses)."""

    list_display = ["owed_on", "kind", "follower_id", "commitment", "outcome", "sent_at"]
    list_filter = ["kind", "outcome", "owed_on"]
    list_select_related = ["commitment__state"]
    date_hierarchy = "owed_on"
    exclude = ["follower"]

    def has_add_permission(self, request):
        return False
