from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from commitments.models import (
    Commitment,
    Evidence,
    PreventionStep,
    ProgressUpdate,
    Reminder,
    Resolution,
    RiskFactor,
    ScrutinyChannel,
)
from commitments.services import commitment_refresh_derived, progress_update_create


class ReadOnlyAdminMixin:
    """Published rows: viewable, never changed or deleted from the admin."""

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Resolution)
class ResolutionAdmin(SimpleHistoryAdmin):
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


@admin.register(Commitment)
class CommitmentAdmin(SimpleHistoryAdmin):
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
    autocomplete_fields = ["state", "step", "resolutions"]
    filter_horizontal = ["channels"]
    list_select_related = ["state", "step"]
    date_hierarchy = "pledged_on"
    readonly_fields = [
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

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        # The pledge date or interval may have changed: the schedule follows.
        commitment_refresh_derived(obj)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if change and {"resolutions", "channels"} & set(form.changed_data):
            # Linked resolutions or channels changed: partners mirroring by updated_since and
            # conditional GET must see the commitment as changed.
            Commitment.objects.filter(pk=form.instance.pk).update(updated_at=timezone.now())

    @admin.action(description=_("Recompute status and next review from the updates"))
    def recompute_derived(self, request, queryset):
        for commitment in queryset:
            commitment_refresh_derived(commitment)
        self.message_user(request, _("Recomputed %(n)d commitments.") % {"n": queryset.count()})


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(admin.ModelAdmin):
    """Updates are append-only: the secretariat may add one (through the same service as the
    web form, so the same rules apply) but never edit or delete one."""

    list_display = [
        "commitment",
        "reported_on",
        "status",
        "is_correction_display",
        "author",
        "created_at",
        "is_demo",
    ]
    list_filter = ["status", "is_demo", ("corrects", admin.EmptyFieldListFilter)]
    search_fields = ["narrative", "commitment__title", "commitment__state__name"]
    autocomplete_fields = ["commitment", "corrects"]
    list_select_related = ["commitment__state", "author"]
    date_hierarchy = "reported_on"
    fields = ["commitment", "reported_on", "status", "narrative", "corrects"]
    inlines = [EvidenceInline]

    @admin.display(boolean=True, description=_("correction"))
    def is_correction_display(self, obj):
        return obj.is_correction

    def has_change_permission(self, request, obj=None):
        # Viewing is allowed (Django shows a read-only form); saving never is.
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        return self.fields if obj else []

    def save_model(self, request, obj, form, change):
        try:
            created = progress_update_create(
                user=request.user,
                commitment=obj.commitment,
                reported_on=obj.reported_on,
                status=obj.status,
                narrative=obj.narrative,
                corrects=obj.corrects,
            )
        except (ValidationError, PermissionDenied) as exc:
            self.message_user(
                request, "; ".join(getattr(exc, "messages", [str(exc)])), messages.ERROR
            )
            raise
        obj.pk = created.pk
        obj._state.adding = False


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["title", "kind", "update", "content_type", "size_bytes", "created_at"]
    list_filter = ["kind", "content_type", "is_demo"]
    search_fields = ["title", "url", "update__commitment__title"]
    list_select_related = ["update__commitment__state"]

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
