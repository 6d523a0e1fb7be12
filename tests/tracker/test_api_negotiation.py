"""Content negotiation of the API (tracker/api/renderers.py): the shortcut for requests that
accept anything answers exactly as DRF's negotiation does, for every list's renderers."""

import pytest
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from tracker.api.renderers import StrictContentNegotiation
from tracker.api.urls import router

# The router's lists, and the JSON-only views (search, figures, the ledger).
RENDERER_LISTS = sorted(
    {tuple(viewset.renderer_classes) for _prefix, viewset, _basename in router.registry}
    | {(JSONRenderer,)},
    key=repr,
)
ACCEPTS = [
    None,
    "*/*",
    "application/json",
    "text/csv",
    "application/jsonl",
    "application/json; indent=4",
    "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
]


# ?format= of each offered format (another is refused with 406, where DRF answers 404).
CASES = [
    (renderer_classes, accept, query)
    for renderer_classes in RENDERER_LISTS
    for accept in ACCEPTS
    for query in ["", *(f"?format={cls.format}" for cls in renderer_classes)]
]


@pytest.mark.parametrize(("renderer_classes", "accept", "query"), CASES, ids=repr)
def test_the_shortcut_answers_as_drf_does(renderer_classes, accept, query):
    renderers = [cls() for cls in renderer_classes]
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}

    def choice(negotiation):
        request = Request(APIRequestFactory().get(f"/api/v1/x/{query}", **headers))
        try:
            renderer, media_type = negotiation.select_renderer(request, renderers)
        except Exception as error:  # the same refusal is the same answer
            return type(error).__name__
        return type(renderer), media_type

    assert choice(StrictContentNegotiation()) == choice(DefaultContentNegotiation())


def test_the_shortcut_is_taken_for_requests_that_accept_anything(monkeypatch):
    def parse(*args, **kwargs):
        raise AssertionError("media types parsed")

    monkeypatch.setattr(DefaultContentNegotiation, "get_accept_list", parse)
    renderers = [cls() for cls in RENDERER_LISTS[0]]
    for headers in ({}, {"HTTP_ACCEPT": "*/*"}, {"HTTP_ACCEPT": renderers[0].media_type}):
        request = Request(APIRequestFactory().get("/api/v1/x/", **headers))
        renderer, media_type = StrictContentNegotiation().select_renderer(request, renderers)
        assert renderer is renderers[0] and media_type == renderers[0].media_type
