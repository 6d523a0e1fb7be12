"""Reminder pages: the secretariat's reminder log, and the reminder preferences a person
reaches through the signed link in every reminder (no log-in needed)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from commitments.models import Reminder
from commitments.reminders import selectors as reminder_selectors
from commitments.reminders import services as reminder_services
from commitments.reminders.tasks import enqueue_delivery
from commitments.selectors import review_today
from focalpoints.permissions import is_secretariat
from workspace.reminder_forms import ReminderPreferencesForm

STAFF_TABS = [
    Reminder.Outcome.PENDING,
    Reminder.Outcome.FAILED,
    Reminder.Outcome.SENT,
    Reminder.Outcome.SKIPPED,
]


def _require_secretariat(request) -> None:
    if not is_secretariat(request.user):
        raise PermissionDenied(_("Only the secretariat can see the reminder log."))


@login_required
def staff_reminders(request):
    _require_secretariat(request)
    outcome = request.GET.get("outcome", Reminder.Outcome.PENDING)
    if outcome not in STAFF_TABS:
        outcome = Reminder.Outcome.PENDING
    page = Paginator(reminder_selectors.reminders_for_staff(outcome), 50).get_page(
        request.GET.get("page")
    )
    counts = reminder_selectors.reminder_outcome_counts()
    tabs = [(value, Reminder.Outcome(value).label, counts.get(value, 0)) for value in STAFF_TABS]
    context = {"page": page, "outcome": outcome, "tabs": tabs}
    return render(request, "workspace/staff_reminders.html", context)


@login_required
@require_POST
def staff_reminders_retry(request):
    _require_secretariat(request)
    ids = [int(value) for value in request.POST.getlist("reminder") if value.isdigit()]
    queued = reminder_services.reminders_retry_failed(
        ids=ids, deliver=enqueue_delivery, day=review_today()
    )
    messages.success(request, _("%(count)d digest(s) queued to be sent again.") % {"count": queued})
    return redirect(reverse("workspace:staff_reminders") + "?outcome=failed")


# Signed links are the credential here (unguessable, per person, expiring), and mail clients
# send RFC 8058 one-click unsubscribe POSTs without any cookie: CSRF protection adds nothing.
@csrf_exempt
def reminder_preferences(request, token):
    user = reminder_services.user_from_reminder_preferences_token(token)
    if user is None:
        return render(request, "workspace/reminder_preferences_invalid.html", status=404)
    # The page speaks the language the reminders were written in.
    with translation.override(user.preferred_language):
        return _reminder_preferences(request, user, token)


def _reminder_preferences(request, user, token):
    done = "workspace/reminder_preferences_done.html"
    if request.method == "POST" and request.POST.get("List-Unsubscribe") == "One-Click":
        reminder_services.reminder_preferences_set(user=user, opt_out=True)
        return render(request, done, {"person": user})
    initial = {
        "reminders": ReminderPreferencesForm.STOP
        if user.reminders_opt_out
        else ReminderPreferencesForm.RECEIVE,
        "preferred_language": user.preferred_language,
    }
    form = ReminderPreferencesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        reminder_services.reminder_preferences_set(
            user=user,
            opt_out=form.opt_out,
            language=form.cleaned_data["preferred_language"],
        )
        with translation.override(user.preferred_language):
            return render(request, done, {"person": user})
    context = {"form": form, "person": user, "token": token}
    return render(request, "workspace/reminder_preferences.html", context)
