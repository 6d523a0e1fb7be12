"""The follow pages: the form on State, commitment and step pages, the same answer whatever
the address, rate limits, the double opt-in page, one-click unsubscribe (RFC 8058) and the
manage page; and follower addresses on no public surface."""

import io
import re
import zipfile

import pytest
from django.core import mail
from django.test import Client

from commitments.follows import services
from commitments.follows.models import Follow, Follower, FollowNotice
from commitments.follows.services import CONFIRM, MANAGE
from tests.commitments.follow_helpers import follower, job_day
from tests.factories import ProgressUpdateFactory
from tests.tracker.test_privacy import body, public_urls
from tests.tracker.test_privacy import world as world

pytestmark = pytest.mark.django_db

FOLLOW = "/follow/"


def ask(client, email="reader@example.org", **target):
    data = {"email": email, "frequency": "daily", **target}
    return client.post(FOLLOW, data)


def link_in(message, kind: str) -> str:
    return re.search(rf"http://[^\s\"<>]+/follow/{kind}/[^\s\"<>]+/", message.body).group(0)


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


# --- The form -----------------------------------------------------------------------------------


def test_the_state_commitment_and_step_pages_carry_the_follow_form(client, commitment_a):
    pages = {
        f"/states/{commitment_a.state_id}/": ("state", commitment_a.state_id),
        commitment_a.get_absolute_url(): ("commitment", str(commitment_a.pk)),
        commitment_a.step.get_absolute_url(): ("step", commitment_a.step.code),
    }
    for url, (name, value) in pages.items():
        html = client.get(url).content.decode()
        assert f'action="{FOLLOW}"' in html, url
        assert f'name="{name}" value="{value}"' in html, url
        assert 'type="email" name="email"' in html and "<label" in html


