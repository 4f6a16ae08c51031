"""Factories for teams, used by the tests and the demo loader (see portal.factories)."""

import factory

from portal.factories import ActionFactory, UserFactory

from . import actions
from .models import Membership, Team


class TeamFactory(ActionFactory):
    class Meta:
        model = Team

    slug = factory.Sequence(lambda n: f"team-{n}")
    name = factory.LazyAttribute(lambda t: t.slug.replace("-", " ").title())
    description = factory.LazyAttribute(lambda t: f"The {t.name} team.")
    chat_channel = factory.LazyAttribute(lambda t: f"#{t.slug}")
    email = factory.LazyAttribute(lambda t: f"{t.slug}@example.com")
    oncall_url = factory.LazyAttribute(lambda t: f"https://oncall.example.com/{t.slug}")

    _action = staticmethod(actions.create_team)


class MembershipFactory(ActionFactory):
    class Meta:
        model = Membership

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.MEMBER

    _action = staticmethod(lambda *, team, user, **kw: actions.add_member(team, user, **kw))
