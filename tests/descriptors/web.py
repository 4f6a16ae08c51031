"""What the API, GraphQL and page tests of catalog as code share: a descriptor file a
member of ``payments`` may import, with one entity that is refused."""

from descriptors import actions
from descriptors.models import Location
from portal.models import Interface

UPLOAD = """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: cart, description: The basket}
spec: {type: service, lifecycle: production, owner: payments}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: Not A Name!}
spec: {type: service, lifecycle: production, owner: payments}
"""


def upload_location(actor, *, slug="cart-file", owner_team=None, content=UPLOAD) -> Location:
    return actions.create_location(
        actor=actor, via=Interface.API, slug=slug, name=slug, type=Location.Type.UPLOAD,
        content=content, owner_team=owner_team,
    )  # fmt: skip
