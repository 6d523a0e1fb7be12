"""Follow and be told: the public form (no account), and the pages reached from the e-mails by
a signed link (confirm, manage, unsubscribe). Every answer to the form is the same whether or
not the address is known, and nothing here shows an address."""

import hashlib
import logging

from django.conf import settings
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from commitments.follows import selectors, services, tasks
from commitments.follows.services import CONFIRM, MANAGE
from focalpoints.clients import client_ip, rate_hit, too_many_requests
from tracker.follow_forms import FollowerPreferencesForm, FollowForm

logger = logging.getLogger(__name__)
INVALID = "tracker/follows/invalid_link.html"


@require_http_methods(["GET", "POST"])
def follow(request):
    """The follow form (also included on State, commitment and step pages, which post here)."""
    if request.method == "GET":
        form = FollowForm(initial=request.GET.dict())
        return render(request, "tracker/follows/follow.html", {"form": form})
    allowed, wait = rate_hit(f"follow-ip:{client_ip(request)}", settings.FOLLOW_PER_IP)
    if not allowed:
        return too_many_requests(request, wait)
    form = FollowForm(request.POST)
    if not form.is_valid():
        return render(request, "tracker/follows/follow.html", {"form": form}, status=400)
    address = services.normalise_email(form.cleaned_data["email"])
    digest = hashlib.sha256(address.encode()).hexdigest()[:32]
    allowed, _wait = rate_hit(f"follow-address:{digest}", settings.FOLLOW_PER_ADDRESS)
    if allowed:
        result = services.follow_request(
            email=address,
            frequency=form.cleaned_data["frequency"],
            language=translation.get_language(),
            **form.cleaned_data["target"],
        )
        if result.send_confirmation:
            tasks.send_follow_confirmation.delay_on_commit(result.follower_id)
    else:
        logger.warning("follow not recorded: too many for this address", extra={"hash": digest})
    return redirect("tracker:follow_requested")


def follow_requested(request):
    return render(request, "tracker/follows/requested.html")


def _with_follower(purpose: str):
    """Views reached by a signed link: the follower it names, in their language; a forged,
    tampered or expired link gets a 404 page that says so."""

    def decorator(view):
        def wrapped(request, token):
            follower = services.follower_from_token(token, purpose)
            if follower is None:
                return render(request, INVALID, status=404)
            with translation.override(follower.language):
                return view(request, follower, token)

        wrapped.__name__ = view.__name__
        wrapped.__doc__ = view.__doc__
        return wrapped

    return decorator


@require_http_methods(["GET", "POST"])
@_with_follower(CONFIRM)
def follow_confirm(request, follower, token):
    """GET lists what is waiting for confirmation (mail scanners open links: nothing changes);
    the button POSTs the listed follows."""
    pending = list(services.pending_follows(follower))
    if request.method == "POST":
        ids = [int(v) for v in request.POST.getlist("follow") if v.isdigit()]
        services.follows_confirm(follower=follower, follow_ids=ids)
        return redirect("tracker:follow_manage", token=services.follower_token(follower, MANAGE))
    return render(request, "tracker/follows/confirm.html", {"pending": pending, "token": token})


@require_http_methods(["GET", "POST"])
@_with_follower(MANAGE)
def follow_manage(request, follower, token):
    """Change how often and in which language; stop following an item; confirm follows
    still waiting."""
    form = FollowerPreferencesForm(
        request.POST if request.POST.get("action") == "preferences" else None,
        initial={"frequency": follower.frequency, "language": follower.language},
    )
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "preferences" and form.is_valid():
            services.follower_preferences_set(follower=follower, **form.cleaned_data)
            return redirect(request.path + "?saved=1")
        if action == "unfollow" and request.POST.get("follow", "").isdigit():
            services.follow_remove(follower=follower, follow_id=int(request.POST["follow"]))
            return redirect(request.path + "?saved=1")
        if action == "confirm":
            ids = [int(v) for v in request.POST.getlist("follow") if v.isdigit()]
            services.follows_confirm(follower=follower, follow_ids=ids)
            return redirect(request.path + "?saved=1")
    follows = list(selectors.follower_follows(follower))
    context = {
        "form": form,
        "active": [f for f in follows if f.confirmed_at],
        "pending": [f for f in follows if not f.confirmed_at],
        "follower": follower,
        "saved": request.GET.get("saved") == "1",
        "unsubscribe_token": token,
    }
    return render(request, "tracker/follows/manage.html", context)


# Signed links are the credential here (unguessable, per follower), and mail clients send
# RFC 8058 one-click unsubscribe POSTs without any cookie: CSRF protection adds nothing.
@csrf_exempt
@require_http_methods(["GET", "POST"])
@_with_follower(MANAGE)
def follow_unsubscribe(request, follower, token):
    """GET asks (a confirm button); any POST — the button, or a mail client's
    ``List-Unsubscribe=One-Click`` — unsubscribes from everything."""
    if request.method == "POST":
        services.follower_unsubscribe(follower=follower)
        return render(request, "tracker/follows/unsubscribed.html")
    return render(request, "tracker/follows/unsubscribe.html", {"token": token})
