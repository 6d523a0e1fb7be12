"""Writes of the follow cycle: ask to follow (double opt-in), confirm, manage, unsubscribe;
then the daily job that records what each follower is owed and delivers one digest each.

Exactly-once, as for review reminders (commitments/delivery.py, docs/reminders.md): every
event owed to a follower is recorded as a ``pending`` :class:`FollowNotice` under the unique
constraint (follower, event) *before* anything is sent, a delivery claims its follower's
pending rows with one conditional ``UPDATE``, sends, and marks exactly what it claimed.

The messages (their wording and links to the public pages) are composed by the layer that owns
those pages: ``FOLLOW_CONFIRMATION_EMAIL`` and ``FOLLOW_DIGEST_EMAIL`` name the functions
(``tracker.follow_emails``), so this module never names a page.
"""

import datetime
import itertools
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.module_loading import import_string

from commitments import delivery
from commitments.delivery import DeliveryResult, RunResult
from commitments.follows import selectors
from commitments.follows.models import Follow, Follower, FollowNotice, Frequency
from commitments.follows.sources import SOURCES, Event, source_for
from commitments.selectors import review_today

logger = logging.getLogger(__name__)

Outcome = FollowNotice.Outcome
TOKEN_SALT = "commitments.follows"  # noqa: S105 (a salt, not a secret)
CONFIRM, MANAGE = "confirm", "manage"
INSERT_ROWS_PER_STATEMENT = 2000


# --- Signed links -------------------------------------------------------------------------------
#
# Each link is signed with the site's SECRET_KEY *and* the follower's own secret, so links can
# be revoked for one follower (a new secret) without touching anyone else's.


def _signer(follower: Follower, purpose: str) -> signing.TimestampSigner:
    return signing.TimestampSigner(salt=f"{TOKEN_SALT}.{purpose}.{follower.secret}")


def follower_token(follower: Follower, purpose: str) -> str:
    return _signer(follower, purpose).sign(str(follower.pk))


def follower_from_token(token: str, purpose: str) -> Follower | None:
    """The follower a signed link was made for, or None if it is forged, tampered with or (for
    confirmation links) older than FOLLOW_CONFIRM_LINK_MAX_AGE_DAYS."""
    pk, _sep, _rest = token.partition(":")
    if not pk.isdigit():
        return None
    follower = Follower.objects.filter(pk=int(pk)).first()
    if follower is None:
        return None
    max_age = (
        datetime.timedelta(days=settings.FOLLOW_CONFIRM_LINK_MAX_AGE_DAYS)
        if purpose == CONFIRM
        else None
    )
    try:
        value = _signer(follower, purpose).unsign(token, max_age=max_age)
    except signing.BadSignature:  # SignatureExpired is a BadSignature
        return None
    return follower if value == str(follower.pk) else None


# --- Asking, confirming, managing ---------------------------------------------------------------


@dataclass(frozen=True)
class FollowRequest:
    follower_id: int
    send_confirmation: bool


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _follower_for(email: str, *, frequency: str, language: str) -> Follower:
    address = normalise_email(email)
    try:
        with transaction.atomic():
            follower, created = Follower.objects.get_or_create(
                email=address, defaults={"frequency": frequency, "language": language}
            )
    except IntegrityError:  # a concurrent request created it
        follower, created = Follower.objects.get(email=address), False
    if not created and follower.confirmed_at is None:
        # Nobody has proven this address yet: the latest request's choices stand.
        Follower.objects.filter(pk=follower.pk).update(frequency=frequency, language=language)
    return follower


@transaction.atomic
def follow_request(
    *,
    email: str,
    state=None,
    commitment=None,
    step=None,
    frequency: str = Frequency.WEEKLY,
    language: str = "en",
    now: datetime.datetime | None = None,
) -> FollowRequest:
    """Record that ``email`` asks to follow one State, commitment or step. The follow stays
    inactive until confirmed. Returns whether a confirmation e-mail is due: at most one per
    address per FOLLOW_CONFIRMATION_EVERY_HOURS (a conditional update, so two concurrent
    requests cannot both send one), and none when the follow is already confirmed. The
    caller answers the same whatever happened (no enumeration of addresses)."""
    now = now or timezone.now()
    follower = _follower_for(email, frequency=frequency, language=language)
    try:
        with transaction.atomic():
            follow, _created = Follow.objects.get_or_create(
                follower=follower, state=state, commitment=commitment, step=step
            )
    except IntegrityError:
        follow = Follow.objects.get(
            follower=follower, state=state, commitment=commitment, step=step
        )
    if follow.confirmed_at is not None and follower.unsubscribed_at is None:
        return FollowRequest(follower_id=follower.pk, send_confirmation=False)
    every = datetime.timedelta(hours=settings.FOLLOW_CONFIRMATION_EVERY_HOURS)
    stamped = Follower.objects.filter(
        Q(confirmation_sent_at__isnull=True) | Q(confirmation_sent_at__lte=now - every),
        pk=follower.pk,
    ).update(confirmation_sent_at=now)
    logger.info(
        "follow requested",
        extra={"follower": follower.pk, "follow": follow.pk, "confirmation": bool(stamped)},
    )
    return FollowRequest(follower_id=follower.pk, send_confirmation=bool(stamped))


