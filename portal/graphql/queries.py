"""Root-field helpers shared by every app's queries."""

from portal.permissions import restrict


def one_by_slug(info, model, slug: str):
    """The object with ``slug`` that the user may see, or None."""
    return restrict(model._default_manager.all(), info.context.user).filter(slug=slug).first()
