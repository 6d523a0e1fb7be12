"""Every public page costs a number of SQL queries that does not grow with the data: the same
ceiling holds with 5 and with 50 commitments (each with updates, a correction, evidence and a
resolution), and it is at most 15.

Every page pays, the first time after the cache is cleared (as here), for:
  - ``data_version()`` — one SELECT of scalar sub-queries (the "last changed" line and the key
    of the cached figures), on pages that show the site-wide date;
  - the demonstration-data flag of ``base.html`` — up to three EXISTS queries (commitment, user,
    focal point), cached for five minutes afterwards.
The per-page queries are named in each case below.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from commitments.models import AssessmentEvidence, Evidence, Moderation, Status
from tests.factories import (
    AssessmentFactory,
    AssessmentReplyFactory,
    CommitmentFactory,
    FocalPointFactory,
    MemberStateFactory,
    OrganisationFactory,
    PreventionStepFactory,
    ProgressUpdateFactory,
    ResolutionFactory,
)
from tracker.facets import FACETS

pytestmark = pytest.mark.django_db

FACET_QUERIES = len(FACETS)  # one per facet of the commitments list
DEMO_FLAG = 3  # EXISTS on commitments, users, focal points


def build(size: int) -> dict:
    states = [
        MemberStateFactory(code="GHA", name="Ghana", regional_group="african"),
        MemberStateFactory(code="KEN", name="Kenya", regional_group="african"),
        MemberStateFactory(code="DNK", name="Denmark", regional_group="western-european-others"),
    ]
    FocalPointFactory(state=states[0])
    FocalPointFactory(state=states[2])
    steps = [PreventionStepFactory(code="N1"), PreventionStepFactory(code="I1")]
    resolution = ResolutionFactory(symbol="S/RES/1674 (2006)")
    resolution.states.add(states[0], states[1])
    organisations = [OrganisationFactory(), OrganisationFactory(country=states[0])]
    commitments = []
    for index in range(size):
        commitment = CommitmentFactory(
            state=states[index % 3],
            step=steps[index % 2],
            pledged_on=datetime.date(2024, 1, 1),
        )
        commitment.resolutions.add(resolution)
        first = ProgressUpdateFactory(
            commitment=commitment, reported_on=datetime.date(2024, 6, 1), status=Status.LIMITED
        )
        Evidence.objects.create(update=first, kind="link", title="Report", url="https://e.org/r")
        ProgressUpdateFactory(
            commitment=commitment,
            reported_on=datetime.date(2024, 6, 2),
            status=Status.SUBSTANTIAL,
            corrects=first,
        )
        # Independent scrutiny: two organisations, a correction, evidence, a reply, a dispute
        # and a rejected assessment (never shown) on every commitment.
        assessed = AssessmentFactory(commitment=commitment, organisation=organisations[0])
        AssessmentEvidence.objects.create(
            assessment=assessed, kind="link", title="Shadow report", url="https://e.org/s"
        )
        AssessmentReplyFactory(assessment=assessed)
        AssessmentFactory(
            commitment=commitment,
            organisation=organisations[0],
            corrects=assessed,
            status=Status.COMPLETE,
            disputed_at=timezone.now(),
            dispute_reason="Disputed.",
        )
        AssessmentFactory(commitment=commitment, organisation=organisations[1])
        AssessmentFactory(
            commitment=commitment, organisation=organisations[1], moderation=Moderation.REJECTED
        )
        commitments.append(commitment)
    return {"commitment": commitments[-1], "resolution": resolution}


# (url name, kwargs, ceiling, what the page queries besides the shared ones)
PAGES = [
    # version + coverage (States with focal-point flag) + reference figure + by status + by
    # level + by step (these three from the commitment tallies) + overdue + per quarter (the
    # update tallies) + recent updates + State tiles (their overdue counts are the overdue
    # figure's) = 10, plus the demo flag, plus the reporting trend: the review tallies, and
    # the open reviews with those answered after today (one query).
    ("tracker:dashboard", {}, 10 + DEMO_FLAG + 2),
    # version + the annotated States list.
    ("tracker:states", {}, 2 + DEMO_FLAG),
    # State + focal point appointments + commitments + memberships + review record +
    # resolutions + documented practice + recent updates; the reporting trend: version, the
    # State's commitments and their effective updates (replayed).
    ("tracker:state", {"code": "GHA"}, 8 + DEMO_FLAG + 3),
    # the dashboard's 10 for the group (its States table is the tiles' list).
    ("tracker:region", {"slug": "african"}, 10 + DEMO_FLAG),
    # version + count (paginator) + the page of commitments (State, step, latest update joined)
    # + one query per facet (tracker.facets.FACETS: 11, each applying the other filters).
    ("tracker:commitments", {}, 3 + DEMO_FLAG + FACET_QUERIES),
    # commitment (+State, step, latest update) + resolutions + channels + updates (+corrected)
    # + evidence + revisions of its terms + translations of the narratives.
    # + published assessments (+organisation, country, reply) + their evidence (issue 10).
    ("tracker:commitment", "commitment", 9 + DEMO_FLAG),
    # years for the filter + version + count + page + the States of the page's resolutions.
    ("tracker:resolutions", {}, 5 + DEMO_FLAG),
    # resolution + latest change of its commitments + its States + count + page of commitments.
    ("tracker:resolution", "resolution", 5 + DEMO_FLAG),
    # version + the annotated steps.
    ("tracker:steps", {}, 2 + DEMO_FLAG),
    # step + channels + risk factors + status breakdown (with latest change) + documented
    # practice + count + page.
    ("tracker:step", {"code": "N1"}, 7 + DEMO_FLAG),
    # version + the ledger head.
    ("tracker:data", {}, 2 + DEMO_FLAG),
    # version + count + the page of assessments (commitment, State, organisation and reply
    # joined) + the approved organisations of the filter's select.
    ("tracker:assessments", {}, 4 + DEMO_FLAG),
]


# Every filter of the commitments list at once (tracker.api.filters.CommitmentFilter).
ALL_FILTERS = (
    "member_state=gha,dnk&regional_group=african&status=limited,substantial&basis=political"
    "&channel=upr&source_kind=ga-dialogue&step=N1&level=national&risk_factor=1&overdue=false"
    "&days_overdue_min=3&target_missed=false&pledged_from=2000-01-01&pledged_until=2030-01-01"
    "&reported_from=2000-01-01&reported_until=2030-01-01&has_evidence=true&is_demo=false"
    "&independently_assessed=true&disagrees=true&q=a"
)


@pytest.mark.parametrize("size", [5, 50])
def test_every_filter_at_once_costs_the_same_queries_whatever_the_data(
    client, django_assert_max_num_queries, size
):
    build(size)
    # At most as the unfiltered list: the filters are conditions (EXISTS for channels, risk
    # factors and evidence) of the same queries, never queries of their own.
    with django_assert_max_num_queries(3 + DEMO_FLAG + FACET_QUERIES):
        response = client.get(reverse("tracker:commitments") + "?" + ALL_FILTERS)
    assert response.status_code == 200
    assert not response.context["filterset"].form.errors


@pytest.mark.parametrize("size", [5, 50])
def test_every_filter_at_once_on_the_api_costs_the_same_queries(
    client, django_assert_max_num_queries, size
):
    build(size)
    query = ALL_FILTERS.replace("&q=a", "&search=a")
    # At most as the unfiltered list (tests/tracker/test_api_queries.py): (1) validators,
    # (2) latest change of States and steps, (3) keys, (4) rows, (5) channels, (6) resolutions.
    with django_assert_max_num_queries(6):
        response = client.get("/api/v1/commitments/?" + query)
    assert response.status_code == 200, response.content


def _kwargs(kwargs, objects):
    if kwargs == "commitment":
        return {"pk": objects["commitment"].pk}
    if kwargs == "resolution":
        return {"pk": objects["resolution"].pk}
    return kwargs


@pytest.mark.parametrize("size", [5, 50])
@pytest.mark.parametrize("name,kwargs,ceiling", PAGES, ids=[p[0] for p in PAGES])
def test_public_page_queries_do_not_grow_with_the_data(
    client, django_assert_max_num_queries, size, name, kwargs, ceiling
):
    objects = build(size)
    assert ceiling <= 15 + (FACET_QUERIES if name == "tracker:commitments" else 0)
    url = reverse(name, kwargs=_kwargs(kwargs, objects))
    with django_assert_max_num_queries(ceiling):
        response = client.get(url)
    assert response.status_code == 200


CSV_EXPORTS = [
    # the States, one streamed query (server-side chunks of 2,000 rows)
    ("/states/?format=csv", 1),
    # the commitments with State, step and latest update joined; their channels and resolutions
    # (prefetched per chunk: every public field is in the CSV)
    ("/commitments/?format=csv", 3),
    # the annotated steps, their channels and risk factors (every public field: the
    # secretariat imports the file back)
    ("/steps/?format=csv", 3),
    # the State, its commitments, their channels and resolutions (prefetched per chunk)
    ("/states/GHA/?format=csv", 4),
    # the years of the filter form, the resolutions, their States (prefetched per chunk)
    ("/resolutions/?format=csv", 3),
    # the commitment, its updates, their evidence and translations (prefetched per chunk)
    ("commitment", 4),
    # the published assessments with commitment, State, organisation and reply joined
    ("/assessments/?format=csv", 1),
]


@pytest.mark.parametrize("size", [5, 50])
@pytest.mark.parametrize("url,ceiling", CSV_EXPORTS, ids=[c[0] for c in CSV_EXPORTS])
def test_csv_export_queries_do_not_grow_with_the_data(
    client, django_assert_max_num_queries, size, url, ceiling
):
    objects = build(size)
    if url == "commitment":
        url = objects["commitment"].get_absolute_url() + "?format=csv"
    with django_assert_max_num_queries(ceiling):
        response = client.get(url)
        b"".join(response.streaming_content)


@pytest.mark.parametrize("size", [5, 50])
@pytest.mark.parametrize(
    ("url", "ceiling"), [("/updates.atom", 4), ("/states/GHA/updates.atom", 5)]
)
def test_feed_queries_do_not_grow_with_the_data(
    client, django_assert_max_num_queries, size, url, ceiling
):
    build(size)
    # The State (per-State feed) + the latest updates with commitment and State joined + the
    # latest revisions, published assessments (with their organisation) and replies, each
    # joined the same way.
    with django_assert_max_num_queries(ceiling):
        client.get(url)


def test_warm_dashboard_costs_one_query(client, django_assert_num_queries):
    build(5)
    client.get("/")
    # data_version(); the figures and the demo flag come from the cache.
    with django_assert_num_queries(1):
        client.get("/")
