from django.urls import path

from .views import KeelGraphQLView, graphiql_asset, schema_document

urlpatterns = [
    path("", KeelGraphQLView.as_view(graphiql=True)),
    path("schema.graphql", schema_document, name="graphql-schema"),
    path("graphiql/<str:name>", graphiql_asset, name="graphiql-asset"),
]
