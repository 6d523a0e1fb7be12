"""Demonstration and synthetic data. Every row made here has ``is_demo=True``; titles say
"Demo" or "Synthetic", and every page shows a notice while any of it exists."""

import datetime
import io
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.utils import timezone

from commitments import bulk_copy, ledger
from commitments.models import (
    AnsweredReview,
    Commitment,
    LedgerEntry,
    PreventionStep,
    ProgressUpdate,
    Reminder,
    Status,
)
from commitments.selectors import forget_demo_data_flag
from commitments.services import (
    EvidenceLink,
    assessment_publish,
    assessment_reply_publish,
    assessment_submit,
    commitment_create,
    commitments_delete,
    commitments_derive_bulk,
    commitments_refresh_derived_bulk,
    progress_update_create,
    revision_request_create,
    revision_request_decide,
)
from focalpoints.models import (
    FocalPoint,
    MemberState,
    Organisation,
    OrganisationMembership,
    StateAccess,
)

SYNTHETIC_SOURCE = "Synthetic benchmark data (seed_demo --scale)"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str
    role: str  # "Focal point", "Delegate", "Secretariat"
    state: str | None  # ISO3, None for the secretariat
    first_name: str
    last_name: str
    language: str = "en"
    organisation: str | None = None  # an assessor's organisation (DEMO_ORGANISATIONS name)

    def login_line(self, state_names: dict[str, str]) -> str:
        if self.organisation:
            where = self.organisation
        else:
            where = state_names.get(self.state, "") if self.state else "all States"
        return f"{self.username} / {self.password} — {self.role}, {where}"


DEMO_ACCOUNTS = [
    DemoAccount("ghana.fp", "demo-ghana-fp", "Focal point", "GHA", "Ama", "Demo-Mensah"),
    DemoAccount("ghana.delegate", "demo-ghana-delegate", "Delegate", "GHA", "Kofi", "Demo-Owusu"),
    DemoAccount("denmark.fp", "demo-denmark-fp", "Focal point", "DNK", "Freja", "Demo-Larsen"),
    DemoAccount("kenya.fp", "demo-kenya-fp", "Focal point", "KEN", "Wanjiru", "Demo-Otieno"),
    DemoAccount(
        "costarica.fp", "demo-costarica-fp", "Focal point", "CRI", "Lucía", "Demo-Vargas", "es"
    ),
    DemoAccount("secretariat", "demo-secretariat", "Secretariat", None, "Sam", "Demo-Coordinator"),
    DemoAccount(
        "civicwatch.assessor",
        "demo-civicwatch",
        "Assessor",
        None,
        "Noor",
        "Demo-Haddad",
        "ar",
        organisation="Demo: Civic Watch for Prevention (fictional)",
    ),
    DemoAccount(
        "ghana.nhri",
        "demo-ghana-nhri",
        "Assessor",
        None,
        "Efua",
        "Demo-Asante",
        organisation="Demo: Ghana Human Rights Institute (fictional)",
    ),
]


@dataclass(frozen=True)
class DemoOrganisation:
    name: str
    kind: str
    country: str | None
    description: str


DEMO_ORGANISATIONS = [
    DemoOrganisation(
        "Demo: Civic Watch for Prevention (fictional)",
        "civil-society",
        None,
        "Fictional example. An international network of civil-society groups that follows "
        "atrocity-prevention pledges through shadow reports to the Universal Periodic Review.",
    ),
    DemoOrganisation(
        "Demo: Ghana Human Rights Institute (fictional)",
        "nhri",
        "GHA",
        "Fictional example. A national human rights institution reporting each year to "
        "parliament; it assesses Ghana's commitments only.",
    ),
]


@dataclass(frozen=True)
class DemoAssessment:
    organisation: str
    account: str
    commitment: str  # the demo commitment's title
    status: str | None  # None: the government's own status (an assessment that agrees)
    channel: str
    narrative: str
    publish: bool = True
    reply: str = ""  # the State's reply, by its focal point


