from django import template
from django.conf import settings

register = template.Library()


@register.inclusion_tag("accounts/_clone_help.html")
def clone_help(url: str, with_command: bool = False):
    """How to authenticate a clone of ``url`` when this portal serves it over git (other
    hosts have credentials of their own); with no URL yet, when the local provider will."""
    if not url:
        served_here = settings.KEEL_REPOSITORY_PROVIDER == "local"
    else:
        served_here = url.startswith(f"{settings.KEEL_BASE_URL.rstrip('/')}/git/")
    return {"served_here": served_here, "url": url if with_command else ""}
