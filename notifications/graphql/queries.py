import graphene
from graphene_django import DjangoConnectionField

from .. import actions
from ..querysets import inbox_of
from .types import NotificationType


class NotificationsQuery(graphene.ObjectType):
    notifications = DjangoConnectionField(
        NotificationType,
        unread=graphene.Boolean(default_value=False, description="Only the unread ones."),
        description="The signed-in person's inbox: the notifications of their teams.",
    )
    unread_notification_count = graphene.Int(
        required=True, description="How many of the signed-in person's notifications are unread."
    )

    @staticmethod
    def resolve_notifications(root, info, unread=False, **kwargs):
        return inbox_of(info.context.user, unread_only=unread)

    @staticmethod
    def resolve_unread_notification_count(root, info):
        return actions.unread(info.context.user).count()