DEMO_ASSESSMENTS = [
    DemoAssessment(
        "Demo: Ghana Human Rights Institute (fictional)",
        "ghana.nhri",
        "Demo: Annual national atrocity-risk assessment",
        Status.LIMITED,
        "nhri-report",
        "Fictional example. Our annual report finds the risk assessment was drafted but not "
        "validated with the regions, and its findings were not published: limited progress, "
        "not the substantial progress reported.",
        reply="Fictional example. The regional validation meetings took place in March; the "
        "summary of findings is with the cabinet for publication.",
    ),
    DemoAssessment(
        "Demo: Civic Watch for Prevention (fictional)",
        "civicwatch.assessor",
        "Demo: Domesticate the Rome Statute crimes",
        None,
        "upr-shadow-report",
        "Fictional example. Our shadow report to the Universal Periodic Review confirms the "
        "government's account: the bill is before parliament, the crimes not yet in force.",
    ),
    DemoAssessment(
        "Demo: Civic Watch for Prevention (fictional)",
        "civicwatch.assessor",
        "Demo: Regional peer-review session",
        Status.NOT_STARTED,
        "media",
        "Fictional example. Press reports say the session was postponed. Waiting for the "
        "secretariat's moderation.",
        publish=False,
    ),
]


@dataclass(frozen=True)
class DemoUpdate:
    days_ago: int
    status: str
    narrative: str
    links: tuple[str, ...] = ()
    corrects: int | None = None  # index of the earlier update in this commitment's list
    pdf: bool = False


@dataclass(frozen=True)
class DemoCommitment:
    state: str
    account: str
    step: str
    title: str
    description: str
    source_kind: str
    source_description: str
    pledged_days_ago: int
    interval: int
    target_in_days: int | None
    updates: tuple[DemoUpdate, ...] = field(default_factory=tuple)
    # A revision the focal point asked for and the secretariat approved: (days, reason).
    target_moved: tuple[int, str] | None = None


