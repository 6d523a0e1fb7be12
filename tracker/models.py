"""The public data's version, maintained by the database itself (see tracker/versions.py)."""

from django.db import models


class DataVersion(models.Model):
    """One row per table the public site and the API show: a counter and a time that database
    triggers bump in the same transaction as any insert, update or delete on that table
    (whoever writes: services, admin, bulk loads, raw SQL). The API's ETag and Last-Modified
    read these few rows instead of aggregating the tables (D-16-1)."""

    table = models.CharField(max_length=63, primary_key=True)
    version = models.BigIntegerField(default=0)
    changed_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = "data version"

    def __str__(self) -> str:
        return f"{self.table} v{self.version}"


# --- Tallies maintained on write (D-16-70) -------------------------------------------------------
# Whole-table counts the dashboard sums instead of scanning commitments, updates and reviews. The
# database keeps them (triggers installed by tracker/tallies.py, in the same transaction as any
# write, whoever writes); ``manage.py verify_tallies`` compares them with a recount. Never written
# by application code except that command's ``--rebuild``.


class CommitmentTally(models.Model):
    """How many commitments have each (State, step, status, independent status)."""

    state = models.ForeignKey(
        "focalpoints.MemberState",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    step = models.ForeignKey(
        "commitments.PreventionStep",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="commitment_tallies",
    )
    status = models.CharField(max_length=20)
    independent_status = models.CharField(max_length=20, blank=True)
    n = models.IntegerField(default=0)

    class Meta:
        verbose_name = "commitment tally"
        constraints = [
            models.UniqueConstraint(
                fields=["state", "step", "status", "independent_status"],
                name="tracker_commitment_tally_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.state_id} {self.step_id} {self.status}/{self.independent_status}: {self.n}"


class UpdateTally(models.Model):
    """How many progress updates (and of them corrections) each State's commitments have per
    calendar quarter of their reporting date (``quarter``: its first day)."""

    state = models.ForeignKey(
        "focalpoints.MemberState",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    quarter = models.DateField()
    updates = models.IntegerField(default=0)
    corrections = models.IntegerField(default=0)

    class Meta:
        verbose_name = "update tally"
        constraints = [
            models.UniqueConstraint(fields=["state", "quarter"], name="tracker_update_tally_key")
        ]

    def __str__(self) -> str:
        return f"{self.state_id} {self.quarter}: {self.updates} ({self.corrections} corrections)"


class ReviewTally(models.Model):
    """How many answered reviews (``commitments.AnsweredReview``, every State) fell due in each
    quarter (``due_quarter``; ``due_last_day``: on its last day) and were answered in each
    quarter, late (after the due date) or not. Enough for the trend's figures at quarter ends
    without reading the reviews; "today" still reads them (by index)."""

    due_quarter = models.DateField()
    due_last_day = models.BooleanField()
    answered_quarter = models.DateField()
    late = models.BooleanField()
    n = models.IntegerField(default=0)

    class Meta:
        verbose_name = "review tally"
        constraints = [
            models.UniqueConstraint(
                fields=["due_quarter", "due_last_day", "answered_quarter", "late"],
                name="tracker_review_tally_key",
            )
        ]

    def __str__(self) -> str:
        return f"due {self.due_quarter}, answered {self.answered_quarter}: {self.n}"
