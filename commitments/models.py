"""Resolutions, the catalogue of prevention steps, commitments, their append-only progress
updates with evidence, and the reminders sent about reviews."""

import datetime

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from commitments.evidence import download_name
from focalpoints.localisation import localised
from focalpoints.models import MemberState, Verification, provenance_sentence


class Status(models.TextChoices):
    """Completion levels modelled on the Open Government Partnership's Independent Reporting
    Mechanism (not started / limited / substantial / complete, plus withdrawn). A commitment
    with no update yet is "not reported" — the absence of a report is itself a finding."""

    NOT_REPORTED = "not-reported", _("Not yet reported")
    NOT_STARTED = "not-started", _("Not started")
    LIMITED = "limited", _("Limited progress")
    SUBSTANTIAL = "substantial", _("Substantial progress")
    COMPLETE = "complete", _("Complete")
    WITHDRAWN = "withdrawn", _("Withdrawn")


UPDATE_STATUSES = [
    (value, label) for value, label in Status.choices if value != Status.NOT_REPORTED
]
# Statuses after which no further review is owed.
CLOSED_STATUSES = frozenset({Status.COMPLETE, Status.WITHDRAWN})


# --- The review-cycle rules, once ---------------------------------------------------------------
#
# Each condition is built by one function; ``prefix`` applies the same rule through a relation
# (``prefix="commitments__"`` counts a State's overdue commitments). The queryset methods and the
# instance methods of :class:`Commitment` below are the two forms every surface calls (SQL for
# lists and figures, Python for one row); tests hold them to the same answers.


def due_soon_days() -> int:
    """How many days ahead a review counts as "due soon": the window the workspace flags, the
    public figures count and the "upcoming" reminder starts (``REMINDER_UPCOMING_DAYS``)."""
    return settings.REMINDER_UPCOMING_DAYS


def overdue_q(today: datetime.date, prefix: str = "") -> Q:
    """A review is overdue the day after it falls due. Closed commitments have no due date."""
    return Q(**{f"{prefix}next_review_due__lt": today})


def on_time_q(today: datetime.date, prefix: str = "") -> Q:
    """A review is owed and not yet late (due today or later)."""
    return Q(**{f"{prefix}next_review_due__gte": today})


def due_soon_q(today: datetime.date, prefix: str = "") -> Q:
    """Due from today until :func:`due_soon_days` ahead (both ends included)."""
    window_end = today + datetime.timedelta(days=due_soon_days())
    return Q(**{f"{prefix}next_review_due__range": (today, window_end)})


def overdue_for_q(today: datetime.date, days: int, prefix: str = "") -> Q:
    """Overdue for at least ``days`` days: due on ``today - days`` or earlier (one day overdue
    the day after the due date, so ``days=1`` is :func:`overdue_q`)."""
    return Q(**{f"{prefix}next_review_due__lte": today - datetime.timedelta(days=days)})


def days_overdue_sql(today: datetime.date, prefix: str = "") -> models.Expression:
    """:meth:`Commitment.days_overdue` as SQL: days since the review fell due while it is
    :func:`overdue_q`, else 0 (PostgreSQL: a date less a date is a number of days)."""
    since = models.Func(
        models.Value(today, output_field=models.DateField()),
        models.F(f"{prefix}next_review_due"),
        arg_joiner=" - ",
        template="(%(expressions)s)",
        output_field=models.IntegerField(),
    )
    return models.Case(
        models.When(overdue_q(today, prefix), then=since),
        default=models.Value(0),
        output_field=models.IntegerField(),
    )


def target_missed_q(today: datetime.date, prefix: str = "") -> Q:
    """The target date has passed (missed the day after it) and the commitment is not complete.
    A withdrawn commitment whose target has passed counts: it was not achieved."""
    return Q(**{f"{prefix}target_date__lt": today}) & ~Q(**{f"{prefix}status": Status.COMPLETE})


def active_q(prefix: str = "") -> Q:
    """An active pledge: anything not withdrawn (complete pledges stay active achievements)."""
    return ~Q(**{f"{prefix}status": Status.WITHDRAWN})


def closed_q(prefix: str = "") -> Q:
    """No further review is owed (complete or withdrawn)."""
    return Q(**{f"{prefix}status__in": sorted(CLOSED_STATUSES)})


class CommitmentQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active_q())

    def overdue(self, today: datetime.date):
        return self.filter(overdue_q(today))

    def not_overdue(self, today: datetime.date):
        return self.exclude(overdue_q(today))

    def on_time(self, today: datetime.date):
        return self.filter(on_time_q(today))

    def due_soon(self, today: datetime.date):
        return self.filter(due_soon_q(today))

    def overdue_for(self, today: datetime.date, days: int):
        return self.filter(overdue_for_q(today, days))

    def target_missed(self, today: datetime.date):
        return self.filter(target_missed_q(today))

    def independently_assessed(self):
        """With at least one published independent assessment (``independent_status`` set)."""
        from commitments.rules import independently_assessed_q

        return self.filter(independently_assessed_q())

    def in_disagreement(self):
        """Whose latest independent status disagrees with the government's
        (:func:`commitments.rules.disagrees`, in SQL)."""
        from commitments.rules import disagreement_q

        return self.filter(disagreement_q())


class Body(models.TextChoices):
    GA = "GA", _("General Assembly")
    SC = "SC", _("Security Council")
    HRC = "HRC", _("Human Rights Council")
    REGIONAL = "regional", _("Regional body")
    OTHER = "other", _("Other")


class Level(models.TextChoices):
    NATIONAL = "national", _("National")
    INTERGOVERNMENTAL = "intergovernmental", _("Intergovernmental")
    UN_SYSTEM = "un-system", _("UN system")


class Basis(models.TextChoices):
    """The kind of responsibility behind a step (SG report 2017: legal, political, moral)."""

    LEGAL = "legal", _("Legal obligation")
    POLITICAL = "political", _("Political commitment")
    MORAL = "moral", _("Moral responsibility")


class In2017Report(models.TextChoices):
    """Whether the Secretary-General's 2017 report (A/71/1016–S/2017/556) says a step."""

    YES = "yes", _("Yes: seen in the report's text")
    HEADING_ONLY = "heading-only", _("Yes, as a heading only")
    PER_SECONDARY = "per-secondary", _("According to a summary of the report")
    NOT_SEEN = "not-seen", _("Not seen in the report")
    OTHER_DOCUMENT = "other-document", _("No: from another UN text")


class Resolution(models.Model):
    """An outcome of a UN or regional body that refers to R2P."""

    class Kind(models.TextChoices):
        RESOLUTION = "resolution", _("Resolution")
        PRESIDENTIAL_STATEMENT = "presidential-statement", _("Presidential statement")

    body = models.CharField(_("body"), max_length=10, choices=Body.choices, db_index=True)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices, default=Kind.RESOLUTION)
    symbol = models.CharField(_("symbol"), max_length=80, unique=True)
    adopted_on = models.DateField(
        _("adopted on"), null=True, blank=True, help_text=_("Empty when not verified.")
    )
    title = models.CharField(_("title or subject"), max_length=300)
    situation = models.CharField(
        _("situation"),
        max_length=200,
        blank=True,
        help_text=_("The country situation, or empty for a thematic outcome."),
    )
    states = models.ManyToManyField(
        MemberState,
        blank=True,
        related_name="resolutions",
        verbose_name=_("States concerned"),
    )
    r2p_reference = models.TextField(_("how it refers to R2P"), blank=True)
    official_url = models.URLField(_("official record"), max_length=500, blank=True)
    verification = models.CharField(
        _("verification"),
        max_length=12,
        choices=Verification.choices,
        default=Verification.VERIFIED,
    )
    verification_note = models.CharField(_("verification note"), max_length=300, blank=True)
    source = models.TextField(_("source"), blank=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True, db_index=True)
    history = HistoricalRecords()

    # Declared once (see Commitment.PUBLIC_FIELDS): a reference record, public in full.
    PUBLIC_FIELDS = (
        "id",
        "body",
        "kind",
        "symbol",
        "adopted_on",
        "title",
        "situation",
        "states",
        "r2p_reference",
        "official_url",
        "verification",
        "verification_note",
        "source",
        "updated_at",
    )
    PRIVATE_FIELDS = ()

    class Meta:
        ordering = ["-adopted_on", "symbol"]
        verbose_name = _("resolution")
        verbose_name_plural = _("resolutions")

    def __str__(self) -> str:
        return self.symbol

    @property
    def is_thematic(self) -> bool:
        return not self.situation


