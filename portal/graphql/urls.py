from django.urls import path

from .limits import validation_rules
from .views import KeelGraphQLView, graphiql_asset

urlpatterns = [
    path("", KeelGraphQLView.as_view(graphiql=True, validation_rules=validation_rules())),
    path("graphiql/<str:name>", graphiql_asset, name="graphiql-asset"),
]
