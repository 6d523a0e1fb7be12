from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import Count
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from focalpoints.models import (
    ApiToken,
    FocalPoint,
    MemberState,
    Network,
    NetworkMembership,
    Organisation,
    OrganisationMembership,
    ReferenceFigure,
    StateAccess,
    User,
)
from focalpoints.services import organisation_approve
from focalpoints.tokens import (
    api_token_issue,
    api_token_renew,
    api_token_revoke,
    may_hold_api_token,
    token_states,
)


class StateAccessInline(admin.TabularInline):
    model = StateAccess
    extra = 0
    autocomplete_fields = ["state"]
    fields = ["state", "role", "is_active", "granted_at"]
    readonly_fields = ["granted_at"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = [
        "username",
        "email",
        "get_full_name",
        "is_staff",
        "is_active",
        "is_demo",
        "last_login",
    ]
    list_filter = ["is_staff", "is_active", "is_demo", "preferred_language", "state_accesses__role"]
    search_fields = ["username", "email", "first_name", "last_name", "state_accesses__state__name"]
    inlines = [StateAccessInline]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (
            _("Preferences"),
            {"fields": ("preferred_language", "time_zone", "reminders_opt_out", "is_demo")},
        ),
    )


class FocalPointInline(admin.TabularInline):
    model = FocalPoint
    extra = 0
    fields = ["office", "title", "appointed_on", "ended_on", "verification"]
    show_change_link = True


class NetworkMembershipInline(admin.TabularInline):
    model = NetworkMembership
    extra = 0
    autocomplete_fields = ["network", "state"]


@admin.register(MemberState)
class MemberStateAdmin(SimpleHistoryAdmin):
    list_display = ["name", "name_fr", "name_es", "name_ar", "code", "kind", "regional_group"]
    list_filter = ["kind", "regional_group"]
    search_fields = ["name", "name_fr", "name_es", "name_ar", "official_name", "code"]
    readonly_fields = ["updated_at"]
    inlines = [FocalPointInline, NetworkMembershipInline]
    ordering = ["name"]

    def get_readonly_fields(self, request, obj=None):
        # The code is the public key in URLs, the API and exports: set once, never changed.
        return [*self.readonly_fields, "code"] if obj else self.readonly_fields


@admin.register(FocalPoint)
class FocalPointAdmin(SimpleHistoryAdmin):
    list_display = [
        "state",
        "office",
        "title",
        "appointed_on",
        "ended_on",
        "is_current_display",
        "verification",
        "is_demo",
    ]
    list_filter = [
        ("ended_on", admin.EmptyFieldListFilter),
        "verification",
        "state__regional_group",
        "is_demo",
    ]
    search_fields = ["state__name", "state__code", "office", "title", "person_name", "email"]
    autocomplete_fields = ["state"]
    list_select_related = ["state"]
    date_hierarchy = "appointed_on"
    fieldsets = (
        (None, {"fields": ("state", "office", "title", "appointed_on", "ended_on")}),
        (
            _("Public evidence"),
            {"fields": ("evidence", "evidence_as_of", "source_url", "verification")},
        ),
        (
            _("Private contact details (never published)"),
            {"fields": ("person_name", "email", "phone", "internal_notes")},
        ),
        (None, {"fields": ("is_demo",)}),
    )

    @admin.display(boolean=True, description=_("current"))
    def is_current_display(self, obj):
        return obj.is_current


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "member_count"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [NetworkMembershipInline]

    def get_queryset(self, request):
        # One grouped count for the whole list, not a query per network.
        return (
            super()
            .get_queryset(request)
            .annotate(state_count=Count("memberships__state", distinct=True))
        )

    @admin.display(description=_("members in this tracker"), ordering="state_count")
    def member_count(self, obj):
        return obj.state_count


@admin.register(NetworkMembership)
class NetworkMembershipAdmin(admin.ModelAdmin):
    list_display = ["state", "network", "role", "since", "verification"]
    list_filter = ["network", "role", "verification"]
    search_fields = ["state__name", "network__name", "evidence"]
    autocomplete_fields = ["state", "network"]
    list_select_related = ["state", "network"]


@admin.register(ReferenceFigure)
class ReferenceFigureAdmin(admin.ModelAdmin):
    list_display = ["statement", "topic", "value", "as_of", "source_name"]
    list_filter = ["topic"]
    search_fields = ["statement", "source_name", "key"]
    date_hierarchy = "as_of"


@admin.register(StateAccess)
class StateAccessAdmin(SimpleHistoryAdmin):
    list_display = ["user", "state", "role", "is_active", "granted_at"]
    list_filter = ["role", "is_active", "state__regional_group"]
    search_fields = ["user__username", "user__email", "state__name", "state__code"]
    autocomplete_fields = ["user", "state"]
    list_select_related = ["user", "state"]


