"""The follow e-mails (FOLLOW_CONFIRMATION_EMAIL, FOLLOW_DIGEST_EMAIL), composed here because
they link to public pages: in the follower's language, each with a signed one-click
unsubscribe link, also as RFC 8058 ``List-Unsubscribe`` / ``List-Unsubscribe-Post`` headers."""

from django.conf import settings
from django.urls import reverse

from commitments.emails import compose_email
from commitments.follows import services
from commitments.follows.services import CONFIRM, MANAGE, FollowDigest


def follow_url(name: str, follower, purpose: str) -> str:
    token = services.follower_token(follower, purpose)
    return settings.SITE_URL + reverse(f"tracker:{name}", kwargs={"token": token})


def _links(follower) -> tuple[dict, dict]:
    links = {
        "manage_url": follow_url("follow_manage", follower, MANAGE),
        "unsubscribe_url": follow_url("follow_unsubscribe", follower, MANAGE),
    }
    headers = {
        "List-Unsubscribe": f"<{links['unsubscribe_url']}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    return links, headers


def confirmation_message(follower, follows, *, connection=None):
    """Double opt-in: what was asked, and the signed link to confirm it."""
    links, headers = _links(follower)
    items = [
        {"follow": follow, "url": settings.SITE_URL + follow.item.get_absolute_url()}
        for follow in follows
    ]
    return compose_email(
        "tracker/emails/follow_confirmation",
        {
            "items": items,
            "confirm_url": follow_url("follow_confirm", follower, CONFIRM),
            "max_age_days": settings.FOLLOW_CONFIRM_LINK_MAX_AGE_DAYS,
            **links,
        },
        to=follower.email,
        language=follower.language,
        headers=headers,
        connection=connection,
    )


def digest_message(digest: FollowDigest, *, connection=None):
    """The daily or weekly digest: each event with a link to its public page."""
    follower = digest.follower
    links, headers = _links(follower)
    items = [{"item": item, "url": settings.SITE_URL + item.path} for item in digest.items]
    return compose_email(
        "tracker/emails/follow_digest",
        {"follower": follower, "items": items, "today": digest.today, **links},
        to=follower.email,
        language=follower.language,
        headers=headers,
        connection=connection,
    )