K = Commitment.SourceKind
DEMO_COMMITMENTS = [
    DemoCommitment(
        "GHA",
        "ghana.fp",
        "N2",
        "Demo: Annual national atrocity-risk assessment",
        "Fictional example. Carry out a yearly assessment of atrocity risk and resilience with "
        "the national peace council and publish a summary.",
        K.GA_DIALOGUE,
        "Fictional statement at a General Assembly dialogue on R2P",
        400,
        180,
        300,
        (
            DemoUpdate(
                300,
                Status.LIMITED,
                "Fictional: terms of reference drafted and an "
                "inter-ministerial working group convened.",
                ("https://example.org/demo/ghana-terms-of-reference",),
            ),
            DemoUpdate(
                170,
                Status.SUBSTANTIAL,
                "Fictional: first assessment completed; summary under review before publication.",
                pdf=True,
            ),
        ),
    ),
    DemoCommitment(
        "GHA",
        "ghana.fp",
        "HRC48-NAP",
        "Demo: National action plan on atrocity prevention",
        "Fictional example. Adopt a national action plan with measurable milestones.",
        K.NATIONAL_ACTION_PLAN,
        "Fictional national human rights action plan, chapter 4",
        500,
        90,
        400,
        (
            DemoUpdate(200, Status.NOT_STARTED, "Fictional: drafting postponed to next year."),
            DemoUpdate(110, Status.LIMITED, "Fictional: consultation with civil society began."),
        ),
        target_moved=(
            365,
            "Fictional: the national budget that funds the plan was adopted a year late.",
        ),
    ),
    DemoCommitment(
        "GHA",
        "ghana.delegate",
        "HRC49-16",
        "Demo: Report on prevention in the UPR national report",
        "Fictional example. Include a section on atrocity prevention in the next UPR report.",
        K.UPR,
        "Fictional accepted UPR recommendation",
        300,
        180,
        200,
        (
            DemoUpdate(250, Status.SUBSTANTIAL, "Fictional: section drafted."),
            DemoUpdate(
                240,
                Status.LIMITED,
                "Fictional correction: only an outline existed; the "
                "earlier update overstated progress.",
                corrects=0,
            ),
            DemoUpdate(
                60,
                Status.COMPLETE,
                "Fictional: report submitted with the section.",
                ("https://example.org/demo/upr-report",),
            ),
        ),
    ),
    DemoCommitment(
        "DNK",
        "denmark.fp",
        "N1",
        "Demo: Strengthen the focal point's mandate",
        "Fictional example. Give the national focal point a written mandate and staff.",
        K.NETWORK_MEETING,
        "Fictional statement at a Global Network meeting",
        700,
        365,
        None,
        (
            DemoUpdate(600, Status.SUBSTANTIAL, "Fictional: mandate adopted by the ministry."),
            DemoUpdate(250, Status.COMPLETE, "Fictional: two staff posts filled."),
        ),
    ),
    DemoCommitment(
        "DNK",
        "denmark.fp",
        "I4",
        "Demo: Support veto restraint in General Assembly statements",
        "Fictional example. Speak for voluntary veto restraint in each annual debate.",
        K.GA_DIALOGUE,
        "Fictional General Assembly statement",
        200,
        180,
        None,
    ),
    DemoCommitment(
        "DNK",
        "denmark.fp",
        "HRC48-HATE",
        "Demo: Hate-speech monitoring unit",
        "Fictional example. Create a unit that monitors incitement online.",
        K.HRC_STATEMENT,
        "Fictional Human Rights Council statement",
        400,
        180,
        None,
        (
            DemoUpdate(300, Status.LIMITED, "Fictional: feasibility study commissioned."),
            DemoUpdate(
                100,
                Status.WITHDRAWN,
                "Fictional: merged into a wider programme; this commitment is withdrawn.",
            ),
        ),
    ),
    DemoCommitment(
        "KEN",
        "kenya.fp",
        "N3",
        "Demo: Parliamentary briefing on prevention",
        "Fictional example. Brief the parliamentary human rights committee twice a year.",
        K.OTHER,
        "Fictional ministerial announcement",
        100,
        90,
        365,
    ),
    DemoCommitment(
        "KEN",
        "kenya.fp",
        "N4",
        "Demo: Domesticate the Rome Statute crimes",
        "Fictional example. Amend the penal code to define the atrocity crimes.",
        K.UPR,
        "Fictional accepted UPR recommendation",
        600,
        180,
        500,
        (
            DemoUpdate(500, Status.LIMITED, "Fictional: bill drafted."),
            DemoUpdate(215, Status.LIMITED, "Fictional: bill awaiting first reading."),
        ),
    ),
    DemoCommitment(
        "CRI",
        "costarica.fp",
        "I6",
        "Demo: Regional peer-review session",
        "Fictional example. Present national prevention practice for regional peer review.",
        K.REGIONAL_BODY,
        "Fictional regional network meeting",
        150,
        180,
        200,
        (
            DemoUpdate(
                30,
                Status.SUBSTANTIAL,
                "Fictional: session held; report pending.",
                ("https://example.org/demo/peer-review",),
            ),
        ),
    ),
    DemoCommitment(
        "CRI",
        "costarica.fp",
        "HRC49-18",
        "Demo: Civil society consultation on prevention",
        "Fictional example. Hold an annual open consultation with civil society.",
        K.HRC_STATEMENT,
        "Fictional Human Rights Council statement",
        90,
        90,
        None,
    ),
]

DEMO_FOCAL_POINT = {
    "state_id": "KEN",
    "office": "Ministry of Foreign Affairs (demo)",
    "title": "Demo Director, Human Rights",
    "person_name": "Wanjiru Demo-Otieno",
    "email": "wanjiru.demo@ministry.example",
    "phone": "+000 555 0199",
    "internal_notes": "Demo: private note, must never be published.",
}


