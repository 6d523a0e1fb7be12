"""Limits that cannot be walked around: the API's throttles, and the public pages' expensive
requests (full CSV downloads, the open-data zip, text search), count the client's real
address — a forged X-Forwarded-For gains nothing — and answer 429 with Retry-After."""

import pytest
from django.conf import settings
from django.test import override_settings

API = "/api/v1/"


def rates(**overrides):
    return override_settings(
        REST_FRAMEWORK={
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": {
                **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
                **overrides,
            },
        }
    )


def forged(n: int) -> dict:
    """A different made-up X-Forwarded-For on every request."""
    return {"HTTP_X_FORWARDED_FOR": f"198.51.100.{n}"}


@pytest.mark.django_db
@pytest.mark.parametrize("num_proxies", [0, 1])
def test_a_forged_forwarded_header_gains_no_fresh_api_allowance(client, num_proxies):
    """With no proxy the header is ignored; behind one proxy only the entry it appended
    counts, so the client's own entries (left of it) change nothing."""
    with rates(anon="3/day"), override_settings(NUM_PROXIES=num_proxies):
        statuses = []
        for n in range(5):
            headers = forged(n)
            if num_proxies:  # what nginx sends: the client's header, then the peer it saw
                headers["HTTP_X_FORWARDED_FOR"] += ", 203.0.113.7"
            statuses.append(client.get(API + "member-states/", **headers).status_code)
    assert statuses == [200, 200, 200, 429, 429]


@pytest.mark.django_db
def test_behind_a_proxy_two_real_clients_have_separate_allowances(client):
    with rates(anon="2/day"), override_settings(NUM_PROXIES=1):
        first = [
            client.get(API + "member-states/", HTTP_X_FORWARDED_FOR="203.0.113.7").status_code
            for _ in range(3)
        ]
        other = client.get(API + "member-states/", HTTP_X_FORWARDED_FOR="203.0.113.8")
    assert first == [200, 200, 429]
    assert other.status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        "/commitments/?format=csv",
        "/states/?format=csv",
        "/resolutions/?format=csv",
        "/steps/?format=csv",
    ],
)
def test_full_csv_downloads_are_limited_per_client_with_retry_after(client, url):
    with rates(downloads="2/day"):
        statuses = [client.get(url, **forged(n)).status_code for n in range(2)]
        refused = client.get(url, **forged(9))
    assert statuses == [200, 200]
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 86400
    assert "text/html" in refused["Content-Type"]
    assert b"Too many requests" in refused.content


@pytest.mark.django_db
def test_the_download_allowance_is_shared_across_lists_and_the_zip(client):
    with rates(downloads="2/day"):
        assert client.get("/commitments/?format=csv").status_code == 200
        assert client.get("/states/?format=csv").status_code == 200
        assert client.get("/data/r2p-tracker-open-data.zip").status_code == 429


@pytest.mark.django_db
def test_the_html_pages_are_not_counted_as_downloads(client):
    with rates(downloads="1/day"):
        statuses = [client.get("/commitments/").status_code for _ in range(5)]
        assert client.get("/commitments/?format=csv").status_code == 200
    assert statuses == [200] * 5


@pytest.mark.django_db
def test_text_search_is_limited_per_client_on_pages_and_api_together(client):
    with rates(search="3/day", anon="100/day"):
        assert client.get("/commitments/?q=plan").status_code == 200
        assert client.get("/states/?q=gha").status_code == 200
        assert client.get(API + "commitments/?search=plan").status_code == 200
        refused_page = client.get("/resolutions/?q=syria", **forged(1))
        refused_api = client.get(API + "resolutions/?search=syria")
        unsearched = client.get("/resolutions/")
    assert refused_page.status_code == 429
    assert int(refused_page["Retry-After"]) > 0
    assert refused_api.status_code == 429
    assert refused_api.json()["code"] == "throttled"
    assert int(refused_api["Retry-After"]) > 0
    assert unsearched.status_code == 200


@pytest.mark.django_db
def test_the_limits_are_counted_in_the_shared_cache(client):
    """Every web process reads the same counter: it lives in the cache (Redis in
    production), not in the process."""
    import time

    from django.core.cache import cache

    with rates(downloads="5/day"), override_settings(NUM_PROXIES=0):
        client.get("/states/?format=csv", REMOTE_ADDR="203.0.113.50")
        client.get("/states/?format=csv", REMOTE_ADDR="203.0.113.50")
    window = int(time.time() // 86400)
    assert cache.get(f"throttle_downloads_203.0.113.50:{window}") == 2