def pending_follows(follower: Follower):
    return selectors.follower_follows(follower).filter(confirmed_at__isnull=True)


def follow_confirmation_send(follower_id: int, *, connection=None) -> bool:
    """Send the confirmation e-mail (composed by FOLLOW_CONFIRMATION_EMAIL) listing the
    follows waiting for confirmation. When the backend fails, the daily stamp is cleared so
    the person can ask again at once; the error propagates."""
    follower = Follower.objects.filter(pk=follower_id).first()
    if follower is None:
        return False
    follows = list(pending_follows(follower))
    if not follows:
        return False
    compose = import_string(settings.FOLLOW_CONFIRMATION_EMAIL)
    try:
        compose(follower, follows, connection=connection).send(fail_silently=False)
    except Exception:
        Follower.objects.filter(
            pk=follower.pk, confirmation_sent_at=follower.confirmation_sent_at
        ).update(confirmation_sent_at=None)
        logger.exception("follow confirmation not sent", extra={"follower": follower.pk})
        raise
    logger.info("follow confirmation sent", extra={"follower": follower.pk})
    return True


@transaction.atomic
def follows_confirm(*, follower: Follower, follow_ids, now=None) -> int:
    """Confirm the follower's pending follows among ``follow_ids`` (those listed on the page
    the person confirmed from), and with them the address (again subscribed, if it had
    unsubscribed). Returns how many were confirmed; ids of other followers' follows count
    for nothing."""
    now = now or timezone.now()
    count = follower.follows.filter(pk__in=list(follow_ids), confirmed_at__isnull=True).update(
        confirmed_at=now
    )
    if count:
        fields = {"unsubscribed_at": None}
        if follower.confirmed_at is None:
            fields["confirmed_at"] = now
        Follower.objects.filter(pk=follower.pk).update(**fields)
        for name, value in fields.items():
            setattr(follower, name, value)
    logger.info("follows confirmed", extra={"follower": follower.pk, "follows": count})
    return count


def follower_preferences_set(*, follower: Follower, frequency: str, language: str) -> None:
    follower.frequency = frequency
    follower.language = language
    follower.save(update_fields=["frequency", "language"])


@transaction.atomic
def follow_remove(*, follower: Follower, follow_id: int) -> bool:
    """Stop following one item. Notices already recorded for it are skipped at delivery
    (the follower no longer follows what they are about)."""
    deleted, _detail = follower.follows.filter(pk=follow_id).delete()
    return bool(deleted)


@transaction.atomic
def follower_unsubscribe(*, follower: Follower, now=None) -> None:
    """One-click unsubscribe: every follow ends and nothing pending is sent. The address is
    kept (as unsubscribed) so the one-confirmation-a-day limit still holds for it."""
    now = now or timezone.now()
    follower.follows.all().delete()
    FollowNotice.objects.filter(follower=follower, outcome=Outcome.PENDING).update(
        outcome=Outcome.SKIPPED
    )
    if follower.unsubscribed_at is None:
        follower.unsubscribed_at = now
        follower.save(update_fields=["unsubscribed_at"])
    logger.info("follower unsubscribed", extra={"follower": follower.pk})


# --- Recording what is owed ---------------------------------------------------------------------


@dataclass
class RecordResult:
    events: int = 0
    owed: int = 0
    newly_recorded: int = 0
    owed_by_kind: dict[str, int] = field(default_factory=dict)


