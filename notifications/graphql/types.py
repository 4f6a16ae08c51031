import graphene
from graphene_django import DjangoObjectType

from ..models import Notification


class NotificationType(DjangoObjectType):
    notification_id = graphene.Int(required=True, description="The id REST and markRead use.")
    team = graphene.String(required=True, description="Slug of the team it was sent to.")
    read = graphene.Boolean(required=True, description="Whether the signed-in person read it.")

    class Meta:
        model = Notification
        name = "Notification"
        fields = ("kind", "subject", "body", "url", "created_at")
        use_connection = True

    @staticmethod
    def resolve_notification_id(root, info):
        return root.pk

    @staticmethod
    def resolve_team(root, info):
        return root.team.slug

    @staticmethod
    def resolve_read(root, info):
        return root.is_read
