"""Public pages: no log-in needed. Each view parses its input, calls a selector or
``tracker.stats``, and renders (or streams a CSV). Nothing here computes a figure."""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import get_language_bidi

from commitments import ledger
from commitments.evidence import document_response
from commitments.models import (
    AssessmentEvidence,
    Commitment,
    Evidence,
    Moderation,
    PreventionStep,
    Resolution,
    RiskFactor,
)
from commitments.selectors import review_today
from focalpoints.clients import too_many_requests
from focalpoints.models import MemberState, RegionalGroup
from tracker import charts, exports, facets, opendata, selectors, stats, tasks
from tracker.forms import (
    ReportingPeriodForm,
    ResolutionFilterForm,
    SearchForm,
    StateFilterForm,
)
from tracker.limits import csv_and_search_limited, csv_limited, download_limited

PAGE_SIZE = 50


def _last_changed():
    return stats.data_version()["last_changed"]


def _page(request, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def dashboard(request):
    today = review_today()
    figures = stats.dashboard(today=today)
    context = {
        "figures": figures,
        "trend": stats.reporting_trend(today=today, quarters=4, version=figures["version"]),
        "charts": charts.dashboard_charts(figures, rtl=get_language_bidi()),
        "last_changed": figures["last_changed"],
    }
    return render(request, "tracker/dashboard.html", context)


def accountability(request):
    version = stats.data_version()
    figures = stats.accountability(today=review_today(), version=version["key"])
    context = {"figures": figures, "last_changed": version["last_changed"]}
    return render(request, "tracker/accountability.html", context)


# The CSVs of the reporting-cycle page: ?format=csv&table=<name>.
CYCLE_TABLES = {
    "commitments": ("commitments", exports.cycle_commitment_columns),
    "states": ("states", exports.cycle_state_columns),
    "groups": ("groups", exports.cycle_group_columns),
}


@csv_limited
def reporting(request):
    today = review_today()
    form = ReportingPeriodForm(request.GET)
    start, end = form.bounds(today)
    version = stats.data_version()
    as_csv = request.GET.get("format") == "csv"
    figures = stats.reporting(
        start=start, end=end, today=today, commitments=as_csv, version=version["key"]
    )
    cycle, trend = figures["cycle"], figures["trend"]
    if as_csv:
        table = request.GET.get("table", "commitments")
        if table == "trend":
            return exports.csv_response(
                "reporting-trend.csv", exports.cycle_trend_columns(), trend["rows"]
            )
        key, columns = CYCLE_TABLES.get(table, CYCLE_TABLES["commitments"])
        return exports.csv_response(f"reporting-{start}-{end}-{key}.csv", columns(), cycle[key])
    context = {
        "form": form,
        "cycle": cycle,
        "trend": trend,
        "last_changed": version["last_changed"],
    }
    return render(request, "tracker/reporting.html", context)


@csv_and_search_limited
def states(request):
    form = StateFilterForm(request.GET)
    rows = selectors.states_list(today=review_today(), **form.selector_kwargs())
    if request.GET.get("format") == "csv":
        return exports.csv_response("states.csv", exports.state_columns(), rows)
    context = {"form": form, "states": rows, "last_changed": _last_changed()}
    return render(request, "tracker/states.html", context)


@csv_limited
def state(request, code):
    today = review_today()
    if request.GET.get("format") == "csv":
        found = get_object_or_404(MemberState, code=code.upper())
        rows = selectors.public_commitments(state=found.code)
        return exports.commitments_csv_response(f"commitments-{found.code}.csv", rows, today=today)
    try:
        profile = selectors.state_profile(code, today=today)
    except MemberState.DoesNotExist:
        raise Http404 from None
    trend = stats.reporting_trend(today=today, quarters=4, state=profile["state"].code)
    return render(request, "tracker/state.html", {**profile, "today": today, "trend": trend})


def region(request, slug):
    if slug not in RegionalGroup.values:
        raise Http404
    today = review_today()
    figures = stats.dashboard(today=today, regional_group=slug)
    context = {
        "group": RegionalGroup(slug),
        "figures": figures,
        "charts": charts.dashboard_charts(figures, rtl=get_language_bidi()),
        "states": figures["tiles"]["groups"][0]["states"],
        "last_changed": figures["last_changed"],
    }
    return render(request, "tracker/region.html", context)


@csv_and_search_limited
def commitments(request):
    today = review_today()
    search = SearchForm(request.GET)
    base = selectors.public_commitments(search=search.filters().get("q", ""))
    filterset = facets.web_filterset(request.GET, base)
    rows = facets.filtered_commitments(filterset)
    if request.GET.get("format") == "csv":
        return exports.commitments_csv_response("commitments.csv", rows, today=today)
    context = {
        "form": search,
        "filterset": filterset,
        "facets": facets.facet_counts(request.GET, base, today=today),
        "web_inputs": facets.WEB_INPUTS,
        "page": _page(request, rows),
        "today": today,
        "last_changed": _last_changed(),
    }
    return render(request, "tracker/commitments.html", context)


@csv_limited
def commitment(request, pk):
    today = review_today()
    if request.GET.get("format") == "csv":
        found = get_object_or_404(Commitment, pk=pk)
        rows = selectors.commitment_updates(found.pk)
        return exports.csv_response(f"commitment-{pk}-updates.csv", exports.update_columns(), rows)
    try:
        detail = selectors.commitment_detail(pk, today=today)
    except Commitment.DoesNotExist:
        raise Http404 from None
    return render(request, "tracker/commitment.html", detail)


@csv_and_search_limited
def resolutions(request):
    form = ResolutionFilterForm(request.GET, years=selectors.resolution_years())
    rows = selectors.resolutions_list(**form.selector_kwargs()).prefetch_related("states")
    if request.GET.get("format") == "csv":
        return exports.csv_response("resolutions.csv", exports.resolution_columns(), rows)
    context = {"form": form, "page": _page(request, rows), "last_changed": _last_changed()}
    return render(request, "tracker/resolutions.html", context)


@csv_limited
def resolution(request, pk):
    today = review_today()
    try:
        detail = selectors.resolution_detail(pk, today=today)
    except Resolution.DoesNotExist:
        raise Http404 from None
    if request.GET.get("format") == "csv":
        filename = f"resolution-{pk}-commitments.csv"
        return exports.commitments_csv_response(filename, detail["commitments"], today=today)
    context = {**detail, "page": _page(request, detail["commitments"]), "today": today}
    return render(request, "tracker/resolution.html", context)


@csv_limited
def steps(request):
    today = review_today()
    level = request.GET.get("level", "")
    rows = selectors.steps_list(today=today, level=level)
    if request.GET.get("format") == "csv":
        return exports.csv_response("prevention-steps.csv", exports.step_columns(), rows)
    context = {"steps": rows, "level": level, "last_changed": _last_changed()}
    return render(request, "tracker/steps.html", context)


@csv_limited
def step(request, code):
    today = review_today()
    try:
        detail = selectors.step_detail(code, today=today)
    except PreventionStep.DoesNotExist:
        raise Http404 from None
    if request.GET.get("format") == "csv":
        filename = f"step-{detail['step'].code}-commitments.csv"
        return exports.commitments_csv_response(filename, detail["commitments"], today=today)
    context = {**detail, "page": _page(request, detail["commitments"]), "today": today}
    return render(request, "tracker/step.html", context)


def risk_factors(request):
    rows = selectors.risk_factors_list(today=review_today())
    return render(
        request, "tracker/risk_factors.html", {"factors": rows, "last_changed": _last_changed()}
    )


@csv_limited
def risk_factor(request, number):
    today = review_today()
    try:
        detail = selectors.risk_factor_detail(number, today=today)
    except RiskFactor.DoesNotExist:
        raise Http404 from None
    if request.GET.get("format") == "csv":
        filename = f"risk-factor-{number}-commitments.csv"
        return exports.commitments_csv_response(filename, detail["commitments"], today=today)
    context = {**detail, "page": _page(request, detail["commitments"]), "today": today}
    return render(request, "tracker/risk_factor.html", context)


def open_data(request):
    version = stats.data_version()
    release = opendata.current_release()
    context = {
        "tables": exports.TABLES,
        "licence": {
            "id": exports.LICENCE_ID,
            "title": exports.LICENCE_TITLE,
            "url": exports.LICENCE_URL,
        },
        "release": release,
        "release_is_current": release is not None and release.version == version["key"],
        "data_version": version["key"],
        "last_changed": version["last_changed"],
        "ledger_head": ledger.head(),
        "ledger_feed": reverse("tracker:ledger_feed"),
    }
    return render(request, "tracker/data.html", context)


@download_limited
def open_data_zip(request):
    """The published zip (built ahead of time by a Celery task: nothing is built here)."""
    release = opendata.current_release()
    if release is None:
        tasks.refresh_open_data.delay()
        return too_many_requests(request, 60, status=503, template="tracker/data_preparing.html")
    return opendata.release_response(release)


def evidence_document(request, pk, filename):
    """A published evidence document. Evidence rows exist only for published updates (drafts
    keep their documents apart, in the author's session), so a row is public by existing. The
    name in the URL is cosmetic; the download is named after the document's title."""
    evidence = get_object_or_404(Evidence.objects.filter(kind=Evidence.Kind.FILE), pk=pk)
    return document_response(
        name=evidence.file.name,
        content_type=evidence.content_type or "application/octet-stream",
        filename=evidence.download_name,
        public=True,
    )


def assessment_evidence_document(request, pk, filename):
    """A document supporting a published independent assessment. Unlike progress evidence, an
    assessment's evidence exists before publication (while it is moderated): only that of a
    published assessment is served here, to anyone (the organisation and the moderators read
    the others in the workspace)."""
    evidence = get_object_or_404(
        AssessmentEvidence.objects.filter(
            kind=AssessmentEvidence.Kind.FILE, assessment__moderation=Moderation.PUBLISHED
        ),
        pk=pk,
    )
    return document_response(
        name=evidence.file.name,
        content_type=evidence.content_type or "application/octet-stream",
        filename=evidence.download_name,
        public=True,
    )
