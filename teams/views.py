"""Team pages: the list, a team's page (members, services, APIs, the teams it depends on and
that depend on it), membership management for the team's leads, and a person's page."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from catalog.graph import DependencyGraph
from catalog.models import Api, Dependency, Service
from portal import graphdata, permissions
from portal.models import ChangeRecord, Interface
from portal.pages import (
    FilteredListView,
    SlugDetailView,
    ask_first,
    by_slug,
    history,
    perform,
    recent_changes,
)

from . import actions
from .filters import TeamFilterSet
from .forms import AddMemberForm, ChangeRoleForm
from .models import Membership, Team

UI = Interface.UI


class TeamList(FilteredListView):
    model = Team
    filterset_class = TeamFilterSet
    template_name = "teams/team_list.html"
    heading = "Teams"

    def base_queryset(self):
        return Team.objects.select_related("parent").annotate(
            member_count=Count("memberships", distinct=True),
            service_count=Count("services", distinct=True),
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["size_limit"] = Team.size_limit()
        return context


def _team_neighbours(team: Team) -> tuple[list, list]:
    """The other teams this team's services depend on, and those whose services depend on
    this team's: Conway's law made visible. Each with the number of edges between them."""
    outgoing: dict[int, int] = {}
    for target_team, resource_team in Dependency.objects.filter(
        source__owner_team=team
    ).values_list("target_service__owner_team_id", "target_resource__service__owner_team_id"):
        other = target_team or resource_team
        if other and other != team.pk:
            outgoing[other] = outgoing.get(other, 0) + 1
    incoming: dict[int, int] = {}
    rows = (
        Dependency.objects.exclude(source__owner_team=team)
        .filter(target_service__owner_team=team)
        .values_list("source__owner_team_id", flat=True)
    )
    rows_via_resource = (
        Dependency.objects.exclude(source__owner_team=team)
        .filter(target_resource__service__owner_team=team)
        .values_list("source__owner_team_id", flat=True)
    )
    for other in [*rows, *rows_via_resource]:
        incoming[other] = incoming.get(other, 0) + 1
    teams = Team.objects.in_bulk([*outgoing, *incoming])

    def listed(counts):
        return sorted(
            ((teams[pk], n) for pk, n in counts.items() if pk in teams), key=lambda x: x[0].slug
        )

    return listed(outgoing), listed(incoming)


class TeamDetail(SlugDetailView):
    template_name = "teams/team_detail.html"

    def get_queryset(self):
        return permissions.restrict(
            Team.objects.with_related(), self.request.user
        ).prefetch_related("children")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        team = self.object
        depends_on, depended_on_by = _team_neighbours(team)
        members = list(team.memberships.all())
        context.update(
            members=sorted(
                members, key=lambda m: (m.role != Membership.Role.LEAD, m.user.username)
            ),
            size=len(members),
            size_limit=Team.size_limit(),
            services=team.services.with_related().order_by("slug"),
            apis=Api.objects.with_related().filter(provider__owner_team=team).order_by("slug"),
            resources=team.resources.select_related("service", "system").order_by("slug"),
            depends_on=depends_on,
            depended_on_by=depended_on_by,
            elements=graphdata.graph_elements(team=team, depth=1, graph=DependencyGraph.current()),
            history=history(team),
            can_manage=permissions.can(self.request.user, permissions.MANAGE, team),
            is_member=any(m.user_id == self.request.user.pk for m in members),
        )
        return context


def _team_for_manage(request, slug) -> Team:
    team = by_slug(Team.objects.all(), slug)
    permissions.require(request.user, permissions.MANAGE, team)
    return team


def _members_page(request, team, form=None, status=200):
    context = {
        "team": team,
        "members": team.memberships.select_related("user").order_by("role", "user__username"),
        "size_limit": Team.size_limit(),
        "form": form or AddMemberForm(),
        "roles": Membership.Role.choices,
    }
    return render(request, "teams/team_members.html", context, status=status)


def members(request, slug):
    """The team's members with forms to add, re-role and remove them (leads and staff)."""
    team = _team_for_manage(request, slug)
    if request.method != "POST":
        return _members_page(request, team)
    form = AddMemberForm(request.POST)
    added = perform(
        form,
        lambda data: actions.add_member(
            team, data["user"], role=data["role"], actor=request.user, via=UI
        ),
    )
    if added:
        messages.success(request, f"Added {added.user.username} to {team.name}.")
        return redirect("teams:members", slug=team.slug)
    return _members_page(request, team, form=form, status=400)


@require_http_methods(["GET", "POST"])
def member_change(request, slug, username):
    """A member's new role, or their removal (asked first; a GET of ``?op=remove`` asks too)."""
    team = _team_for_manage(request, slug)
    user = get_object_or_404(get_user_model(), username=username)
    removing = (request.POST if request.method == "POST" else request.GET).get("op") == "remove"
    if request.method != "POST" and not removing:
        return redirect("teams:members", slug=team.slug)
    if removing and (
        page := ask_first(
            request,
            question=f"Remove {user.username} from {team.name}?",
            consequence=f"{user.username} will no longer be able to change {team.name}'s "
            "services, APIs and resources, nor receive the team's notifications.",
            cancel_url=reverse("teams:members", kwargs={"slug": team.slug}),
            action=f"Remove {user.username}",
        )
    ):
        return page
    try:
        if removing:
            actions.remove_member(team, user, actor=request.user, via=UI)
            messages.success(request, f"Removed {user.username} from {team.name}.")
        else:
            form = ChangeRoleForm(request.POST)
            if not form.is_valid():
                raise ValidationError("Choose a role: lead or member.")
            actions.change_role(
                team, user, role=form.cleaned_data["role"], actor=request.user, via=UI
            )
            messages.success(
                request, f"{user.username} is now {form.cleaned_data['role']} of {team.name}."
            )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("teams:members", slug=team.slug)


def person(request, username):
    """A person's page: their teams, what those teams own, and what they changed lately.
    What people are in which team is visible to every signed-in user, as on team pages."""
    user = get_object_or_404(get_user_model(), username=username, is_active=True)
    memberships = list(user.memberships.select_related("team").order_by("team__slug"))
    teams = [m.team for m in memberships]
    services = permissions.restrict(
        Service.objects.select_related("owner_team").filter(owner_team__in=teams),
        request.user,
    ).order_by("owner_team__slug", "slug")
    return render(
        request,
        "teams/person_detail.html",
        {
            "person": user,
            "memberships": memberships,
            "services": services,
            "recent": recent_changes(records=ChangeRecord.objects.filter(actor=user)),
        },
    )