def _tiny_pdf(title: str) -> bytes:
    """A valid one-page PDF naming itself fictional (no PDF library needed)."""
    text = f"(Demonstration document - fictional: {title}) Tj".encode("latin-1", "replace")
    stream = b"BT /F1 14 Tf 40 780 Td " + text + b" ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    for offset in offsets:
        out.write(f"{offset:010d} 00000 n \n".encode())
    out.write(
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out.getvalue()


def seed_accounts() -> tuple[list[DemoAccount], int]:
    User = get_user_model()
    created = 0
    for account in DEMO_ACCOUNTS:
        user, was_created = User.objects.get_or_create(
            username=account.username,
            defaults={
                "first_name": account.first_name,
                "last_name": account.last_name,
                "email": f"{account.username}@demo.example",
                "is_demo": True,
                "is_staff": account.role == "Secretariat",
                "is_superuser": account.role == "Secretariat",
                "preferred_language": account.language,
            },
        )
        if was_created:
            user.set_password(account.password)
            user.save(update_fields=["password"])
            created += 1
        if account.state:
            role = (
                StateAccess.Role.DELEGATE
                if account.role == "Delegate"
                else StateAccess.Role.FOCAL_POINT
            )
            StateAccess.objects.get_or_create(
                user=user, state_id=account.state, defaults={"role": role}
            )
    return DEMO_ACCOUNTS, created


def seed_organisations() -> int:
    """The two fictional assessor organisations (approved, with their member accounts)."""
    users = {user.username: user for user in get_user_model().objects.filter(is_demo=True)}
    created = 0
    for spec in DEMO_ORGANISATIONS:
        organisation, was_created = Organisation.objects.get_or_create(
            name=spec.name,
            defaults={
                "kind": spec.kind,
                "country_id": spec.country,
                "description": spec.description,
                "website": "https://example.org/demo/organisation",
                "status": Organisation.Status.APPROVED,
                "approved_at": timezone.now(),
                "approved_by": users.get("secretariat"),
                "is_demo": True,
            },
        )
        created += was_created
        for account in DEMO_ACCOUNTS:
            if account.organisation == spec.name:
                OrganisationMembership.objects.get_or_create(
                    user=users[account.username], organisation=organisation
                )
    return created


def seed_assessments(today: datetime.date | None = None) -> int:
    """The demo assessments, through the services: submitted by the assessor, published by the
    secretariat, one disagreeing with the government and answered by its focal point, one left
    waiting in the moderation queue."""
    today = today or timezone.localdate()
    users = {user.username: user for user in get_user_model().objects.filter(is_demo=True)}
    organisations = {o.name: o for o in Organisation.objects.filter(is_demo=True)}
    created = 0
    for spec in DEMO_ASSESSMENTS:
        commitment = Commitment.objects.filter(is_demo=True, title=spec.commitment).first()
        organisation = organisations.get(spec.organisation)
        if commitment is None or organisation is None:
            continue
        if commitment.assessments.filter(organisation=organisation).exists():
            continue
        with transaction.atomic():
            assessment = assessment_submit(
                user=users[spec.account],
                organisation=organisation,
                commitment=commitment,
                status=spec.status or commitment.status,
                period_start=commitment.pledged_on,
                period_end=today - datetime.timedelta(days=20),
                narrative=spec.narrative,
                channel=spec.channel,
                language="en",
                links=[
                    EvidenceLink("https://example.org/demo/assessment", "Demo report (fictional)")
                ],
                is_demo=True,
            )
            if spec.publish:
                assessment_publish(user=users["secretariat"], assessment=assessment)
            if spec.reply:
                focal_point = next(
                    users[a.username]
                    for a in DEMO_ACCOUNTS
                    if a.state == commitment.state_id and a.role == "Focal point"
                )
                assessment_reply_publish(
                    user=focal_point, assessment=assessment, text=spec.reply, language="en"
                )
        created += 1
    return created


def seed_focal_point() -> bool:
    if FocalPoint.objects.current().filter(state_id=DEMO_FOCAL_POINT["state_id"]).exists():
        return False
    FocalPoint.objects.create(
        **DEMO_FOCAL_POINT,
        appointed_on=timezone.localdate() - datetime.timedelta(days=400),
        is_demo=True,
    )
    return True


def seed_commitments(today: datetime.date | None = None) -> int:
    """Create the demo commitments that do not exist yet (by State and title), through the
    same services the web forms use."""
    today = today or timezone.localdate()
    User = get_user_model()
    users = {user.username: user for user in User.objects.filter(is_demo=True)}
    steps = {step.code: step for step in PreventionStep.objects.all()}
    created = 0
    for spec in DEMO_COMMITMENTS:
        if Commitment.objects.filter(state_id=spec.state, title=spec.title).exists():
            continue
        author = users[spec.account]
        pledged_on = today - datetime.timedelta(days=spec.pledged_days_ago)
        with transaction.atomic():
            commitment = commitment_create(
                user=users["secretariat"] if spec.account.endswith("delegate") else author,
                state=MemberState.objects.get(code=spec.state),
                step=steps[spec.step],
                title=spec.title,
                description=spec.description,
                source_kind=spec.source_kind,
                source_description=spec.source_description,
                source_url="https://example.org/demo/pledge",
                pledged_on=pledged_on,
                target_date=(
                    pledged_on + datetime.timedelta(days=spec.target_in_days)
                    if spec.target_in_days
                    else None
                ),
                review_interval_days=spec.interval,
                is_demo=True,
            )
            made: list[ProgressUpdate] = []
            for update in spec.updates:
                files = []
                if update.pdf:
                    files = [
                        SimpleUploadedFile(
                            "demo-assessment-summary.pdf",
                            _tiny_pdf(spec.title),
                            content_type="application/pdf",
                        )
                    ]
                made.append(
                    progress_update_create(
                        user=author,
                        commitment=commitment,
                        reported_on=today - datetime.timedelta(days=update.days_ago),
                        status=update.status,
                        narrative=update.narrative,
                        corrects=made[update.corrects] if update.corrects is not None else None,
                        links=[
                            EvidenceLink(url, "Demo evidence (fictional)") for url in update.links
                        ],
                        files=files,
                        is_demo=True,
                    )
                )
            if spec.target_moved:
                _move_target(commitment, spec, author=author, secretariat=users["secretariat"])
        created += 1
    return created


def _move_target(commitment, spec: DemoCommitment, *, author, secretariat) -> None:
    """The focal point asks, the secretariat approves: a public revision, as in real use."""
    days, reason = spec.target_moved
    request = revision_request_create(
        user=author,
        commitment=commitment,
        changes={"target_date": commitment.target_date + datetime.timedelta(days=days)},
        reason=reason,
    )
    revision_request_decide(user=secretariat, revision_request=request, approve=True)


def seed_demo() -> dict:
    accounts, accounts_created = seed_accounts()
    focal_point_created = seed_focal_point()
    commitments_created = seed_commitments()
    organisations_created = seed_organisations()
    assessments_created = seed_assessments()
    forget_demo_data_flag()
    return {
        "accounts": accounts,
        "accounts_created": accounts_created,
        "organisations_created": organisations_created,
        "assessments_created": assessments_created,
        "focal_point_created": focal_point_created,
        "commitments_created": commitments_created,
    }


SYNTHETIC_STATUSES = (Status.NOT_STARTED, Status.LIMITED, Status.SUBSTANTIAL, Status.COMPLETE)


def _synthetic_commitment(number: int, *, rng, states, steps, today) -> Commitment:
    step_id, basis = rng.choice(steps)
    return Commitment(
        state_id=states[number % len(states)],
        step_id=step_id,
        title=f"Synthetic commitment #{number}",
        description="Synthetic data generated for benchmarks. Not a real pledge.",
        source_kind=Commitment.SourceKind.OTHER,
        source_description=SYNTHETIC_SOURCE,
        pledged_on=today - datetime.timedelta(days=rng.randint(200, 3000)),
        review_interval_days=rng.choice([90, 180, 365]),
        basis=basis,
        is_demo=True,
    )


def _synthetic_reports(commitment, *, rng, today) -> tuple[list[ProgressUpdate], bool]:
    """About ten updates for a commitment (unsaved), and whether its last one gets corrected
    (5 % of commitments)."""
    span = (today - commitment.pledged_on).days
    count = rng.randint(8, 12)
    days = sorted(rng.sample(range(1, span), k=min(count, span - 1)))
    level = 0
    updates = []
    for day in days:
        level = min(level + rng.choice([0, 0, 1]), len(SYNTHETIC_STATUSES) - 1)
        updates.append(
            ProgressUpdate(
                commitment=commitment,
                reported_on=commitment.pledged_on + datetime.timedelta(days=day),
                status=SYNTHETIC_STATUSES[level],
                narrative=f"Synthetic progress report on day {day}.",
                is_demo=True,
            )
        )
    return updates, rng.random() < 0.05


def _synthetic_correction(commitment, last: ProgressUpdate) -> ProgressUpdate:
    return ProgressUpdate(
        commitment=commitment,
        reported_on=last.reported_on,
        status=Status.LIMITED,
        narrative="Synthetic correction of the previous report.",
        corrects=last,
        is_demo=True,
    )


def _write_batch_orm(commitments, *, rng, today) -> int:
    """One batch through the ORM's bulk inserts (any database): returns the updates written."""
    commitments = Commitment.objects.bulk_create(commitments)
    plain: list[ProgressUpdate] = []
    plans = []
    for commitment in commitments:
        updates, corrected = _synthetic_reports(commitment, rng=rng, today=today)
        plain.extend(updates)
        plans.append((commitment, corrected))
    plain = ProgressUpdate.objects.bulk_create(plain, batch_size=5000)
    by_commitment: dict[int, list[ProgressUpdate]] = {}
    for update in plain:
        by_commitment.setdefault(update.commitment_id, []).append(update)
    corrections = [
        _synthetic_correction(commitment, by_commitment[commitment.pk][-1])
        for commitment, corrected in plans
        if corrected and by_commitment.get(commitment.pk)
    ]
    for update in ProgressUpdate.objects.bulk_create(corrections, batch_size=5000):
        by_commitment[update.commitment_id].append(update)
    commitments_refresh_derived_bulk(commitments, updates_by_commitment=by_commitment)
    ledger.append_many(ledger.entries_for_commitments(c.pk for c in commitments))
    return len(plain) + len(corrections)


def _write_batch_copy(commitments, *, rng, today) -> int:
    """The same batch on PostgreSQL with ``COPY`` (D-16-10): keys reserved from the sequences,
    times and derived fields set here by the services' own derivation, the ledger entries built
    from the values written (no read back). Returns the updates written."""
    bulk_copy.lock_for_load([Commitment, ProgressUpdate, AnsweredReview])
    now = timezone.now()
    first = bulk_copy.reserve_ids(Commitment, len(commitments))
    by_commitment: dict[int, list[ProgressUpdate]] = {}
    corrected = []
    for offset, commitment in enumerate(commitments):
        commitment.pk = first + offset
        commitment.created_at = commitment.updated_at = now
        updates, correct = _synthetic_reports(commitment, rng=rng, today=today)
        by_commitment[commitment.pk] = updates
        if correct and updates:
            corrected.append(commitment)
    # Publication order as the ORM path writes it: every plain update, then the corrections.
    updates = [update for commitment in commitments for update in by_commitment[commitment.pk]]
    corrections = [_synthetic_correction(c, by_commitment[c.pk][-1]) for c in corrected]
    first = bulk_copy.reserve_ids(ProgressUpdate, len(updates) + len(corrections))
    for offset, update in enumerate(updates):
        update.pk = first + offset
        update.created_at = now + datetime.timedelta(microseconds=offset)
    for offset, correction in enumerate(corrections, start=len(updates)):
        correction.pk = first + offset
        correction.corrects_id = correction.corrects.pk
        correction.created_at = now + datetime.timedelta(microseconds=offset)
        by_commitment[correction.commitment_id].append(correction)
    commitments_derive_bulk(commitments, updates_by_commitment=by_commitment)
    bulk_copy.copy_rows(Commitment, (c.__dict__ for c in commitments))
    bulk_copy.copy_rows(ProgressUpdate, (u.__dict__ for u in [*updates, *corrections]))
    # The reviews each commitment's updates answered, as the services store them (D-12-10).
    answered = [(c.pk, cycle) for c in commitments for cycle in c.derived_answered_reviews]
    first = bulk_copy.reserve_ids(AnsweredReview, len(answered))
    bulk_copy.copy_rows(
        AnsweredReview,
        (
            {
                "id": first + n,
                "commitment_id": pk,
                "due_on": cycle.due_on,
                "reported_on": cycle.reported_on,
            }
            for n, (pk, cycle) in enumerate(answered)
        ),
    )
    ledger.append_many_copy(
        ledger.entries_for_built(commitments, by_commitment), bulk_copy.copy_rows
    )
    return len(updates) + len(corrections)


def seed_synthetic(
    total: int,
    *,
    seed: int = 2017,
    progress: Callable[[str], None] = lambda message: None,
    batch_size: int | None = None,
) -> int:
    """Ensure ``total`` synthetic commitments exist, each with about ten updates (some of them
    corrections), with derived fields set by the services' own derivation and their ledger
    entries. Rows are written in bulk (``COPY`` on PostgreSQL, bulk inserts elsewhere), so the
    history tables get no entries for them."""
    existing = Commitment.objects.filter(source_description=SYNTHETIC_SOURCE).count()
    missing = total - existing
    if missing <= 0:
        progress(f"{existing} synthetic commitments already exist; nothing to do.")
        return 0
    rng = random.Random(seed + existing)
    states = list(MemberState.objects.un_members().values_list("code", flat=True))
    steps = list(PreventionStep.objects.values_list("pk", "basis"))
    if not states or not steps:
        raise RuntimeError("Load the reference data first (manage.py load_reference_data).")
    copy = connection.vendor == "postgresql"
    write_batch = _write_batch_copy if copy else _write_batch_orm
    batch_size = batch_size or (5000 if copy else 2000)
    today = timezone.localdate()
    started = time.monotonic()
    done = written = 0
    while done < missing:
        size = min(batch_size, missing - done)
        with transaction.atomic():
            commitments = [
                _synthetic_commitment(
                    existing + done + offset + 1, rng=rng, states=states, steps=steps, today=today
                )
                for offset in range(size)
            ]
            written += write_batch(commitments, rng=rng, today=today)
        done += size
        elapsed = max(time.monotonic() - started, 1e-6)
        left = (missing - done) / (done / elapsed)
        progress(
            f"{done}/{missing} synthetic commitments, {written} updates "
            f"({done / elapsed:.0f} commitments/s, {elapsed:.0f} s, about {left:.0f} s left)"
        )
    if copy:
        # Fresh planner statistics: without them PostgreSQL plans for the tables' old sizes.
        with connection.cursor() as cursor:
            for model in (Commitment, ProgressUpdate, LedgerEntry):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(model._meta.db_table)}")
    forget_demo_data_flag()
    return missing


DEMO_REMOVAL_REASON = "Demonstration data removed (seed_demo --remove)."


def remove_demo_data() -> dict[str, int]:
    """Delete every demonstration row (and only those). The only sanctioned way to remove
    progress updates: they are append-only for real data."""
    counts = {}
    with transaction.atomic():
        counts["reminders"] = Reminder.objects.filter(is_demo=True).delete()[0]
        # Through the one deletion path: each demo commitment leaves a public tombstone.
        deleted = commitments_delete(
            Commitment.objects.filter(is_demo=True), reason=DEMO_REMOVAL_REASON
        )
        counts.update(deleted)
        counts["focal_points"] = FocalPoint.objects.filter(is_demo=True).delete()[0]
        counts["organisations"] = Organisation.objects.filter(is_demo=True).delete()[0]
        counts["accounts"] = get_user_model().objects.filter(is_demo=True).delete()[0]
    forget_demo_data_flag()
    return counts
