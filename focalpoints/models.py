"""States, focal point appointments, networks, and who may act for which State."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from focalpoints import localisation


class Verification(models.TextChoices):
    """How sure we are of a reference fact (carried from the source data, shown to users)."""

    VERIFIED = "verified", _("Verified in the cited source")
    INFERRED = "inferred", _("Inferred from the cited source")
    UNVERIFIED = "unverified", _("Not verified")


class RegionalGroup(models.TextChoices):
    """The five UN regional groups; the value doubles as the URL slug."""

    AFRICAN = "african", _("African States")
    ASIA_PACIFIC = "asia-pacific", _("Asia-Pacific States")
    EASTERN_EUROPEAN = "eastern-european", _("Eastern European States")
    LATIN_AMERICAN_CARIBBEAN = "latin-american-caribbean", _("Latin American and Caribbean States")
    WESTERN_EUROPEAN_OTHERS = "western-european-others", _("Western European and other States")


class User(AbstractUser):
    """An account. Which States it may act for is in :class:`StateAccess`."""

    preferred_language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("Language of e-mails and of the site after log-in."),
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="UTC",
        help_text=_("Dates and times are shown in this zone (an IANA name, e.g. Africa/Accra)."),
    )
    reminders_opt_out = models.BooleanField(
        _("opted out of review reminders"),
        default=False,
        help_text=_("Escalations to the secretariat are sent regardless."),
    )
    is_demo = models.BooleanField(_("demonstration account"), default=False, db_index=True)

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        full = self.get_full_name()
        return f"{full} ({self.username})" if full else self.username


class MemberStateQuerySet(models.QuerySet):
    def un_members(self):
        return self.filter(kind=MemberState.Kind.MEMBER)


class MemberState(models.Model):
    """A UN Member State, an observer State or a regional organisation with a focal point."""

    class Kind(models.TextChoices):
        MEMBER = "member", _("UN Member State")
        OBSERVER = "observer", _("Non-member observer State")
        REGIONAL_ORGANISATION = "regional-organisation", _("Regional organisation")

    code = models.CharField(
        _("ISO 3166 alpha-3 code"),
        max_length=3,
        primary_key=True,
        help_text=_("The public key in URLs, the API and CSV files (EUU for the European Union)."),
    )
    # The English name is the UN short name (Türkiye, Czechia) and the stable key partners use;
    # the other languages come from CLDR through django-countries (see data/reference/derive.py).
    name = models.CharField(_("name (English)"), max_length=120, unique=True)
    name_fr = models.CharField(_("name (French)"), max_length=120, blank=True)
    name_es = models.CharField(_("name (Spanish)"), max_length=120, blank=True)
    name_ar = models.CharField(_("name (Arabic)"), max_length=120, blank=True)
    official_name = models.CharField(_("official name"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices, db_index=True)
    regional_group = models.CharField(
        _("UN regional group"),
        max_length=32,
        choices=RegionalGroup.choices,
        blank=True,
        db_index=True,
        help_text=_("Empty for observers and organisations, which belong to no group."),
    )
    regional_group_note = models.TextField(_("note on the regional group"), blank=True)
    un_member_since = models.DateField(_("UN member since"), null=True, blank=True)
    observer_since = models.DateField(_("non-member observer State since"), null=True, blank=True)
    name_note = models.TextField(
        _("note on the name"), blank=True, help_text=_("E.g. a former short name, and since when.")
    )
    source = models.TextField(_("source"), blank=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True, db_index=True)
    history = HistoricalRecords()

    objects = MemberStateQuerySet.as_manager()

    # What every public surface (pages' CSV, the open-data zip, the API, the benchmark baseline)
    # may show of a State — declared once; tests/test_public_fields.py holds every surface to it.
    PUBLIC_FIELDS = (
        "code",
        "name",
        "name_fr",
        "name_es",
        "name_ar",
        "official_name",
        "kind",
        "regional_group",
        "regional_group_note",
        "un_member_since",
        "observer_since",
        "name_note",
        "source",
        "updated_at",
    )
    PRIVATE_FIELDS = ()

    class Meta:
        ordering = ["name"]
        verbose_name = _("State or organisation")
        verbose_name_plural = _("States and organisations")
        constraints = [
            models.CheckConstraint(
                condition=Q(code__regex=r"^[A-Z]{3}$"), name="member_state_code_is_alpha3"
            ),
            models.CheckConstraint(
                condition=~Q(kind="member") | ~Q(regional_group=""),
                name="member_state_members_have_a_group",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    # The one declaration of a State's name as a reader sees it: every page, list, feed, e-mail
    # and CSV calls it (or, in a query, :func:`state_name_expression` / :func:`state_name_order`).
    @property
    def display_name(self) -> str:
        return localisation.localised(self, "name").text

    def name_in(self, language: str) -> str:
        return localisation.localised(self, "name", language).text

    @property
    def names(self) -> dict[str, str]:
        """The name in the four site languages (English where a translation is missing)."""
        return {code: self.name_in(code) for code in localisation.LANGUAGES}


def state_name_expression(prefix: str = "", language: str | None = None):
    """A State's name in the reader's language, as a query expression (``prefix`` reaches it
    through a relation, e.g. ``"state__"``)."""
    return localisation.expression("name", prefix=prefix, language=language)


def state_name_order(prefix: str = "", language: str | None = None, descending: bool = False):
    """Order by a State's name as a reader of the active language sorts it."""
    return localisation.ordering("name", prefix=prefix, language=language, descending=descending)


