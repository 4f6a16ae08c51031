"""Pages: a person's inbox, marking notifications read, and a team's webhook with its
deliveries (its members see them; its leads set it)."""

from django.contrib import messages
from django.core.exceptions import BadRequest, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from portal import permissions
from portal.models import Interface
from portal.pages import ask_first, by_slug, perform
from teams.models import Team

from . import actions
from .filters import NotificationFilterSet
from .forms import WebhookForm
from .models import TeamWebhook, WebhookDelivery
from .querysets import inbox_of

PAGE_SIZE = 25
DELIVERIES_SHOWN = 50


def inbox(request):
    """The notifications of one's teams, newest first, filtered as REST filters them
    (``?unread=1`` for the unread only)."""
    found = NotificationFilterSet(request.GET, queryset=inbox_of(request.user))
    if not found.is_valid():
        raise BadRequest(" ".join(str(e) for errors in found.errors.values() for e in errors))
    page = Paginator(found.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page_obj": page, "paginator": page.paginator, "is_paginated": page.has_other_pages(),
        "notifications": page.object_list, "unread_only": found.form.cleaned_data.get("unread"),
    }  # fmt: skip
    return render(request, "notifications/inbox.html", context)


@require_POST
def mark_read(request):
    """Mark the ``id`` values read, or every notification with ``all``; back to ``next``."""
    ids = None if request.POST.get("all") else request.POST.getlist("id")
    try:
        count = actions.mark_read(request.user, ids=ids)
    except ValidationError:
        messages.error(request, "Those are not notifications of your teams.")
    else:
        messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} read.")
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = "notifications:inbox"
    return redirect(back)


def _team_for_members(request, slug) -> Team:
    team = by_slug(Team.objects.all(), slug)
    permissions.require(request.user, permissions.CONTRIBUTE, team)  # members and staff
    return team


def webhook(request, slug):
    """The team's webhook and its latest deliveries; leads set the URL and draw the secret,
    which is shown on the answer to that request only."""
    team = _team_for_members(request, slug)
    can_manage = permissions.can(request.user, permissions.MANAGE, team)
    form, secret, status = WebhookForm(), None, 200
    if request.method == "POST":
        permissions.require(request.user, permissions.MANAGE, team)
        form = WebhookForm(request.POST)
        done = perform(
            form,
            lambda data: actions.set_team_webhook(
                team, url=data["url"], rotate_secret=data["rotate_secret"],
                actor=request.user, via=Interface.UI,
            ),
        )  # fmt: skip
        if done is None:
            status = 400
        else:
            secret = done[1]
            messages.success(request, f"Notifications of {team.name} now go to {done[0].url}.")
            form = WebhookForm()
    hook = TeamWebhook.objects.filter(team=team).first()
    if hook is not None and status == 200 and not form.is_bound:
        form = WebhookForm(initial={"url": hook.url})
    deliveries = WebhookDelivery.objects.filter(notification__team=team).select_related(
        "notification"
    )[:DELIVERIES_SHOWN]
    context = {
        "team": team, "hook": hook, "form": form, "secret": secret, "can_manage": can_manage,
        "deliveries": deliveries,
    }  # fmt: skip
    return render(request, "notifications/webhook.html", context, status=status)


@require_http_methods(["GET", "POST"])
def webhook_remove(request, slug):
    team = _team_for_members(request, slug)
    if page := ask_first(
        request,
        question=f"Remove the webhook of {team.name}?",
        consequence="Its notifications will no longer be POSTed anywhere; the inbox and e-mail stay.",
        cancel_url=TeamWebhook(team=team).get_absolute_url(),
        action="Remove the webhook",
    ):
        return page
    try:
        actions.remove_team_webhook(team, actor=request.user, via=Interface.UI)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{team.name} has no webhook now.")
    return redirect("notifications:webhook", slug=team.slug)
