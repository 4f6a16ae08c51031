from django import template

from ..querysets import inbox_of, of_team

register = template.Library()

PREVIEW = 5


@register.inclusion_tag("notifications/_preview.html", takes_context=True)
def inbox_preview(context, team=None):
    """The latest notifications of a person's teams (or of one ``team``, for its members)."""
    user = context["request"].user
    found = of_team(team, user) if team is not None else inbox_of(user)
    return {
        "notifications": list(found[:PREVIEW]),
        "unread": found.filter(is_read=False).count(),
        "team": team,
        "request": context["request"],
        "csrf_token": context.get("csrf_token"),
    }
