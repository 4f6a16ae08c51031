import graphene

from portal.graphql.mutations import ActionMutation

from .. import actions


class MarkNotificationsReadInput(graphene.InputObjectType):
    ids = graphene.List(
        graphene.NonNull(graphene.Int),
        description="The notificationId values to mark read; leave out for the whole inbox.",
    )


class MarkNotificationsRead(ActionMutation):
    """Mark notifications of one's teams read (for oneself only)."""

    marked = graphene.Int()
    unread = graphene.Int()

    class Arguments:
        input = MarkNotificationsReadInput(required=True)

    @classmethod
    def perform(cls, info, actor, ids=None):
        marked = actions.mark_read(actor, ids=ids)
        return {"marked": marked, "unread": actions.unread(actor).count()}


class NotificationsMutation(graphene.ObjectType):
    mark_notifications_read = MarkNotificationsRead.Field()