def state_name_search(text: str, prefix: str = "") -> models.Q:
    """States whose name in any of the four languages contains ``text``."""
    return localisation.search_q("name", text, prefix=prefix)


class EvidenceKind(models.TextChoices):
    """What a focal point row rests on. Only the secretariat's record of an appointment makes a
    State count as having a current focal point: the sourced research rows say what a public
    source reported at the time, not that the appointment still stands."""

    APPOINTMENT_RECORDED = "appointment_recorded", _("Appointment recorded by the secretariat")
    APPOINTMENT_STATED = "appointment_stated", _("Appointment stated in a public source")
    NETWORK_ROLE = "network_role", _("Role in the Global Network stated in a public source")
    HOSTED_MEETING = "hosted_meeting", _("Hosted a network meeting; appointment not stated")
    INTENTION_ONLY = "intention_only", _("Stated an intention to appoint only")


def current_focal_point_q(prefix: str = "") -> Q:
    """The one rule for "a current appointment": recorded by the secretariat and not ended."""
    return Q(
        **{
            f"{prefix}ended_on__isnull": True,
            f"{prefix}evidence_kind": EvidenceKind.APPOINTMENT_RECORDED,
        }
    )


def appointment_is_current(ended_on, evidence_kind: str) -> bool:
    """:func:`current_focal_point_q` for one row's values."""
    return ended_on is None and evidence_kind == EvidenceKind.APPOINTMENT_RECORDED


def evidence_sentence(kind: str, year: int | None) -> str:
    """How a row is shown to the public, as its evidence says (e.g. "focal point reported in
    2012"), never as a current appointment unless the secretariat recorded one."""
    if kind == EvidenceKind.APPOINTMENT_RECORDED or year is None:
        return str(EvidenceKind(kind).label)
    sentences = {
        EvidenceKind.APPOINTMENT_STATED: _("focal point reported in %(year)s"),
        EvidenceKind.NETWORK_ROLE: _("focal point reported in %(year)s (network role)"),
        EvidenceKind.HOSTED_MEETING: _(
            "hosted a Global Network meeting in %(year)s; appointment not stated"
        ),
        EvidenceKind.INTENTION_ONLY: _(
            "said in %(year)s it intended to appoint; no appointment evidence"
        ),
    }
    return sentences[EvidenceKind(kind)] % {"year": year}


class FocalPointQuerySet(models.QuerySet):
    def current(self):
        return self.filter(current_focal_point_q())

    def reported(self):
        """Rows from public sources that are evidence, not a recorded current appointment."""
        return self.filter(ended_on__isnull=True).exclude(current_focal_point_q())


