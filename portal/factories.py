"""The base of every factory: objects are created through the apps' actions.

Tests and the demo loader build data with the same factories, and so through the same write
path (validation, permission, ChangeRecord) as every other interface. A factory call takes
``actor`` and ``via`` like an action; by default it acts as the system account.
"""

import factory
from django.contrib.auth import get_user_model

from .audit import system_actor
from .models import Interface


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("keel-password")


class ActionFactory(factory.Factory):
    """Creates by calling the subclass's ``_action(actor=..., via=..., **fields)``
    instead of ``save()``; subclasses set ``_action = staticmethod(<app>.actions.<verb>)``."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, actor=None, via=Interface.CLI, **kwargs):
        return cls._action(actor=actor or system_actor(), via=via, **kwargs)
