"""Followers (anyone, by e-mail, no account), what each follows, and the digest rows recorded
before sending. Imported at the end of ``commitments.models`` (the app's model module), so
they belong to the ``commitments`` app. Addresses are private: no public surface reads these
tables (docs/follows.md)."""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def new_secret() -> str:
    return secrets.token_urlsafe(24)


class Frequency(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")


class Follower(models.Model):
    """One e-mail address that asked to be told. It receives nothing until it has confirmed
    (double opt-in); every link we send it is signed with its own ``secret``."""

    email = models.EmailField(_("e-mail address"), unique=True)
    language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="en"
    )
    frequency = models.CharField(
        _("digest"), max_length=8, choices=Frequency.choices, default=Frequency.WEEKLY
    )
    secret = models.CharField(
        _("signing secret"), max_length=64, default=new_secret, editable=False
    )
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    # The last confirmation e-mail: at most one a day to an address (FOLLOW_CONFIRMATION_EVERY).
    confirmation_sent_at = models.DateTimeField(_("confirmation sent at"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed at"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("follower")
        verbose_name_plural = _("followers")

    def __str__(self) -> str:
        return f"follower {self.pk}"


class Follow(models.Model):
    """A follower's interest in exactly one State, commitment or prevention step. Inactive
    (``confirmed_at`` empty) until the follower opens the confirmation link sent after it."""

    follower = models.ForeignKey(
        Follower, on_delete=models.CASCADE, related_name="follows", verbose_name=_("follower")
    )
    state = models.ForeignKey(
        "focalpoints.MemberState",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("State"),
    )
    commitment = models.ForeignKey(
        "commitments.Commitment",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("commitment"),
    )
    step = models.ForeignKey(
        "commitments.PreventionStep",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("prevention step"),
    )
    created_at = models.DateTimeField(_("asked at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)

    class Meta:
        ordering = ["follower_id", "id"]
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(state__isnull=False, commitment__isnull=True, step__isnull=True)
                    | Q(state__isnull=True, commitment__isnull=False, step__isnull=True)
                    | Q(state__isnull=True, commitment__isnull=True, step__isnull=False)
                ),
                name="follow_exactly_one_item",
            ),
            models.UniqueConstraint(
                fields=["follower", "state"],
                condition=Q(state__isnull=False),
                name="follow_state_once",
            ),
            models.UniqueConstraint(
                fields=["follower", "commitment"],
                condition=Q(commitment__isnull=False),
                name="follow_commitment_once",
            ),
            models.UniqueConstraint(
                fields=["follower", "step"],
                condition=Q(step__isnull=False),
                name="follow_step_once",
            ),
        ]

    def __str__(self) -> str:
        return f"follow {self.pk} of follower {self.follower_id}"

    @property
    def item(self):
        return self.state or self.commitment or self.step


class FollowNotice(models.Model):
    """One event owed to one follower: recorded (``pending``) under its unique constraint
    *before* any digest goes out, claimed, then marked sent — the reminders' mechanism
    (commitments/delivery.py). An event belongs to one digest period, so ``(follower,
    event_key)`` is the (follower, event, period) key; it also holds when the follower
    changes frequency or follows the same commitment through its State and its step."""

    class Kind(models.TextChoices):
        UPDATE = "update", _("Progress update")
        CORRECTION = "correction", _("Correction")
        OVERDUE = "overdue", _("Review overdue")
        ASSESSMENT = "assessment", _("Independent assessment")
        REPLY = "reply", _("Reply by the State")

    class Outcome(models.TextChoices):
        # The same values as Reminder.Outcome: commitments/delivery.py serves both.
        PENDING = "pending", _("Pending")
        SENDING = "sending", _("Being sent")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped")

    follower = models.ForeignKey(
        Follower, on_delete=models.CASCADE, related_name="notices", verbose_name=_("follower")
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    # "<kind>:<id>" — or "overdue:<commitment id>:<due date>": the event's identity.
    event_key = models.CharField(_("event"), max_length=64)
    object_id = models.PositiveBigIntegerField(_("object id"))
    commitment = models.ForeignKey(
        "commitments.Commitment",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("commitment"),
    )
    due_on = models.DateField(_("review due on"), null=True, blank=True)
    occurred_at = models.DateTimeField(_("happened at"))
    owed_on = models.DateField(_("recorded for the digest of"))
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("last error"), blank=True)
    claim = models.UUIDField(_("delivery claim"), null=True, blank=True, editable=False)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        ordering = ["-owed_on", "follower_id", "id"]
        verbose_name = _("follow notice")
        verbose_name_plural = _("follow notices")
        constraints = [
            models.UniqueConstraint(
                fields=["follower", "event_key"], name="follow_notice_once_per_follower_event"
            ),
        ]
        indexes = [
            models.Index(fields=["follower", "outcome"], name="follow_notice_follower_outcome"),
            models.Index(fields=["claim"], name="follow_notice_claim"),
        ]

    def __str__(self) -> str:
        return f"{self.event_key} → follower {self.follower_id} ({self.outcome})"