class FocalPoint(models.Model):
    """An appointment of a national R2P focal point. History is kept: ending one and
    appointing the next never deletes a row. Contact fields are private."""

    state = models.ForeignKey(
        MemberState,
        on_delete=models.PROTECT,
        related_name="focal_points",
        verbose_name=_("State"),
    )
    office = models.CharField(
        _("office"), max_length=200, blank=True, help_text=_("E.g. Ministry of Foreign Affairs.")
    )
    title = models.CharField(_("title or position"), max_length=200, blank=True)
    appointed_on = models.DateField(_("appointed on"), null=True, blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    # Publicly citable evidence that the appointment exists (where we know of it).
    evidence = models.TextField(_("public evidence"), blank=True)
    evidence_kind = models.CharField(
        _("kind of evidence"),
        max_length=24,
        choices=EvidenceKind.choices,
        default=EvidenceKind.APPOINTMENT_RECORDED,
        help_text=_(
            "Only an appointment recorded by the secretariat counts as a current focal point."
        ),
    )
    reported_year = models.PositiveSmallIntegerField(
        _("year reported"), null=True, blank=True, help_text=_("The year the source speaks of.")
    )
    evidence_as_of = models.DateField(_("evidence dated"), null=True, blank=True)
    source_name = models.CharField(_("source name"), max_length=200, blank=True)
    source_url = models.URLField(_("source"), max_length=500, blank=True)
    verification = models.CharField(
        _("verification"),
        max_length=12,
        choices=Verification.choices,
        default=Verification.VERIFIED,
    )
    # --- Private: staff and the State's own users only. Never in a page, feed, export or API.
    person_name = models.CharField(_("person's name"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("telephone"), max_length=64, blank=True)
    internal_notes = models.TextField(_("internal notes"), blank=True)
    reference_key = models.CharField(
        _("reference data key"),
        max_length=40,
        blank=True,
        editable=False,
        help_text=_("Set on rows loaded from the sourced reference data."),
    )
    is_demo = models.BooleanField(_("demonstration data"), default=False, db_index=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True, db_index=True)
    history = HistoricalRecords()

    objects = FocalPointQuerySet.as_manager()

    # Declared once (see MemberState.PUBLIC_FIELDS). The person and their contacts are private:
    # staff and the State's own users only, never a page, feed, export or the API.
    PUBLIC_FIELDS = (
        "id",
        "state",
        "office",
        "title",
        "appointed_on",
        "ended_on",
        "evidence",
        "evidence_kind",
        "reported_year",
        "evidence_as_of",
        "source_name",
        "source_url",
        "verification",
        "is_demo",
        "updated_at",
    )
    PRIVATE_FIELDS = ("person_name", "email", "phone", "internal_notes", "reference_key")

    class Meta:
        ordering = ["state__name", "-appointed_on"]
        verbose_name = _("focal point appointment")
        verbose_name_plural = _("focal point appointments")
        constraints = [
            models.UniqueConstraint(
                fields=["state"],
                condition=Q(ended_on__isnull=True, evidence_kind="appointment_recorded"),
                name="one_current_focal_point_per_state",
                violation_error_message=_("This State already has a current focal point."),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(appointed_on__isnull=True)
                | Q(ended_on__gte=models.F("appointed_on")),
                name="focal_point_ends_after_appointment",
                violation_error_message=_("An appointment cannot end before it starts."),
            ),
        ]

    def __str__(self) -> str:
        status = _("current") if self.is_current else _("ended %(date)s") % {"date": self.ended_on}
        return f"{self.state} — {self.office or _('focal point')} ({status})"

    @property
    def is_current(self) -> bool:
        """The same rule as :func:`current_focal_point_q`, for one row."""
        return appointment_is_current(self.ended_on, self.evidence_kind)

    @property
    def shown_as(self) -> str:
        return evidence_sentence(self.evidence_kind, self.reported_year)

    @property
    def provenance(self) -> str:
        return provenance_sentence(self.source_name, self.evidence_as_of, self.reported_year)


def provenance_sentence(source: str, day=None, year: int | None = None) -> str:
    """Where a fact was seen, as readers read it: "Seen in: <source>, <date>"."""
    if not source:
        return ""
    when = date_format(day, "DATE_FORMAT") if day else (str(year) if year else "")
    # Unicode isolates: a Latin source name or a date keeps its order in an Arabic sentence.
    source = f"\u2068{source}\u2069"
    if when:
        return _("Seen in: %(source)s, %(date)s") % {
            "source": source,
            "date": f"\u2068{when}\u2069",
        }
    return _("Seen in: %(source)s") % {"source": source}


class Network(models.Model):
    """A network States take part in (Global Network of R2P Focal Points, GAAMAC, ...)."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=250, unique=True)
    name_fr = models.CharField(_("name (French)"), max_length=250, blank=True)
    name_es = models.CharField(_("name (Spanish)"), max_length=250, blank=True)
    name_ar = models.CharField(_("name (Arabic)"), max_length=250, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_es = models.TextField(_("description (Spanish)"), blank=True)
    description_ar = models.TextField(_("description (Arabic)"), blank=True)
    source_url = models.URLField(_("source"), max_length=500, blank=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("network")
        verbose_name_plural = _("networks")

    def __str__(self) -> str:
        return str(localisation.localised(self, "name"))


class NetworkMembership(models.Model):
    class Role(models.TextChoices):
        MEMBER = "member", _("Member")
        STEERING_GROUP = "steering-group", _("Steering group")
        FOUNDER = "founder", _("Founding member")
        HOST = "host", _("Host of a meeting")

    network = models.ForeignKey(
        Network, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("network")
    )
    state = models.ForeignKey(
        MemberState,
        on_delete=models.CASCADE,
        related_name="network_memberships",
        verbose_name=_("State"),
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.MEMBER)
    since = models.DateField(_("since"), null=True, blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    source_url = models.URLField(_("source"), max_length=500, blank=True)
    verification = models.CharField(
        _("verification"),
        max_length=12,
        choices=Verification.choices,
        default=Verification.VERIFIED,
    )

    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        ordering = ["network__name", "state__name"]
        verbose_name = _("network membership")
        verbose_name_plural = _("network memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["network", "state", "role"], name="network_membership_unique_role"
            )
        ]

    def __str__(self) -> str:
        return f"{self.state} — {self.network} ({self.get_role_display()})"


class ReferenceFigure(models.Model):
    """A sourced headline count shown beside our own partial rows, so that nobody mistakes
    our coverage for the whole (e.g. the Global Network's own count of its members)."""

    class Topic(models.TextChoices):
        FOCAL_POINTS = "focal-points", _("States with a focal point")
        NETWORK = "network", _("Network membership")
        RESOLUTIONS_SC = "resolutions-sc", _("Security Council resolutions referring to R2P")
        STATEMENTS_SC = "statements-sc", _("Security Council presidential statements on R2P")
        RESOLUTIONS_HRC = "resolutions-hrc", _("Human Rights Council resolutions referring to R2P")

    key = models.SlugField(_("key"), max_length=80, unique=True)
    topic = models.CharField(_("topic"), max_length=24, choices=Topic.choices, db_index=True)
    network = models.ForeignKey(
        Network,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="figures",
        verbose_name=_("network"),
    )
    value = models.PositiveIntegerField(_("value"))
    at_least = models.BooleanField(
        _("at least"), default=False, help_text=_("The source says 'more than'.")
    )
    statement = models.CharField(_("as stated by the source"), max_length=300)
    statement_fr = models.CharField(_("statement (French)"), max_length=300, blank=True)
    statement_es = models.CharField(_("statement (Spanish)"), max_length=300, blank=True)
    statement_ar = models.CharField(_("statement (Arabic)"), max_length=300, blank=True)
    as_of = models.DateField(_("as of"), null=True, blank=True)
    as_of_text = models.CharField(
        _("as of (as stated)"),
        max_length=40,
        blank=True,
        help_text=_("When the source gives only a month or a year, e.g. 'June 2021'."),
    )
    source_name = models.CharField(_("source name"), max_length=200)
    source_url = models.URLField(_("source"), max_length=500, blank=True)
    verification = models.CharField(
        _("verification"),
        max_length=12,
        choices=Verification.choices,
        default=Verification.VERIFIED,
    )
    note = models.TextField(_("note"), blank=True, help_text=_("What was seen, and what was not."))
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    class Meta:
        ordering = ["topic", "-as_of"]
        verbose_name = _("sourced headline figure")
        verbose_name_plural = _("sourced headline figures")

    def __str__(self) -> str:
        return f"{self.statement} ({self.as_of_label})"

    @property
    def as_of_label(self) -> str:
        return self.as_of.isoformat() if self.as_of else self.as_of_text


class StateAccess(models.Model):
    """Which accounts may act for which State, and in what role."""

    class Role(models.TextChoices):
        FOCAL_POINT = "focal-point", _("Focal point")
        DELEGATE = "delegate", _("Delegate")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="state_accesses",
        verbose_name=_("user"),
    )
    state = models.ForeignKey(
        MemberState,
        on_delete=models.CASCADE,
        related_name="accesses",
        verbose_name=_("State"),
    )
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["state__name", "user__username"]
        verbose_name = _("State access")
        verbose_name_plural = _("State accesses")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "state"], name="state_access_one_per_user_state"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}, {self.state}"