def period_bounds(today: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The events a run on ``today`` looks at: those before today's start (site time zone)
    and no older than FOLLOW_LOOKBACK_DAYS — enough to catch up days the job did not run; the
    unique constraint keeps what was already recorded from being recorded twice."""
    zone = timezone.get_default_timezone()
    end = timezone.make_aware(datetime.datetime.combine(today, datetime.time()), zone)
    return end - datetime.timedelta(days=settings.FOLLOW_LOOKBACK_DAYS), end


def events_in(start, end, today) -> list[Event]:
    return [event for source in SOURCES for event in source.collect(start, end, today)]


def notices_owed(events: list[Event], follows_by_target, *, today) -> Iterator[FollowNotice]:
    """One notice per (follower, event), for followers of the event's commitment, State or
    step who followed it before the event happened. Pure; a generator, so the job holds one
    insert batch in memory however many notices are owed."""
    for event in events:
        told: set[int] = set()
        for target in selectors.event_targets(
            state_id=event.state_id, commitment_id=event.commitment_id, step_id=event.step_id
        ):
            for follower_id, since in follows_by_target.get(target, ()):
                if since > event.occurred_at or follower_id in told:
                    continue
                told.add(follower_id)
                yield FollowNotice(
                    follower_id=follower_id,
                    kind=event.kind,
                    event_key=event.key,
                    object_id=event.object_id,
                    commitment_id=event.commitment_id,
                    due_on=event.due_on,
                    occurred_at=event.occurred_at,
                    owed_on=today,
                )


def follow_notices_record(
    *, today: datetime.date, dry_run: bool = False, progress: Callable[[str], None] | None = None
) -> RecordResult:
    """Record every event of the period owed to a follower as a pending notice.

    Queries: 1 per source (the period's events) + 1 (active follows) + 2 counts + 1 insert per
    INSERT_ROWS_PER_STATEMENT notices — however many followers and events."""
    start, end = period_bounds(today)
    events = events_in(start, end, today)
    follows_by_target = selectors.active_follows_by_target()
    result = RecordResult(events=len(events))
    before = 0 if dry_run else FollowNotice.objects.filter(owed_on=today).count()
    owed = notices_owed(events, follows_by_target, today=today)
    while batch := list(itertools.islice(owed, INSERT_ROWS_PER_STATEMENT)):
        result.owed += len(batch)
        for notice in batch:
            result.owed_by_kind[notice.kind] = result.owed_by_kind.get(notice.kind, 0) + 1
        if not dry_run:
            FollowNotice.objects.bulk_create(
                batch, batch_size=INSERT_ROWS_PER_STATEMENT, ignore_conflicts=True
            )
        if progress:
            progress(f"{result.owed} notices owed so far")
    if progress:
        progress(f"{len(events)} events in the period, {result.owed} notices owed to followers")
    if dry_run:
        return result
    result.newly_recorded = FollowNotice.objects.filter(owed_on=today).count() - before
    logger.info(
        "follow notices recorded",
        extra={"today": today.isoformat(), "owed": result.owed, "new": result.newly_recorded},
    )
    return result


def follows_fail_abandoned(*, now: datetime.datetime | None = None) -> int:
    return delivery.fail_abandoned(
        FollowNotice.objects.all(),
        timeout_minutes=settings.REMINDER_CLAIM_TIMEOUT_MINUTES,
        now=now,
    )


# --- Delivery -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FollowDigestItem:
    """One event in a digest, in plain data (the composer adds the site's address)."""

    kind: str
    kind_label: str
    commitment_id: int
    title: str
    state_name: str
    occurred_at: datetime.datetime
    due_on: datetime.date | None
    path: str
    status: str = ""
    organisation: str = ""


@dataclass(frozen=True)
class FollowDigest:
    follower: Follower
    items: list[FollowDigestItem]
    today: datetime.date


def _stale_ids(rows: list[FollowNotice], follower: Follower) -> set[int]:
    """Claimed notices no longer worth sending: the follower unsubscribed or no longer follows
    the commitment (directly, by State or by step), or — for an overdue review — the review
    was made since (its due date moved)."""
    if follower.unsubscribed_at is not None or follower.confirmed_at is None:
        return {row.pk for row in rows}
    follows = selectors.active_follows_by_target(follower_id=follower.pk)
    stale = set()
    for row in rows:
        commitment = row.commitment
        targets = selectors.event_targets(
            state_id=commitment.state_id, commitment_id=commitment.pk, step_id=commitment.step_id
        )
        followed = any(target in follows for target in targets)
        reviewed_since = (
            row.kind == FollowNotice.Kind.OVERDUE and commitment.next_review_due != row.due_on
        )
        if reviewed_since or not followed:
            stale.add(row.pk)
    return stale


def _digest_items(rows: list[FollowNotice], language: str) -> list[FollowDigestItem]:
    """The digest's lines in ``language``, grouped by commitment (by State, then title),
    oldest event first; each source describes its own events (one query per kind present)."""
    with translation.override(language):
        return _items(rows, language)


def _items(rows: list[FollowNotice], language: str) -> list[FollowDigestItem]:
    lines = {}
    for kinds in {source_for(row.kind).kinds for row in rows}:
        ids = [row.object_id for row in rows if row.kind in kinds]
        described = source_for(kinds[0]).describe(ids, language)
        lines.update({(kind, pk): line for kind in kinds for pk, line in described.items()})
    items = []
    for row in rows:
        line = lines.get((row.kind, row.object_id))
        if line is None:
            continue
        commitment = row.commitment
        items.append(
            FollowDigestItem(
                kind=row.kind,
                kind_label=str(row.get_kind_display()),
                commitment_id=commitment.pk,
                title=commitment.title,
                state_name=commitment.state.name_in(language),
                occurred_at=row.occurred_at,
                due_on=row.due_on,
                path=line.path,
                status=line.status,
                organisation=line.organisation,
            )
        )
    return sorted(items, key=lambda i: (i.state_name, i.title, i.commitment_id, i.occurred_at))


def follow_digest_message(digest: FollowDigest, *, connection=None):
    """The e-mail for ``digest``, composed by the function ``FOLLOW_DIGEST_EMAIL`` names."""
    compose = import_string(settings.FOLLOW_DIGEST_EMAIL)
    return compose(digest, connection=connection)


def follow_digest_deliver(
    *,
    follower_id: int,
    day: datetime.date,
    final_attempt: bool = False,
    connection=None,
) -> DeliveryResult:
    """Send one follower their digest: every notice recorded for them on ``day`` or earlier
    that has not been sent. Raises :class:`DigestDeliveryError` when the backend fails (the
    notices are then pending again for a retry, or failed on the last try). Queries: claim,
    rows, the follower's follows, one per kind of event listed, the mark — whatever the number
    of notices."""
    result = DeliveryResult()
    mine, claimed = delivery.claim(
        FollowNotice.objects.filter(follower_id=follower_id, owed_on__lte=day)
    )
    if not claimed:
        return result
    rows = list(mine.select_related("follower", "commitment__state").order_by("id"))
    follower = rows[0].follower
    stale = _stale_ids(rows, follower)
    if stale:
        result.skipped = delivery.skip(mine, stale)
        rows = [row for row in rows if row.pk not in stale]
    if not rows:
        return result
    digest = FollowDigest(
        follower=follower, items=_digest_items(rows, follower.language), today=review_today()
    )
    result.sent = delivery.send_claimed(
        lambda: follow_digest_message(digest, connection=connection),
        mine=mine,
        attempts=max(row.attempts for row in rows),
        max_attempts=settings.REMINDER_MAX_ATTEMPTS,
        final_attempt=final_attempt,
        what=f"follow digest to follower {follower_id}",
    )
    result.email_sent = True
    logger.info("follow digest sent", extra={"follower": follower_id, "rows": result.sent})
    return result


# --- The daily job: one orchestration for the Celery task and the command -------------------


Deliver = Callable[[int, datetime.date], DeliveryResult | None]


def is_weekly_day(today: datetime.date) -> bool:
    return today.weekday() == settings.FOLLOW_WEEKLY_WEEKDAY


def follows_daily_job(
    *,
    today: datetime.date,
    deliver: Deliver | None = None,
    dry_run: bool = False,
    progress: Callable[[str], None] | None = None,
) -> RunResult:
    """Fail abandoned claims, record what is owed (one transaction), then hand every follower
    whose digest is due today to ``deliver`` (default: deliver in this process): daily
    followers every day, weekly ones on FOLLOW_WEEKLY_WEEKDAY. A failed digest does not stop
    the others."""
    if dry_run:
        return RunResult(record=follow_notices_record(today=today, dry_run=True, progress=progress))
    deliver = deliver or _deliver_here
    abandoned = follows_fail_abandoned()
    with transaction.atomic():
        record = follow_notices_record(today=today, progress=progress)
        targets = selectors.follow_targets_pending(today, weekly_day=is_weekly_day(today))
    return delivery.hand_over(
        RunResult(record=record, abandoned_failed=abandoned),
        targets,
        lambda follower_id: deliver(follower_id, today),
        describe=lambda follower_id: f"follower {follower_id}",
        progress=progress,
    )


def _deliver_here(follower_id: int, day: datetime.date) -> DeliveryResult:
    return follow_digest_deliver(follower_id=follower_id, day=day)