# --- API tokens (issued and revoked here and in the workspace; the secret is shown once) ------


class ApiTokenAdminForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["user", "name", "state"]

    def clean_user(self):
        user = self.cleaned_data["user"]
        if not may_hold_api_token(user):
            raise forms.ValidationError(
                _("Only active users who act for a State can hold an API token.")
            )
        return user

    def clean(self):
        cleaned = super().clean()
        user, state = cleaned.get("user"), cleaned.get("state")
        if user and state and not token_states(user).filter(pk=state.pk).exists():
            self.add_error("state", _("This user does not act for this State."))
        return cleaned


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    form = ApiTokenAdminForm
    list_display = [
        "prefix",
        "name",
        "user",
        "state",
        "organisation",
        "issued_by",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    ]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter), "expires_at"]
    search_fields = ["prefix", "name", "user__username", "issued_by__username"]
    list_select_related = ["user", "issued_by", "state", "organisation"]
    autocomplete_fields = ["user", "state"]
    actions = ["renew_selected", "revoke_selected"]
    readonly_fields_on_view = [
        "user",
        "name",
        "prefix",
        "state",
        "organisation",
        "issued_by",
        "created_at",
        "expires_at",
        "renewed_at",
        "last_used_at",
        "revoked_at",
        "updates_posted",
    ]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields_on_view

    def get_fields(self, request, obj=None):
        return ["user", "name", "state"] if obj is None else self.readonly_fields_on_view

    @admin.display(description=_("progress updates posted with it"))
    def updates_posted(self, obj):
        return obj.progress_updates.count()

    def has_change_permission(self, request, obj=None):
        # Tokens are issued and revoked, never edited: the change page is read-only.
        return request.method in ("GET", "HEAD") and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        token, raw = api_token_issue(
            user=obj.user, name=obj.name, issued_by=request.user, state=obj.state
        )
        obj.pk, obj.prefix, obj.digest, obj.created_at = (
            token.pk,
            token.prefix,
            token.digest,
            token.created_at,
        )
        obj._state.adding = False
        request._issued_api_token = raw

    def response_add(self, request, obj, post_url_continue=None):
        response = TemplateResponse(
            request,
            "admin/focalpoints/apitoken/issued.html",
            {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "token": obj,
                "raw_token": request._issued_api_token,
                "title": _("API token issued"),
            },
        )
        response["Cache-Control"] = "no-store"
        return response

    @admin.action(description=_("Renew the selected tokens for a full lifetime"))
    def renew_selected(self, request, queryset):
        renewed = 0
        for token in queryset.filter(revoked_at__isnull=True):
            api_token_renew(token=token, renewed_by=request.user)
            renewed += 1
        self.message_user(
            request,
            _("%(count)d tokens renewed (revoked tokens cannot be renewed).") % {"count": renewed},
        )

    @admin.action(description=_("Revoke the selected tokens"))
    def revoke_selected(self, request, queryset):
        for token in queryset:
            api_token_revoke(token=token, revoked_by=request.user)
        self.message_user(request, _("The selected tokens are revoked."))


# --- Assessor organisations (issue 10): approved here, with history ---------------------------


class OrganisationMembershipInline(admin.TabularInline):
    model = OrganisationMembership
    extra = 0
    autocomplete_fields = ["user"]
    fields = ["user", "is_active", "created_at"]
    readonly_fields = ["created_at"]


@admin.register(Organisation)
class OrganisationAdmin(SimpleHistoryAdmin):
    """The secretariat curates assessor organisations. Approval is the action (through
    ``organisation_approve``, recorded in the history with who and when); the status is never
    typed. An approved organisation is not deleted: its published assessments stay public."""

    list_display = ["name", "kind", "country", "status", "email_confirmed_at", "approved_at"]
    list_filter = ["status", "kind", "is_demo"]
    search_fields = ["name", "contact_email", "country__name"]
    autocomplete_fields = ["country"]
    list_select_related = ["country"]
    readonly_fields = ["status", "approved_at", "approved_by", "email_confirmed_at", "created_at"]
    inlines = [OrganisationMembershipInline]
    actions = ["approve"]

    @admin.action(description=_("Approve the selected organisations"))
    def approve(self, request, queryset):
        approved = 0
        for organisation in queryset.filter(status=Organisation.Status.PENDING):
            organisation_approve(user=request.user, organisation=organisation)
            approved += 1
        self.message_user(
            request,
            _("%(n)d organisation(s) approved: their assessments can now be published.")
            % {"n": approved},
        )

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_approved:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(OrganisationMembership)
class OrganisationMembershipAdmin(SimpleHistoryAdmin):
    list_display = ["user", "organisation", "is_active", "created_at"]
    list_filter = ["is_active", "organisation__kind"]
    search_fields = ["user__username", "user__email", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]
    list_select_related = ["user", "organisation"]