class ApiTokenQuerySet(models.QuerySet):
    def active(self, now=None):
        """Tokens that work at ``now`` (default: now): not revoked and not expired."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=now or timezone.now())


class ApiToken(models.Model):
    """A personal API token for posting progress through ``/api/v1/``.

    Only a SHA-256 digest of the secret is stored: the secret itself is shown once, when the
    token is issued (:func:`focalpoints.tokens.api_token_issue`), and can never be read back.
    Revoking keeps the row (who had a token, when it was last used) and stops it working.
    Every token expires (``API_TOKEN_LIFETIME_DAYS`` after issue or renewal), may be limited
    to one State, and records who issued it.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("What the token is for, e.g. 'ministry database'.")
    )
    prefix = models.CharField(
        _("prefix"),
        max_length=16,
        editable=False,
        help_text=_("The first characters of the token, to recognise it in lists and logs."),
    )
    digest = models.CharField(_("SHA-256 digest"), max_length=64, unique=True, editable=False)
    state = models.ForeignKey(
        MemberState,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("limited to State"),
        help_text=_("Empty: every State its holder acts for."),
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("issued by"),
        help_text=_("Who asked for the token: its holder, or staff on the holder's behalf."),
    )
    created_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"), editable=False)
    renewed_at = models.DateTimeField(_("last renewed at"), null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    @property
    def is_active(self) -> bool:
        """The same rule as :meth:`ApiTokenQuerySet.active`, for one row."""
        return self.revoked_at is None and self.expires_at > timezone.now()

    @property
    def is_expired(self) -> bool:
        return self.revoked_at is None and self.expires_at <= timezone.now()

    @property
    def issued_on_behalf(self) -> bool:
        return self.issued_by_id is not None and self.issued_by_id != self.user_id


class Organisation(models.Model):
    """An assessor organisation: a civil-society organisation, a national human rights
    institution, an academic centre, a regional body, a UN entity — or the secretariat itself.
    Its members file independent assessments of commitments (``commitments.Assessment``); none
    can be published until the secretariat has approved the organisation.

    A national organisation (``country`` set) assesses that State's commitments only; an
    international one (no country) any State's (focalpoints.permissions.may_assess)."""

    class Kind(models.TextChoices):
        CIVIL_SOCIETY = "civil-society", _("Civil-society organisation")
        NHRI = "nhri", _("National human rights institution")
        ACADEMIC = "academic", _("Academic centre")
        REGIONAL_BODY = "regional-body", _("Regional body")
        UN_ENTITY = "un-entity", _("UN entity")
        SECRETARIAT = "secretariat", _("Secretariat")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the secretariat's approval")
        APPROVED = "approved", _("Approved")

    name = models.CharField(_("name"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, db_index=True)
    country = models.ForeignKey(
        MemberState,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organisations",
        verbose_name=_("country"),
        help_text=_("Empty for an international organisation (it may assess any State)."),
    )
    website = models.URLField(_("website"), max_length=300, blank=True)
    description = models.TextField(_("public description"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        verbose_name=_("approved by"),
    )
    # Self-registration: the address given, confirmed by a signed link (focalpoints.services).
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    email_confirmed_at = models.DateTimeField(
        _("e-mail confirmed at"), null=True, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True, db_index=True)
    is_demo = models.BooleanField(_("demonstration data"), default=False, db_index=True)
    history = HistoricalRecords()

    # Declared once (see MemberState.PUBLIC_FIELDS). Only approved organisations are public;
    # the contact address, who approved and the registration trail are the secretariat's.
    PUBLIC_FIELDS = (
        "id",
        "name",
        "kind",
        "country",
        "website",
        "description",
        "status",
        "approved_at",
        "updated_at",
        "is_demo",
    )
    PRIVATE_FIELDS = ("approved_by", "contact_email", "email_confirmed_at", "created_at")

    class Meta:
        ordering = ["name"]
        verbose_name = _("assessor organisation")
        verbose_name_plural = _("assessor organisations")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="pending") | Q(approved_at__isnull=False),
                name="organisation_approved_has_time",
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def is_international(self) -> bool:
        return self.country_id is None


class OrganisationMembership(models.Model):
    """An account acting for an assessor organisation (an assessor). Not a State access: an
    assessor acts for no State (focalpoints.permissions)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="organisation_memberships",
        verbose_name=_("user"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("organisation"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("member since"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["organisation__name", "user__username"]
        verbose_name = _("organisation membership")
        verbose_name_plural = _("organisation memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="organisation_membership_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.organisation}"
