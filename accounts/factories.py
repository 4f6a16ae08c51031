"""Tokens issued through the action, as their owner: ``ApiTokenFactory(user=u).key`` is the
key (read-write unless ``scope`` says otherwise)."""

import factory

from portal.factories import ActionFactory, UserFactory
from portal.models import Interface

from . import actions
from .models import ApiToken


class ApiTokenFactory(ActionFactory):
    class Meta:
        model = ApiToken

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"token {n}")
    scope = ApiToken.Scope.WRITE

    @classmethod
    def _create(cls, model_class, *args, via=Interface.CLI, **kwargs):
        return actions.create_token(actor=kwargs["user"], via=via, **kwargs)