def test_following_sends_one_confirmation_and_records_an_inactive_follow(
    client, commitment_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = ask(client, commitment=commitment_a.pk)
    assert response.status_code == 302 and response["Location"] == "/follow/requested/"
    assert Follow.objects.get().confirmed_at is None
    (message,) = mail.outbox
    assert message.to == ["reader@example.org"] and commitment_a.title in message.body
    assert "List-Unsubscribe" in message.extra_headers


def test_the_answer_is_the_same_for_a_new_a_pending_and_a_confirmed_address(client, commitment_a):
    follower("known@example.org", commitment=commitment_a)
    ask(client, "pending@example.org", commitment=commitment_a.pk)
    answers = [
        ask(client, email, commitment=commitment_a.pk)
        for email in ("new@example.org", "pending@example.org", "known@example.org")
    ]
    assert {(r.status_code, r["Location"]) for r in answers} == {(302, "/follow/requested/")}
    page = client.get("/follow/requested/").content.decode()
    assert "known@example.org" not in page and "Check your inbox" in page


def test_a_bad_address_or_target_is_a_clear_form_error(client, commitment_a):
    response = ask(client, "not-an-address", commitment=commitment_a.pk)
    assert response.status_code == 400 and "Enter a valid email address." in response.text
    response = ask(client, commitment=999999)
    assert response.status_code == 400 and "nothing to follow" in response.text
    response = ask(client, commitment=commitment_a.pk, state=commitment_a.state_id)
    assert response.status_code == 400 and "Choose one" in response.text
    assert not Follower.objects.exists()


def test_the_form_is_limited_per_client_address(client, settings, commitment_a):
    settings.FOLLOW_PER_IP = "3/hour"
    statuses = [
        ask(client, f"p{n}@example.org", commitment=commitment_a.pk).status_code for n in range(5)
    ]
    assert statuses == [302, 302, 302, 429, 429]
    assert Follower.objects.count() == 3


def test_past_the_per_address_limit_the_answer_is_the_same_and_nothing_is_recorded(
    client, settings, commitment_a, state_a
):
    settings.FOLLOW_PER_ADDRESS = "1/hour"
    ask(client, commitment=commitment_a.pk)
    response = ask(client, state=state_a.code)
    assert response.status_code == 302 and response["Location"] == "/follow/requested/"
    assert Follow.objects.count() == 1


def test_requests_again_the_same_day_send_no_second_confirmation(
    client, commitment_a, state_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, commitment=commitment_a.pk)
        ask(client, state=state_a.code)
        ask(client, step=commitment_a.step.code)
    assert len(mail.outbox) == 1 and Follow.objects.count() == 3


# --- Confirm, manage, unsubscribe ---------------------------------------------------------------


def test_opening_the_confirmation_link_changes_nothing_the_button_confirms(
    client, commitment_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        ask(client, commitment=commitment_a.pk)
    url = path_of(link_in(mail.outbox[0], "confirm"))
    page = client.get(url)
    assert page.status_code == 200 and commitment_a.title in page.text
    assert Follow.objects.get().confirmed_at is None
    response = client.post(url, {"follow": [Follow.objects.get().pk]})
    assert response.status_code == 302 and "/follow/manage/" in response["Location"]
    assert Follow.objects.get().confirmed_at is not None
    assert Follower.objects.get().confirmed_at is not None


def test_a_tampered_link_is_refused(client, commitment_a):
    person = follower(commitment=commitment_a)
    token = services.follower_token(person, MANAGE)
    bad = token[:-2] + ("xx" if not token.endswith("xx") else "yy")
    for kind in ("manage", "unsubscribe"):
        assert client.get(f"/follow/{kind}/{bad}/").status_code == 404
        assert client.post(f"/follow/{kind}/{bad}/").status_code == 404
    confirm = services.follower_token(person, CONFIRM)
    assert client.get(f"/follow/manage/{confirm}/").status_code == 404  # wrong purpose
    assert Follow.objects.count() == 1 and Follower.objects.get().unsubscribed_at is None


def test_unsubscribe_get_asks_and_a_one_click_post_without_cookies_unsubscribes(commitment_a):
    person = follower(commitment=commitment_a)
    url = f"/follow/unsubscribe/{services.follower_token(person, MANAGE)}/"
    client = Client(enforce_csrf_checks=True)
    page = client.get(url)
    assert page.status_code == 200 and "<button" in page.text
    assert Follower.objects.get().unsubscribed_at is None
    # What a mail client sends for RFC 8058: a POST with this body, no cookie, no token.
    response = client.post(
        url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200 and "Unsubscribed" in response.text
    assert Follower.objects.get().unsubscribed_at is not None and not Follow.objects.exists()


def test_every_digest_links_to_working_manage_and_unsubscribe_pages(client, commitment_a):
    follower(commitment=commitment_a, language="fr")
    ProgressUpdateFactory(commitment=commitment_a)
    services.follows_daily_job(today=job_day())
    (message,) = mail.outbox
    header = message.extra_headers["List-Unsubscribe"].strip("<>")
    assert header == link_in(message, "unsubscribe")
    manage = client.get(path_of(link_in(message, "manage")))
    assert manage.status_code == 200 and 'lang="fr"' in manage.text
    assert "reader@example.org" not in manage.text


def test_the_manage_page_changes_frequency_and_unfollows(client, commitment_a, commitment_b):
    person = follower(commitment=[commitment_a, commitment_b])
    url = f"/follow/manage/{services.follower_token(person, MANAGE)}/"
    page = client.get(url)
    assert commitment_a.title in page.text and commitment_b.title in page.text
    client.post(url, {"action": "preferences", "frequency": "weekly", "language": "ar"})
    person.refresh_from_db()
    assert (person.frequency, person.language) == ("weekly", "ar")
    assert 'dir="rtl"' in client.get(url).text
    gone = Follow.objects.get(commitment=commitment_a)
    client.post(url, {"action": "unfollow", "follow": gone.pk})
    assert list(Follow.objects.values_list("commitment", flat=True)) == [commitment_b.pk]


def test_one_follower_cannot_unfollow_anothers_item(client, commitment_a):
    mine = follower(commitment=commitment_a)
    theirs = follower("other@example.org", commitment=commitment_a)
    url = f"/follow/manage/{services.follower_token(mine, MANAGE)}/"
    other = Follow.objects.get(follower=theirs)
    client.post(url, {"action": "unfollow", "follow": other.pk})
    assert Follow.objects.filter(pk=other.pk).exists()


# --- Addresses are private ----------------------------------------------------------------------

SENTINEL = "sentinel.follower.7f3a@private.example"


@pytest.fixture
def followed_world(world, state_a, settings):
    commitment = world["commitment"]
    person = follower(SENTINEL, state=state_a, commitment=commitment, step=commitment.step)
    services.follow_request(email="pending." + SENTINEL, commitment=commitment)
    ProgressUpdateFactory(commitment=commitment)
    services.follows_daily_job(today=job_day())
    assert FollowNotice.objects.filter(follower=person, outcome="sent").exists()
    return world


API_URLS = [
    "/api/v1/",
    "/api/v1/member-states/",
    "/api/v1/member-states/GHA/",
    "/api/v1/commitments/",
    "/api/v1/progress-updates/",
    "/api/v1/prevention-steps/",
    "/api/v1/focal-points/",
    "/api/v1/resolutions/",
    "/api/v1/stats/",
    "/api/v1/ledger/",
    "/api/v1/deletions/",
    "/api/schema/",
]


def test_a_followers_address_is_on_no_page_csv_feed_or_api(client, followed_world):
    urls = public_urls(followed_world) + API_URLS + [FOLLOW, "/follow/requested/"]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        text = body(response)
        assert SENTINEL not in text, f"a follower's address leaked in {url}"
        assert "@private.example" not in text, url


def test_a_followers_address_is_not_in_the_open_data_zip(client, followed_world):
    from tracker import opendata

    opendata.refresh()
    response = client.get("/data/r2p-tracker-open-data.zip")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert archive.namelist()
    for name in archive.namelist():
        assert SENTINEL not in archive.read(name).decode("utf-8"), name


def test_the_admin_shows_counts_and_masked_addresses_full_ones_to_superusers_only(
    client, followed_world, secretariat
):
    from tests.factories import UserFactory

    person = Follower.objects.get(email=SENTINEL)
    staff = UserFactory(username="staff_viewer", is_staff=True)
    from django.contrib.auth.models import Permission

    staff.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["view_follower", "view_follow", "view_follownotice"]
        )
    )
    client.force_login(staff)
    listing = client.get("/admin/commitments/follower/")
    assert listing.status_code == 200
    assert SENTINEL not in listing.text and "s***@private.example" in listing.text
    assert "1 confirmed, 1 waiting for confirmation" in listing.text
    assert SENTINEL not in client.get(f"/admin/commitments/follower/{person.pk}/change/").text
    assert SENTINEL not in client.get("/admin/commitments/follownotice/").text
    assert SENTINEL not in client.get("/admin/commitments/follow/").text
    # A partial search lists nobody; the exact address finds the row.
    assert "s***@" not in client.get("/admin/commitments/follower/?q=sentinel").text
    assert "s***@" in client.get(f"/admin/commitments/follower/?q={SENTINEL}").text
    assert "Unsubscribe the selected followers" not in listing.text  # a write: not for viewers
    client.force_login(secretariat)
    assert SENTINEL in client.get(f"/admin/commitments/follower/{person.pk}/change/").text
    response = client.post(
        "/admin/commitments/follower/",
        {"action": "unsubscribe", "_selected_action": [person.pk]},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.unsubscribed_at is not None and not person.follows.exists()


def test_anonymous_visitors_cannot_reach_the_follower_admin(client, followed_world):
    response = client.get("/admin/commitments/follower/")
    assert response.status_code == 302 and "/login/" in response["Location"]