class OperativeParagraph(models.Model):
    """An operative paragraph of a resolution, as a record a commitment can cite (the
    paragraph that asks for the step). Entered by the secretariat or imported."""

    resolution = models.ForeignKey(
        Resolution,
        on_delete=models.CASCADE,
        related_name="operative_paragraphs",
        verbose_name=_("resolution"),
    )
    number = models.CharField(_("paragraph"), max_length=20, help_text=_("E.g. 4 or 4 (b)."))
    text = models.TextField(_("text"))
    updated_at = models.DateTimeField(_("last changed"), auto_now=True, db_index=True)

    # Declared once (see Commitment.PUBLIC_FIELDS): reference data, public in full.
    PUBLIC_FIELDS = ("id", "resolution", "number", "text", "updated_at")
    PRIVATE_FIELDS = ()

    class Meta:
        ordering = ["resolution_id", "id"]
        verbose_name = _("operative paragraph")
        verbose_name_plural = _("operative paragraphs")
        constraints = [
            models.UniqueConstraint(
                fields=["resolution", "number"],
                name="operative_paragraph_once_per_resolution",
                violation_error_message=_("This resolution already has a paragraph so numbered."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.resolution}, OP {self.number}"


class Origin(models.TextChoices):
    """Where a pledge comes from, as precisely as reviewers cite it."""

    UPR = "upr-recommendation", _("UPR recommendation")
    RESOLUTION = "resolution-paragraph", _("Resolution's operative paragraph")
    STATEMENT = "statement", _("Statement")


class UprResponse(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted (supported)")
    NOTED = "noted", _("Noted")


# The fields each origin uses; a commitment fills those of its origin and no other.
ORIGIN_FIELDS = {
    Origin.UPR: (
        "upr_cycle",
        "upr_recommending_states",
        "upr_recommendation",
        "upr_response",
    ),
    Origin.RESOLUTION: ("operative_paragraph",),
    Origin.STATEMENT: ("statement_forum", "statement_on", "statement_url"),
}


def origin_q(value: str, prefix: str = "") -> Q:
    """The origin filter every surface offers: an origin, or a UPR recommendation by the
    State's response (``upr-accepted``, ``upr-noted``)."""
    if value.startswith("upr-") and value[4:] in UprResponse.values:
        return Q(**{f"{prefix}origin": Origin.UPR, f"{prefix}upr_response": value[4:]})
    return Q(**{f"{prefix}origin": value})


ORIGIN_FILTERS = [
    (Origin.UPR.value, _("UPR recommendation")),
    ("upr-accepted", _("UPR recommendation, accepted")),
    ("upr-noted", _("UPR recommendation, noted")),
    (Origin.RESOLUTION.value, _("Resolution's operative paragraph")),
    (Origin.STATEMENT.value, _("Statement")),
]


class RiskFactor(models.Model):
    """A risk factor of the UN Framework of Analysis for Atrocity Crimes (2014)."""

    class Kind(models.TextChoices):
        COMMON = "common", _("Common to all atrocity crimes")
        SPECIFIC = "specific", _("Specific to one crime")

    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_fr = models.CharField(_("name (French)"), max_length=200, blank=True)
    name_es = models.CharField(_("name (Spanish)"), max_length=200, blank=True)
    name_ar = models.CharField(_("name (Arabic)"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    crime = models.CharField(_("crime"), max_length=80)
    summary = models.TextField(_("summary"), blank=True)
    un_document = models.CharField(_("UN document"), max_length=200, blank=True)
    verification = models.CharField(
        _("verification"),
        max_length=12,
        choices=Verification.choices,
        default=Verification.VERIFIED,
    )
    verification_note = models.TextField(_("verification note"), blank=True)
    source = models.TextField(_("source"), blank=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True, db_index=True)

    # Declared once (see Commitment.PUBLIC_FIELDS): a reference record, public in full. The
    # steps addressing a factor are declared on the step (``PreventionStep.risk_factors``).
    PUBLIC_FIELDS = (
        "id",
        "number",
        "name",
        "name_fr",
        "name_es",
        "name_ar",
        "kind",
        "crime",
        "summary",
        "un_document",
        "verification",
        "verification_note",
        "source",
        "updated_at",
    )
    PRIVATE_FIELDS = ()

    class Meta:
        ordering = ["number"]
        verbose_name = _("risk factor")
        verbose_name_plural = _("risk factors")

    def __str__(self) -> str:
        return f"{self.number}. {localised(self, 'name')}"


class ScrutinyChannel(models.Model):
    """A channel through which a commitment can be scrutinised (parliament, UPR, ...)."""

    code = models.SlugField(_("code"), max_length=40, primary_key=True)
    name = models.CharField(_("name"), max_length=120)
    name_fr = models.CharField(_("name (French)"), max_length=120, blank=True)
    name_es = models.CharField(_("name (Spanish)"), max_length=120, blank=True)
    name_ar = models.CharField(_("name (Arabic)"), max_length=120, blank=True)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices)

    class Meta:
        ordering = ["level", "name"]
        verbose_name = _("scrutiny channel")
        verbose_name_plural = _("scrutiny channels")

    def __str__(self) -> str:
        return str(localised(self, "name"))


class PreventionStep(models.Model):
    """A practical atrocity-prevention step from the Secretary-General's reports and related
    UN practice."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=200)
    title_fr = models.CharField(_("title (French)"), max_length=200, blank=True)
    title_es = models.CharField(_("title (Spanish)"), max_length=200, blank=True)
    title_ar = models.CharField(_("title (Arabic)"), max_length=200, blank=True)
    description = models.TextField(_("description"))
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_es = models.TextField(_("description (Spanish)"), blank=True)
    description_ar = models.TextField(_("description (Arabic)"), blank=True)
    level = models.CharField(_("level"), max_length=20, choices=Level.choices, db_index=True)
    actor = models.CharField(_("actor"), max_length=120, blank=True)
    basis = models.CharField(
        _("basis of responsibility"), max_length=10, choices=Basis.choices, default=Basis.POLITICAL
    )
    channels = models.ManyToManyField(
        ScrutinyChannel, blank=True, related_name="steps", verbose_name=_("scrutiny channels")
    )
    risk_factors = models.ManyToManyField(
        RiskFactor, blank=True, related_name="steps", verbose_name=_("risk factors addressed")
    )
    # Where the step is really found (the 2017 report, or another UN text), and what the 2017
    # report itself says of it — as the re-checked reference records it, never guessed.
    source_document = models.CharField(_("found in"), max_length=200)
    source_paragraph = models.CharField(_("paragraph or section"), max_length=80, blank=True)
    source_url = models.URLField(_("source"), max_length=500, blank=True)
    in_2017_report = models.CharField(
        _("in the 2017 report"),
        max_length=20,
        choices=In2017Report.choices,
        blank=True,
        help_text=_("Whether the Secretary-General's 2017 report says it, as far as was seen."),
    )
    para_2017 = models.CharField(
        _("where in the 2017 report"),
        max_length=40,
        blank=True,
        help_text=_("Empty when not seen in the report's text."),
    )
    basis_stated = models.CharField(
        _("basis as stated by the source"),
        max_length=120,
        blank=True,
        help_text=_("Legal, moral or political, only where the source says so."),
    )
    channels_stated = models.CharField(
        _("channels as stated by the source"),
        max_length=300,
        blank=True,
        help_text=_("Channels of accountability named for the step, only where stated."),
    )
    verification = models.CharField(
        _("verification"),
        max_length=12,
        choices=Verification.choices,
        default=Verification.VERIFIED,
    )
    verification_note = models.TextField(_("verification note"), blank=True)
    is_active = models.BooleanField(_("offered for new commitments"), default=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True, db_index=True)
    history = HistoricalRecords(m2m_fields=[channels])

    # Declared once (see Commitment.PUBLIC_FIELDS): the catalogue is public in full.
    PUBLIC_FIELDS = (
        "id",
        "code",
        "title",
        "title_fr",
        "title_es",
        "title_ar",
        "description",
        "description_fr",
        "description_es",
        "description_ar",
        "level",
        "actor",
        "basis",
        "channels",
        "risk_factors",
        "source_document",
        "source_paragraph",
        "source_url",
        "in_2017_report",
        "para_2017",
        "basis_stated",
        "channels_stated",
        "verification",
        "verification_note",
        "is_active",
        "updated_at",
    )
    PRIVATE_FIELDS = ()

    class Meta:
        ordering = ["level", "code"]
        verbose_name = _("prevention step")
        verbose_name_plural = _("prevention steps")

    def __str__(self) -> str:
        return f"{self.code} — {localised(self, 'title')}"


class DocumentedPractice(models.Model):
    """What a State is documented to have done (a focal point appointed, a meeting hosted, a
    national mechanism set up, a treaty ratified), from a public source: the record, as distinct
    from what a focal point reports here and from independent assessments."""

    key = models.SlugField(
        _("reference key"),
        max_length=40,
        unique=True,
        help_text=_("Stable key of a row of the sourced reference data."),
    )
    state = models.ForeignKey(
        MemberState,
        on_delete=models.PROTECT,
        related_name="documented_practice",
        verbose_name=_("State"),
    )
    year = models.PositiveSmallIntegerField(
        _("year"), help_text=_("Of the practice, or of the source when it only lists it.")
    )
    summary = models.TextField(_("what the record shows"), help_text=_("In our own words."))
    step = models.ForeignKey(
        PreventionStep,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="documented_practice",
        verbose_name=_("prevention step"),
    )
    source_name = models.CharField(_("source name"), max_length=200, blank=True)
    source_url = models.URLField(_("source"), max_length=500, blank=True)
    sources = models.TextField(_("all sources"), blank=True)
    page_or_section = models.CharField(_("page or section"), max_length=300, blank=True)
    source_type = models.CharField(_("kind of source"), max_length=80, blank=True)
    verification = models.CharField(
        _("verification"),
        max_length=12,
        choices=Verification.choices,
        default=Verification.VERIFIED,
    )
    updated_at = models.DateTimeField(_("last changed"), auto_now=True, db_index=True)
    history = HistoricalRecords()

    # Declared once (see Commitment.PUBLIC_FIELDS): a sourced public record, public in full.
    PUBLIC_FIELDS = (
        "id",
        "key",
        "state",
        "year",
        "summary",
        "step",
        "source_name",
        "source_url",
        "sources",
        "page_or_section",
        "source_type",
        "verification",
        "updated_at",
    )
    PRIVATE_FIELDS = ()

    class Meta:
        ordering = ["state_id", "year", "key"]
        verbose_name = _("documented practice")
        verbose_name_plural = _("documented practice")

    def __str__(self) -> str:
        return f"{self.state_id} {self.year}: {self.summary[:60]}"

    @property
    def provenance(self) -> str:
        return provenance_sentence(self.source_name)


class Commitment(models.Model):
    """A State's pledge to take a prevention step.

    ``status``, ``latest_update``, ``last_reported_on`` and ``next_review_due`` are derived
    from the progress updates by :func:`commitments.rules.derive_status` and
    :func:`commitments.rules.next_review_due`, and written only by
    :func:`commitments.services.commitment_refresh_derived` — never typed in by anyone.
    They are stored so that lists, filters and dashboards stay fast at scale.
    """

    class SourceKind(models.TextChoices):
        GA_DIALOGUE = "ga-dialogue", _("General Assembly dialogue or debate")
        UPR = "upr", _("Universal Periodic Review pledge or accepted recommendation")
        HRC_STATEMENT = "hrc-statement", _("Human Rights Council statement")
        NATIONAL_ACTION_PLAN = "national-action-plan", _("National action plan")
        NETWORK_MEETING = "network-meeting", _("Focal-point network meeting")
        REGIONAL_BODY = "regional-body", _("Regional body")
        OTHER = "other", _("Other")

    state = models.ForeignKey(
        MemberState,
        on_delete=models.PROTECT,
        related_name="commitments",
        verbose_name=_("State"),
    )
    step = models.ForeignKey(
        PreventionStep,
        on_delete=models.PROTECT,
        related_name="commitments",
        verbose_name=_("prevention step"),
    )
    title = models.CharField(_("title"), max_length=250)
    description = models.TextField(_("description"))
    # The language the pledge's text (title, description) was written in: its lang/dir on pages.
    language = models.CharField(
        _("language of the text"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("Defaults to the author's language."),
    )
    source_kind = models.CharField(
        _("where it was pledged"), max_length=24, choices=SourceKind.choices
    )
    source_description = models.CharField(
        _("pledge source"),
        max_length=300,
        help_text=_("E.g. statement at the 2017 General Assembly dialogue on R2P."),
    )
    source_url = models.URLField(_("link to the pledge"), max_length=500, blank=True)
    pledged_on = models.DateField(_("pledged on"))
    resolutions = models.ManyToManyField(
        Resolution, blank=True, related_name="commitments", verbose_name=_("related resolutions")
    )
    target_date = models.DateField(_("target date"), null=True, blank=True)
    review_interval_days = models.PositiveSmallIntegerField(
        _("review interval (days)"),
        default=180,
        validators=[MinValueValidator(7), MaxValueValidator(1096)],
    )
    basis = models.CharField(
        _("basis of responsibility"), max_length=10, choices=Basis.choices, default=Basis.POLITICAL
    )
    channels = models.ManyToManyField(
        ScrutinyChannel, blank=True, related_name="commitments", verbose_name=_("scrutiny channels")
    )
    # --- The origin of the pledge (ORIGIN_FIELDS: each origin fills its own fields only).
    origin = models.CharField(
        _("origin"), max_length=24, choices=Origin.choices, blank=True, db_index=True
    )
    upr_cycle = models.PositiveSmallIntegerField(
        _("UPR cycle"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(9)],
    )
    upr_recommending_states = models.CharField(
        _("recommending States"),
        max_length=400,
        blank=True,
        help_text=_("ISO 3166 alpha-3 codes separated by spaces."),
    )
    upr_recommendation = models.TextField(
        _("UPR recommendation"), blank=True, help_text=_("Its number (e.g. 128.45) or its text.")
    )
    upr_response = models.CharField(
        _("State's response"), max_length=8, choices=UprResponse.choices, blank=True
    )
    operative_paragraph = models.ForeignKey(
        OperativeParagraph,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="commitments",
        verbose_name=_("operative paragraph"),
    )
    statement_forum = models.CharField(_("forum"), max_length=200, blank=True)
    statement_on = models.DateField(_("statement date"), null=True, blank=True)
    statement_url = models.URLField(_("link to the statement"), max_length=500, blank=True)
    # Set only by a withdrawal revision (services.commitment_revise): the State no longer
    # stands by the pledge. A withdrawn commitment owes no review.
    withdrawn_on = models.DateField(_("withdrawn on"), null=True, blank=True, editable=False)
    # --- Derived from the updates (see the class docstring).
    status = models.CharField(
        _("current status"),
        max_length=16,
        choices=Status.choices,
        default=Status.NOT_REPORTED,
        editable=False,
        db_index=True,
    )
    latest_update = models.ForeignKey(
        "ProgressUpdate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("latest update"),
    )
    last_reported_on = models.DateField(_("last reported on"), null=True, editable=False)
    next_review_due = models.DateField(
        _("next review due"), null=True, editable=False, db_index=True
    )
    # --- Derived from the published independent assessments (rules.derive_independent), written
    # only by services.commitment_refresh_independent: the latest effective one's status.
    independent_status = models.CharField(
        _("latest independent status"),
        max_length=16,
        # The assessments' scale, and "" (a choice of its own, so that every surface lists it)
        # while none is published.
        choices=[("", _("Not independently assessed")), *UPDATE_STATUSES],
        blank=True,
        default="",
        editable=False,
        db_index=True,
        help_text=_("Empty while no independent assessment is published."),
    )
    latest_assessment = models.ForeignKey(
        "Assessment",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
        verbose_name=_("latest independent assessment"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True, db_index=True)
    is_demo = models.BooleanField(_("demonstration data"), default=False, db_index=True)
    history = HistoricalRecords(excluded_fields=["latest_update", "latest_assessment"])

    objects = CommitmentQuerySet.as_manager()

    # What every public surface may show of a commitment — declared once (see
    # focalpoints.models.MemberState.PUBLIC_FIELDS). Who recorded it is an account: private.
    PUBLIC_FIELDS = (
        "id",
        "state",
        "step",
        "title",
        "description",
        "language",
        "source_kind",
        "source_description",
        "source_url",
        "pledged_on",
        "target_date",
        "review_interval_days",
        "basis",
        "channels",
        "resolutions",
        "origin",
        "upr_cycle",
        "upr_recommending_states",
        "upr_recommendation",
        "upr_response",
        "operative_paragraph",
        "statement_forum",
        "statement_on",
        "statement_url",
        "withdrawn_on",
        "status",
        "latest_update",
        "last_reported_on",
        "next_review_due",
        "independent_status",
        "latest_assessment",
        "created_at",
        "updated_at",
        "is_demo",
    )
    PRIVATE_FIELDS = ("created_by",)

    class Meta:
        ordering = ["state__name", "pledged_on", "id"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")
        constraints = [
            models.CheckConstraint(
                condition=Q(target_date__isnull=True) | Q(target_date__gte=models.F("pledged_on")),
                name="commitment_target_after_pledge",
                violation_error_message=_("The target date cannot be before the pledge date."),
            ),
            models.CheckConstraint(
                condition=Q(review_interval_days__gte=7) & Q(review_interval_days__lte=1096),
                name="commitment_review_interval_range",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "status"], name="commitment_state_status"),
            models.Index(fields=["status", "next_review_due"], name="commitment_status_due"),
            # The stable key an import matches rows by (State + step + pledge date + title).
            models.Index(fields=["state", "pledged_on", "step"], name="commitment_import_key"),
        ]

    def __str__(self) -> str:
        return f"{self.state_id}: {self.title}"

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    @property
    def is_active(self) -> bool:
        """The row form of :func:`active_q`."""
        return self.status != Status.WITHDRAWN

    def is_overdue(self, today: datetime.date) -> bool:
        """The row form of :func:`overdue_q`: overdue the day after the review falls due;
        closed commitments never are."""
        return self.next_review_due is not None and self.next_review_due < today

    def is_on_time(self, today: datetime.date) -> bool:
        """The row form of :func:`on_time_q`."""
        return self.next_review_due is not None and self.next_review_due >= today

    def days_overdue(self, today: datetime.date) -> int:
        """How many days the review is overdue (0 when it is not): the row form of
        :func:`overdue_for_q` (``overdue_for_q(today, n)`` holds when this is at least n)."""
        if self.next_review_due is None or self.next_review_due >= today:
            return 0
        return (today - self.next_review_due).days

    def is_target_missed(self, today: datetime.date) -> bool:
        """The row form of :func:`target_missed_q`."""
        return (
            self.target_date is not None
            and self.target_date < today
            and self.status != Status.COMPLETE
        )

    def is_due_soon(self, today: datetime.date) -> bool:
        """The row form of :func:`due_soon_q`."""
        window_end = today + datetime.timedelta(days=due_soon_days())
        return self.next_review_due is not None and today <= self.next_review_due <= window_end

    @property
    def is_independently_assessed(self) -> bool:
        """The row form of ``independently_assessed()``."""
        return bool(self.independent_status)

    @property
    def is_in_disagreement(self) -> bool:
        """The row form of ``in_disagreement()``: :func:`commitments.rules.disagrees`."""
        from commitments.rules import disagrees

        return disagrees(self.status, self.independent_status)


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete published progress."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only: add a correction.")

    def delete(self):
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only and never deleted.")


class AppendOnlyModel(models.Model):
    """Rows are inserted once and never changed or deleted (model and queryset level)."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(
                f"{type(self).__name__} {self.pk} is published and cannot be edited: "
                "record a correction instead."
            )
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(
            f"{type(self).__name__} {self.pk} is published and cannot be deleted."
        )


class ProgressUpdate(AppendOnlyModel):
    """A report on a commitment. Append-only; a correction is a new update that points to the
    one it corrects, and both stay public."""

    commitment = models.ForeignKey(
        Commitment,
        on_delete=models.PROTECT,
        related_name="updates",
        verbose_name=_("commitment"),
    )
    reported_on = models.DateField(_("reporting date"))
    status = models.CharField(_("status after this update"), max_length=16, choices=UPDATE_STATUSES)
    narrative = models.TextField(_("what was done"))
    language = models.CharField(
        _("language of the narrative"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("Defaults to the author's language."),
    )
    corrects = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="correction",
        verbose_name=_("corrects"),
        help_text=_("The earlier update this one corrects; that update stays public."),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    api_token = models.ForeignKey(
        "focalpoints.ApiToken",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="progress_updates",
        editable=False,
        verbose_name=_("posted with API token"),
        help_text=_("Empty when posted through the web pages or the admin. Staff only."),
    )
    import_run = models.ForeignKey(
        "ImportRun",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="progress_updates",
        editable=False,
        verbose_name=_("imported by"),
        help_text=_("The spreadsheet import that published it, if any. Staff only."),
    )
    created_at = models.DateTimeField(_("published at"), auto_now_add=True, db_index=True)
    is_demo = models.BooleanField(_("demonstration data"), default=False, db_index=True)

    # Declared once (see Commitment.PUBLIC_FIELDS). The author is an account, and which API
    # token posted it is the secretariat's business: both private.
    PUBLIC_FIELDS = (
        "id",
        "commitment",
        "reported_on",
        "status",
        "narrative",
        "language",
        "corrects",
        "created_at",
        "is_demo",
    )
    PRIVATE_FIELDS = ("author", "api_token", "import_run")

    class Meta:
        ordering = ["commitment_id", "reported_on", "created_at", "id"]
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[value for value, _label in UPDATE_STATUSES]),
                name="progress_update_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(corrects__isnull=True) | ~Q(corrects=models.F("id")),
                name="progress_update_not_self_correcting",
            ),
        ]
        indexes = [
            models.Index(fields=["commitment", "reported_on"], name="update_commitment_reported"),
            # "Recent updates" (dashboard, stats API): the latest ten in the order the list
            # shows, read backwards from this index instead of sorting every update (D-12-10).
            models.Index(fields=["reported_on", "created_at", "id"], name="update_recent_order"),
        ]

    def __str__(self) -> str:
        return f"{self.commitment_id} @ {self.reported_on}: {self.get_status_display()}"

    @property
    def is_correction(self) -> bool:
        return self.corrects_id is not None


class RevisionField(models.TextChoices):
    """The terms of a pledge a revision may change (``withdrawn`` is a withdrawal)."""

    TITLE = "title", _("title")
    DESCRIPTION = "description", _("description")
    STEP = "step", _("prevention step")
    SOURCE_KIND = "source_kind", _("where it was pledged")
    SOURCE_DESCRIPTION = "source_description", _("pledge source")
    SOURCE_URL = "source_url", _("link to the pledge")
    PLEDGED_ON = "pledged_on", _("pledge date")
    TARGET_DATE = "target_date", _("target date")
    REVIEW_INTERVAL = "review_interval_days", _("review interval (days)")
    BASIS = "basis", _("basis of responsibility")
    CHANNELS = "channels", _("scrutiny channels")
    RESOLUTIONS = "resolutions", _("related resolutions")
    ORIGIN = "origin", _("origin")
    UPR_CYCLE = "upr_cycle", _("UPR cycle")
    UPR_STATES = "upr_recommending_states", _("recommending States")
    UPR_RECOMMENDATION = "upr_recommendation", _("UPR recommendation")
    UPR_RESPONSE = "upr_response", _("State's response")
    PARAGRAPH = "operative_paragraph", _("operative paragraph")
    STATEMENT_FORUM = "statement_forum", _("forum")
    STATEMENT_ON = "statement_on", _("statement date")
    STATEMENT_URL = "statement_url", _("link to the statement")
    WITHDRAWN = "withdrawn_on", _("withdrawal")


class RequestedBy(models.TextChoices):
    """At whose request a pledge was revised (public; the accounts are private)."""

    SECRETARIAT = "secretariat", _("the secretariat")
    FOCAL_POINT = "focal-point", _("the focal point")


class CommitmentRevision(AppendOnlyModel):
    """One changed term of a pledge: before, after, why, at whose request, approved by the
    secretariat. Public and append-only; written only by ``services.commitment_revise``."""

    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("commitment")
    )
    field = models.CharField(_("term changed"), max_length=24, choices=RevisionField.choices)
    before = models.TextField(_("before"), blank=True)
    after = models.TextField(_("after"), blank=True)
    reason = models.TextField(_("reason"))
    requested_by_role = models.CharField(
        _("at the request of"), max_length=12, choices=RequestedBy.choices
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    request = models.ForeignKey(
        "RevisionRequest",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="revisions",
        verbose_name=_("revision request"),
    )
    created_at = models.DateTimeField(_("revised at"), auto_now_add=True, db_index=True)
    is_demo = models.BooleanField(_("demonstration data"), default=False, db_index=True)

    # Declared once (see Commitment.PUBLIC_FIELDS): who asked and who approved are accounts,
    # private; the public sees the role ("at the request of the focal point").
    PUBLIC_FIELDS = (
        "id",
        "commitment",
        "field",
        "before",
        "after",
        "reason",
        "requested_by_role",
        "created_at",
        "is_demo",
    )
    PRIVATE_FIELDS = ("requested_by", "approved_by", "request")

    class Meta:
        ordering = ["commitment_id", "created_at", "id"]
        verbose_name = _("commitment revision")
        verbose_name_plural = _("commitment revisions")
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="revision_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.commitment_id}: {self.field} {self.before!r} -> {self.after!r}"

    # Terms stored as ISO dates: shown in the reader's date format, as every other date is.
    DATE_TERMS = frozenset(
        {RevisionField.PLEDGED_ON, RevisionField.TARGET_DATE, RevisionField.WITHDRAWN}
    )

    def _shown(self, value: str) -> str:
        if not value:
            return "—"
        if self.field in self.DATE_TERMS:
            try:
                return date_format(datetime.date.fromisoformat(value), "DATE_FORMAT")
            except ValueError:
                return value
        return value

    @property
    def before_display(self) -> str:
        """The term before the change, as a reader sees it (dates in their format)."""
        return self._shown(self.before)

    @property
    def after_display(self) -> str:
        """The term after the change, as a reader sees it (dates in their format)."""
        return self._shown(self.after)


class RevisionRequest(models.Model):
    """A focal point's request to revise its State's pledge, waiting for the secretariat.
    Private (the workspace only); once approved it becomes public revisions."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("Waiting for the secretariat")
        APPROVED = "approved", _("Approved")
        REFUSED = "refused", _("Refused")

    commitment = models.ForeignKey(
        Commitment,
        on_delete=models.CASCADE,
        related_name="revision_requests",
        verbose_name=_("commitment"),
    )
    changes = models.JSONField(_("requested changes"))
    reason = models.TextField(_("reason"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    decision = models.CharField(
        _("decision"),
        max_length=10,
        choices=Decision.choices,
        default=Decision.PENDING,
        db_index=True,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("note on the decision"), blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("revision request")
        verbose_name_plural = _("revision requests")

    def __str__(self) -> str:
        return f"{self.commitment_id}: {', '.join(sorted(self.changes))} ({self.decision})"

    def change_rows(self) -> list[tuple[str, object, object]]:
        """(term label, its value now, the value requested), for the approval page."""
        labels = dict(RevisionField.choices)
        return [
            (labels.get(name, name), getattr(self.commitment, name), value)
            for name, value in sorted(self.changes.items())
        ]


class LedgerEntry(AppendOnlyModel):
    """One public event in the site's hash chain (see commitments/ledger.py and docs/ledger.md).
    Append-only in the model, and in PostgreSQL by a trigger refusing UPDATE and DELETE.
    Subjects are plain numbers, not foreign keys: an entry outlives the row it records."""

    class Kind(models.TextChoices):
        COMMITMENT_RECORDED = "commitment-recorded", _("Commitment recorded")
        COMMITMENT_REVISED = "commitment-revised", _("Commitment revised")
        UPDATE_PUBLISHED = "update-published", _("Progress update published")
        UPDATE_CORRECTED = "update-corrected", _("Correction published")
        ASSESSMENT_PUBLISHED = "assessment-published", _("Independent assessment published")
        ASSESSMENT_CORRECTED = "assessment-corrected", _("Corrected assessment published")
        ASSESSMENT_DISPUTED = "assessment-disputed", _("Assessment disputed by the secretariat")
        REPLY_PUBLISHED = "reply-published", _("State's reply published")
        DELETION = "deletion", _("Deletion")

    sequence = models.PositiveBigIntegerField(_("sequence"), primary_key=True)
    recorded_at = models.DateTimeField(_("recorded at"))
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    state = models.CharField(_("State"), max_length=3, db_index=True)
    subject_type = models.CharField(_("subject type"), max_length=16)
    subject_id = models.PositiveBigIntegerField(_("subject id"))
    commitment_id = models.PositiveBigIntegerField(_("commitment"), null=True)
    record = models.TextField(_("canonical JSON of the public record"))
    previous_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("SHA-256"), max_length=64, unique=True)

    PUBLIC_FIELDS = (
        "sequence",
        "recorded_at",
        "kind",
        "state",
        "subject_type",
        "subject_id",
        "commitment_id",
        "record",
        "previous_hash",
        "hash",
    )
    PRIVATE_FIELDS = ()

    class Meta:
        ordering = ["sequence"]
        verbose_name = _("ledger entry")
        verbose_name_plural = _("ledger entries")
        constraints = [
            # Two entries after the same one would be a fork: impossible by construction.
            models.UniqueConstraint(fields=["previous_hash"], name="ledger_no_fork"),
        ]
        indexes = [
            models.Index(fields=["subject_type", "subject_id", "sequence"], name="ledger_subject"),
            models.Index(fields=["commitment_id", "sequence"], name="ledger_commitment"),
            models.Index(fields=["recorded_at"], name="ledger_recorded_at"),
        ]

    def __str__(self) -> str:
        return f"#{self.sequence} {self.kind} {self.subject_type}:{self.subject_id}"


def evidence_upload_to(instance: "Evidence", filename: str) -> str:
    # The stored name is ours (random prefix, cleaned suffix), never the uploader's path.
    import secrets
    from pathlib import PurePosixPath

    suffix = PurePosixPath(filename).suffix.lower()[:10]
    today = datetime.date.today()
    return f"evidence/{today:%Y/%m}/{secrets.token_hex(12)}{suffix}"


class UpdateTranslation(AppendOnlyModel):
    """A translation of a progress update's narrative into another site language, added later
    by the State's focal point. The update itself is never changed (append-only); one
    translation per language, and a better one is a new update, not an edit."""

    update = models.ForeignKey(
        ProgressUpdate,
        on_delete=models.PROTECT,
        related_name="translations",
        verbose_name=_("progress update"),
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    narrative = models.TextField(_("translated narrative"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("translated by"),
    )
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)

    PUBLIC_FIELDS = ("id", "update", "language", "narrative", "created_at")
    PRIVATE_FIELDS = ("author",)

    class Meta:
        ordering = ["update_id", "language"]
        verbose_name = _("translation of an update")
        verbose_name_plural = _("translations of updates")
        constraints = [
            models.UniqueConstraint(
                fields=["update", "language"],
                name="update_translation_one_per_language",
                violation_error_message=_(
                    "This update already has a translation in that language."
                ),
            )
        ]

    def __str__(self) -> str:
        return f"{self.update_id} ({self.language})"


class AnsweredReview(models.Model):
    """A review a commitment owed and the report that answered it: the replay of its dated
    updates (:func:`commitments.rules.answered_reviews`, D-12-4) kept on write, in the same
    transaction, by the one writer of derived fields (``commitments.services``), so the
    reporting figures group a table instead of replaying every update per request (D-12-10).
    Derived, never typed in; not public as such (the figures are)."""

    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, related_name="answered_reviews", db_index=True
    )
    due_on = models.DateField(_("due on"))
    reported_on = models.DateField(_("reported on"))

    class Meta:
        verbose_name = _("answered review")
        verbose_name_plural = _("answered reviews")
        # The dashboard's trend reads the reviews answered after today by this (D-16-71).
        indexes = [models.Index(fields=["reported_on"], name="answered_review_reported")]

    def __str__(self) -> str:
        return f"{self.commitment_id}: {self.due_on} → {self.reported_on}"


class EvidenceBase(AppendOnlyModel):
    """A link or an uploaded document supporting a published record: the one set of evidence
    fields and rules (a link or a file, never both; documents checked by their content in
    :mod:`commitments.evidence`) shared by progress evidence and assessment evidence."""

    class Kind(models.TextChoices):
        LINK = "link", _("Link")
        FILE = "file", _("Uploaded document")

    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=250)
    url = models.URLField(_("link"), max_length=500, blank=True)
    file = models.FileField(_("document"), upload_to=evidence_upload_to, blank=True, max_length=200)
    content_type = models.CharField(_("content type"), max_length=120, blank=True)
    size_bytes = models.PositiveIntegerField(_("size in bytes"), null=True, blank=True)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)
    is_demo = models.BooleanField(_("demonstration data"), default=False, db_index=True)

    # The fields every evidence row publishes, besides the record it supports.
    COMMON_PUBLIC_FIELDS = (
        "id",
        "kind",
        "title",
        "url",
        "file",
        "content_type",
        "size_bytes",
        "sha256",
        "created_at",
        "is_demo",
    )

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.title

    @property
    def download_name(self) -> str:
        return download_name(self.title, self.file.name)


# A link has a URL and no file; a document a file and no URL (each evidence table's constraint).
EVIDENCE_IS_LINK_OR_FILE = (Q(kind="link") & ~Q(url="") & Q(file="")) | (
    Q(kind="file") & ~Q(file="") & Q(url="")
)


class Evidence(EvidenceBase):
    """A link or an uploaded document supporting a progress update. Published with it."""

    update = models.ForeignKey(
        ProgressUpdate,
        on_delete=models.PROTECT,
        related_name="evidence",
        verbose_name=_("progress update"),
    )

    # Declared once (see Commitment.PUBLIC_FIELDS).
    PUBLIC_FIELDS = (
        "id",
        "update",
        *EvidenceBase.COMMON_PUBLIC_FIELDS[1:],
    )
    PRIVATE_FIELDS = ()

    class Meta:
        ordering = ["update_id", "id"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        constraints = [
            models.CheckConstraint(
                condition=EVIDENCE_IS_LINK_OR_FILE, name="evidence_is_link_or_file"
            )
        ]


class AssessmentChannel(models.TextChoices):
    """Through what an independent assessment was produced (public)."""

    UPR_SHADOW_REPORT = "upr-shadow-report", _("Shadow report to the Universal Periodic Review")
    TREATY_BODY = "treaty-body", _("Submission to a treaty body")
    PARLIAMENTARY_QUESTION = "parliamentary-question", _("Parliamentary question or inquiry")
    NHRI_REPORT = "nhri-report", _("Annual report of a national human rights institution")
    COURT_CASE = "court-case", _("Court case")
    MEDIA = "media", _("Media or investigation")
    RESEARCH = "research", _("Academic research")
    REGIONAL_REVIEW = "regional-review", _("Regional peer review")
    OTHER = "other", _("Other")


class Moderation(models.TextChoices):
    """Where an assessment stands: only published ones are public, ever. A draft is its
    organisation's alone (not even the moderators see it) until it is submitted (D-10-60)."""

    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Waiting for moderation")
    PUBLISHED = "published", _("Published")
    REJECTED = "rejected", _("Rejected")


class AssessmentQuerySet(models.QuerySet):
    def published(self):
        return self.filter(moderation=Moderation.PUBLISHED)

    def awaiting_moderation(self):
        return self.filter(moderation=Moderation.SUBMITTED)

    def drafts(self):
        return self.filter(moderation=Moderation.DRAFT)

    def not_drafts(self):
        """Everything past the draft: what the moderators and the admin may see."""
        return self.exclude(moderation=Moderation.DRAFT)

    def delete(self):
        raise AppendOnlyError("Assessments are never deleted: publish a correction.")

    def discard_draft(self, pk: int) -> int:
        """Delete a draft and its evidence rows (the one deletion an assessment allows: a draft
        was never submitted, public nor ledgered). Returns the number of assessments deleted
        (0 when ``pk`` is not a draft). The caller removes the stored files."""
        draft = self.drafts().filter(pk=pk)
        models.QuerySet.delete(AssessmentEvidence.objects.filter(assessment__in=draft))
        return models.QuerySet.delete(draft)[1].get(Assessment._meta.label, 0)


class Assessment(models.Model):
    """An organisation's independent assessment of a commitment: its own status on the
    government's scale, the period it covers, a narrative, evidence, and the channel it came
    through. Written only by the services (``commitments.services.assessment_*``).

    Append-only in substance once submitted: a *draft* is its organisation's private working
    copy, edited and discarded freely (D-10-60); what was submitted (status, period, narrative,
    channel, evidence) never changes; a correction is a new assessment pointing at the one it
    corrects, and both stay public. Only the moderation fields move, forward only: draft →
    submitted → published or rejected; a published assessment is never unpublished, the
    secretariat may mark it disputed with a public reason instead."""

    commitment = models.ForeignKey(
        Commitment,
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name=_("commitment"),
    )
    organisation = models.ForeignKey(
        "focalpoints.Organisation",
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name=_("organisation"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    status = models.CharField(_("independent status"), max_length=16, choices=UPDATE_STATUSES)
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period to"))
    narrative = models.TextField(_("assessment"))
    language = models.CharField(
        _("language of the narrative"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    channel = models.CharField(
        _("produced through"), max_length=24, choices=AssessmentChannel.choices
    )
    corrects = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
        verbose_name=_("corrects"),
        help_text=_("The earlier assessment this one corrects; that one stays public."),
    )
    moderation = models.CharField(
        _("moderation"),
        max_length=10,
        choices=Moderation.choices,
        default=Moderation.SUBMITTED,
        db_index=True,
    )
    rejection_reason = models.TextField(
        _("reason for rejection"), blank=True, help_text=_("Shown to the author, never public.")
    )
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("moderated by"),
    )
    moderated_at = models.DateTimeField(_("moderated at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, db_index=True)
    disputed_at = models.DateTimeField(_("disputed by the secretariat at"), null=True, blank=True)
    dispute_reason = models.TextField(
        _("why the secretariat disputes it"), blank=True, help_text=_("Public.")
    )
    disputed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("disputed by"),
    )
    created_at = models.DateTimeField(_("submitted at"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True, db_index=True)
    is_demo = models.BooleanField(_("demonstration data"), default=False, db_index=True)

    objects = AssessmentQuerySet.as_manager()

    # Declared once (see Commitment.PUBLIC_FIELDS), for published assessments only (a submitted
    # or rejected one is on no public surface). Accounts, the moderation trail and the
    # rejection reason are private.
    PUBLIC_FIELDS = (
        "id",
        "commitment",
        "organisation",
        "status",
        "period_start",
        "period_end",
        "narrative",
        "language",
        "channel",
        "corrects",
        "published_at",
        "disputed_at",
        "dispute_reason",
        "created_at",
        "updated_at",
        "is_demo",
    )
    PRIVATE_FIELDS = (
        "author",
        "moderation",
        "rejection_reason",
        "moderated_by",
        "moderated_at",
        "disputed_by",
    )
    # The only fields a save may change once the row exists and is past the draft
    # (services.assessment_publish, _reject, _dispute): the content is fixed at submission.
    MODERATION_FIELDS = frozenset(
        {
            "moderation",
            "rejection_reason",
            "moderated_by",
            "moderated_at",
            "published_at",
            "disputed_at",
            "dispute_reason",
            "disputed_by",
            "updated_at",
        }
    )

    class Meta:
        ordering = ["commitment_id", "period_end", "published_at", "id"]
        verbose_name = _("independent assessment")
        verbose_name_plural = _("independent assessments")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=[value for value, _label in UPDATE_STATUSES]),
                name="assessment_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="assessment_period_in_order",
                violation_error_message=_("The period cannot end before it starts."),
            ),
            models.CheckConstraint(
                condition=Q(corrects__isnull=True) | ~Q(corrects=models.F("id")),
                name="assessment_not_self_correcting",
            ),
            models.CheckConstraint(
                condition=~Q(moderation="published") | Q(published_at__isnull=False),
                name="assessment_published_has_time",
            ),
            models.CheckConstraint(
                condition=~Q(moderation="rejected") | ~Q(rejection_reason=""),
                name="assessment_rejection_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(disputed_at__isnull=True)
                | (Q(moderation="published") & ~Q(dispute_reason="")),
                name="assessment_dispute_of_published_with_reason",
            ),
            # One live correction per assessment (a rejected one may be tried again).
            # A draft correction does not count: it is not submitted yet.
            models.UniqueConstraint(
                fields=["corrects"],
                condition=~Q(moderation__in=["rejected", "draft"]),
                name="assessment_corrected_once",
                violation_error_message=_(
                    "This assessment has already been corrected: correct the latest correction."
                ),
            ),
        ]
        indexes = [
            models.Index(
                fields=["commitment", "moderation", "period_end"],
                name="assessment_commitment_mod",
            ),
            models.Index(fields=["organisation", "moderation"], name="assessment_org_mod"),
        ]

    def __str__(self) -> str:
        return f"{self.commitment_id} by {self.organisation_id}: {self.get_status_display()}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            fields = kwargs.get("update_fields")
            if (
                fields is None or not set(fields) <= self.MODERATION_FIELDS
            ) and not self._stored_as_draft():
                raise AppendOnlyError(
                    f"Assessment {self.pk} is submitted and cannot be edited: "
                    "submit a correction instead."
                )
        super().save(*args, **kwargs)

    def _stored_as_draft(self) -> bool:
        """Is the row, as stored (not as in memory), still a draft? Only then may its content
        change (services.assessment_draft_update, assessment_draft_submit)."""
        return type(self).objects.drafts().filter(pk=self.pk).exists()

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(
            f"Assessment {self.pk} is never deleted: publish a correction "
            "(a draft is discarded by services.assessment_draft_discard)."
        )

    @property
    def is_draft(self) -> bool:
        return self.moderation == Moderation.DRAFT

    @property
    def is_published(self) -> bool:
        return self.moderation == Moderation.PUBLISHED

    @property
    def is_rejected(self) -> bool:
        return self.moderation == Moderation.REJECTED

    @property
    def is_disputed(self) -> bool:
        return self.disputed_at is not None

    @property
    def is_correction(self) -> bool:
        return self.corrects_id is not None


class AssessmentEvidence(EvidenceBase):
    """A link or an uploaded document supporting an assessment: the same fields and rules as
    progress evidence (:class:`EvidenceBase`). Public only once the assessment is."""

    assessment = models.ForeignKey(
        Assessment,
        on_delete=models.PROTECT,
        related_name="evidence",
        verbose_name=_("assessment"),
    )

    PUBLIC_FIELDS = ("id", "assessment", *EvidenceBase.COMMON_PUBLIC_FIELDS[1:])
    PRIVATE_FIELDS = ()

    class Meta:
        ordering = ["assessment_id", "id"]
        verbose_name = _("assessment evidence")
        verbose_name_plural = _("assessment evidence")
        constraints = [
            models.CheckConstraint(
                condition=EVIDENCE_IS_LINK_OR_FILE, name="assessment_evidence_is_link_or_file"
            )
        ]


class ReplyQuerySet(AppendOnlyQuerySet):
    def claim_notice(self, pk: int, now) -> bool:
        """Mark the reply's notice as sent, if nobody has: the one change a reply may take,
        made before the e-mails go (a rerun finds it claimed and sends nothing)."""
        return bool(
            models.QuerySet.update(self.filter(pk=pk, notified_at__isnull=True), notified_at=now)
        )


class AssessmentReply(models.Model):
    """The State's reply to a published assessment, by its focal point or a delegate: one per
    assessment, published at once, shown under it. Append-only: only ``notified_at`` is written
    afterwards, once, when the organisation's members are told (claimed before sending)."""

    assessment = models.OneToOneField(
        Assessment,
        on_delete=models.PROTECT,
        related_name="reply",
        verbose_name=_("assessment"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    text = models.TextField(_("reply"))
    language = models.CharField(
        _("language of the reply"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    published_at = models.DateTimeField(_("published at"), auto_now_add=True, db_index=True)
    notified_at = models.DateTimeField(
        _("organisation notified at"), null=True, blank=True, editable=False
    )
    is_demo = models.BooleanField(_("demonstration data"), default=False, db_index=True)

    objects = ReplyQuerySet.as_manager()

    PUBLIC_FIELDS = ("id", "assessment", "text", "language", "published_at", "is_demo")
    PRIVATE_FIELDS = ("author", "notified_at")

    class Meta:
        ordering = ["assessment_id"]
        verbose_name = _("reply to an assessment")
        verbose_name_plural = _("replies to assessments")

    def __str__(self) -> str:
        return f"reply to {self.assessment_id}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"Reply {self.pk} is published and cannot be edited.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"Reply {self.pk} is published and cannot be deleted.")


class Reminder(models.Model):
    """One row per reminder owed and sent: recorded under its unique constraint *before* the
    e-mail goes out, so a job run twice (or retried after a crash) sends nothing twice."""

    class Kind(models.TextChoices):
        UPCOMING = "upcoming", _("Review coming up")
        DUE = "due", _("Review due today")
        OVERDUE = "overdue", _("Review overdue")
        ESCALATION = "escalation", _("Escalated to the secretariat")

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped (opted out)")

    commitment = models.ForeignKey(
        Commitment, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("commitment")
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="reminders",
        verbose_name=_("recipient"),
        help_text=_("Empty for the secretariat's shared mailbox (SECRETARIAT_EMAIL)."),
    )
    recipient_email = models.EmailField(_("sent to"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    due_on = models.DateField(_("review due on"))
    sequence = models.PositiveSmallIntegerField(
        _("sequence"),
        default=0,
        help_text=_("For weekly overdue reminders: which week after the due date (1, 2, ...)."),
    )
    owed_on = models.DateField(_("owed on"))
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("last error"), blank=True)
    # Set when a delivery claims the row (outcome "sending"): which delivery, and since when.
    claim = models.UUIDField(_("delivery claim"), null=True, blank=True, editable=False)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    is_demo = models.BooleanField(_("demonstration data"), default=False, db_index=True)

    class Meta:
        ordering = ["-owed_on", "recipient_id", "commitment_id"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "commitment", "due_on", "kind", "sequence"],
                name="reminder_once_per_recipient_commitment_due_kind",
            ),
            # Rows for the shared mailbox have no recipient (NULLs never collide): the address
            # is their identity.
            models.UniqueConstraint(
                fields=["recipient_email", "commitment", "due_on", "kind", "sequence"],
                condition=Q(recipient__isnull=True),
                name="reminder_once_per_mailbox_commitment_due_kind",
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "owed_on"], name="reminder_recipient_owed"),
            models.Index(fields=["claim"], name="reminder_claim"),
        ]

    def __str__(self) -> str:
        kind = self.get_kind_display()
        return f"{kind} → {self.recipient_email} ({self.commitment_id}, {self.due_on})"


def import_upload_to(instance: "ImportRun", filename: str) -> str:
    import secrets
    from pathlib import PurePosixPath

    suffix = PurePosixPath(filename).suffix.lower()[:6]
    today = datetime.date.today()
    return f"imports/{today:%Y/%m}/{secrets.token_hex(12)}{suffix}"


class ImportRun(models.Model):
    """One spreadsheet import: the file (kept, with its checksum), who uploaded it, its dry-run
    report (rows in :class:`ImportRow`), who confirmed it and what it changed. Private to the
    secretariat and the uploader."""

    class Kind(models.TextChoices):
        COMMITMENTS = "commitments", _("Commitments")
        UPDATES = "updates", _("Progress updates")
        FOCAL_POINTS = "focal-points", _("Focal point appointments")
        RESOLUTIONS = "resolutions", _("Resolutions")
        STEPS = "steps", _("Prevention steps")

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be checked")
        CHECKING = "checking", _("Being checked")
        CHECKED = "checked", _("Checked: waiting for confirmation")
        APPLYING = "applying", _("Being applied")
        APPLIED = "applied", _("Applied")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING, db_index=True
    )
    file = models.FileField(_("file"), upload_to=import_upload_to, max_length=200)
    file_name = models.CharField(_("file name"), max_length=255)
    size_bytes = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    encoding = models.CharField(_("read as"), max_length=20, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="import_runs",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True, db_index=True)
    checked_at = models.DateTimeField(_("checked at"), null=True, blank=True)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows processed"), default=0)
    to_create = models.PositiveIntegerField(_("to create"), default=0)
    to_change = models.PositiveIntegerField(_("to change"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    rejected = models.PositiveIntegerField(_("rejected"), default=0)
    unknown_columns = models.JSONField(_("unknown columns"), default=list, blank=True)
    ignored_columns = models.JSONField(_("columns not imported"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)
    # The dry run's outcome, row by row, hashed: the apply must reach the same one.
    plan_digest = models.CharField(_("plan digest"), max_length=64, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_kind_display()}, {self.get_state_display()})"

    @property
    def is_busy(self) -> bool:
        return self.state in {self.State.PENDING, self.State.CHECKING, self.State.APPLYING}

    @property
    def may_apply(self) -> bool:
        """Confirmable: checked, nothing rejected, no unknown column, something to do."""
        return (
            self.state == self.State.CHECKED
            and not self.rejected
            and not self.unknown_columns
            and bool(self.to_create or self.to_change)
        )

    @property
    def history_reason(self) -> str:
        return _("imported from %(file)s by %(user)s") % {
            "file": self.file_name,
            "user": self.uploaded_by.get_username(),
        }


class ImportRow(models.Model):
    """One row of a dry-run report that is not unchanged: to create, to change (field by
    field, before and after) or rejected (column and reason)."""

    class Action(models.TextChoices):
        CREATE = "create", _("Create")
        CHANGE = "change", _("Change")
        REJECT = "reject", _("Rejected")

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="rows")
    number = models.PositiveIntegerField(_("row"))
    action = models.CharField(_("action"), max_length=8, choices=Action.choices)
    object_id = models.PositiveBigIntegerField(_("record id"), null=True, blank=True)
    label = models.CharField(_("record"), max_length=300, blank=True)
    # [[column, before, after], ...] for a change; [[column, value], ...] for a creation.
    changes = models.JSONField(_("changes"), default=list)
    # [[column or "", message], ...]
    errors = models.JSONField(_("errors"), default=list)

    class Meta:
        ordering = ["run", "number"]
        verbose_name = _("import row")
        verbose_name_plural = _("import rows")
        constraints = [
            models.UniqueConstraint(fields=["run", "number"], name="import_row_once_per_run"),
        ]

    def __str__(self) -> str:
        return f"{self.run_id} row {self.number}: {self.action}"


# The follow-and-be-told models live in their package (commitments/follows/); importing them
# here makes them part of this app.
from commitments.follows.models import Follow, Follower, FollowNotice  # noqa: E402, F401
