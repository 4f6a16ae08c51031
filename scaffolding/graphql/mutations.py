import graphene
from django.core.exceptions import PermissionDenied, ValidationError
from graphql import GraphQLError

from portal.graphql.mutations import VIA, FieldError

from .. import actions
from .types import ScaffoldRunType


class RequestScaffold(graphene.Mutation):
    """Ask for a new service from a template; poll ``scaffoldRun(id)`` for its progress."""

    class Arguments:
        template = graphene.String(required=True)
        parameters = graphene.JSONString(required=True)

    run = graphene.Field(ScaffoldRunType)
    errors = graphene.List(graphene.NonNull(FieldError), required=True)

    @staticmethod
    def mutate(root, info, template, parameters):
        try:
            run = actions.request_scaffold(
                actor=info.context.user, via=VIA, template=template, parameters=parameters
            )
        except ValidationError as error:
            # Field errors name the template's parameters as they are (snake_case), as the
            # form and REST do: they are keys of the ``parameters`` object, not GraphQL fields.
            if not hasattr(error, "error_dict"):
                return RequestScaffold(errors=[FieldError(field=None, messages=error.messages)])
            errors = [FieldError(field=k, messages=v) for k, v in error.message_dict.items()]
            return RequestScaffold(run=None, errors=errors)
        except PermissionDenied as error:
            raise GraphQLError(str(error)) from error
        return RequestScaffold(run=run, errors=[])


class ScaffoldingMutation(graphene.ObjectType):
    request_scaffold = RequestScaffold.Field()
