"""Teams and memberships.

A team owns everything about its services, so it is kept small: the member count never
passes ``KEEL_TEAM_SIZE_LIMIT`` (the "two-pizza" bound, 10 by default).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from portal.models import SluggedModel, TimestampedModel

from . import querysets


class Team(SluggedModel):
    """A small team that owns services end to end."""

    owner_team_path = ""  # a team is its own owner (see portal.permissions)

    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    chat_channel = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    oncall_url = models.URLField(blank=True, max_length=500)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="teams", blank=True
    )

    objects = querysets.TeamQuerySet.as_manager()

    class Meta(SluggedModel.Meta):
        pass

    def get_absolute_url(self) -> str:
        return reverse("teams:detail", kwargs={"slug": self.slug})

    def clean(self):
        super().clean()
        ancestor, seen = self.parent, set()
        while ancestor is not None and ancestor.pk not in seen:
            if self.pk and ancestor.pk == self.pk:
                raise ValidationError({"parent": "A team cannot be its own ancestor."})
            seen.add(ancestor.pk)
            ancestor = ancestor.parent

    @staticmethod
    def size_limit() -> int:
        return settings.KEEL_TEAM_SIZE_LIMIT


class Membership(TimestampedModel):
    """A user's place in a team. Leads manage the team's membership."""

    class Role(models.TextChoices):
        LEAD = "lead", "Lead"
        MEMBER = "member", "Member"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.MEMBER)

    constraint_error_fields = {"duplicate_member": "user"}

    objects = querysets.MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["team__slug", "role", "user__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "user"],
                name="teams_membership_unique_member",
                violation_error_message="This user is already a member of the team.",
                violation_error_code="duplicate_member",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} ({self.role})"

    def get_absolute_url(self) -> str:
        return self.team.get_absolute_url()

    def clean(self):
        """Only active users join a team (every interface adds through here); an inactive
        member may still be re-roled or removed."""
        super().clean()
        if self._state.adding and self.user_id and not self.user.is_active:
            raise ValidationError(
                {"user": f"{self.user.get_username()} is not an active user: they cannot join."}
            )
        if self._state.adding and self.team_id:
            count = Membership.objects.filter(team_id=self.team_id).count()
            if count >= Team.size_limit():
                raise ValidationError(
                    f"Team {self.team.slug} already has {count} members, the limit is "
                    f"{Team.size_limit()}: keep teams small enough to feed with two pizzas, "
                    "or split the team."
                )
