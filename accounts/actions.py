"""Every write to API tokens and saved views. The pages, REST, the admin and the command call these."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from portal import permissions
from portal.audit import record_change
from portal.models import ChangeRecord
from portal.writes import atomic_write, delete, save_new
from teams.models import Team

from .models import ApiToken, SavedView


def _snapshot(token: ApiToken) -> dict:
    """What the history keeps of a token: never its digest."""
    return {
        "user": token.user.get_username(),
        "name": token.name,
        "prefix": token.prefix,
        "scope": token.scope,
        "expires_at": token.expires_at.isoformat() if token.expires_at else None,
    }


def create_token(
    *, actor, via: str, user, name: str, scope: str = ApiToken.Scope.READ, expires_at=None
) -> ApiToken:
    """Issue a token to ``user``, who must be the actor: a token acts as its owner, so nobody
    issues one for someone else (``manage.py create_token`` acts as the named user). The key
    is on the returned instance (``token.key``) and nowhere else."""
    permissions.require_signed_in(actor)
    if actor.pk != user.pk:
        raise PermissionDenied("You may create tokens for yourself only.")
    token = ApiToken(user=user, name=name, scope=scope, expires_at=expires_at)
    token.set_key(ApiToken.new_key())
    token.full_clean()
    with transaction.atomic():
        # The user's row is locked so that concurrent requests cannot pass the limit together.
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        if user.api_tokens.count() >= settings.KEEL_MAX_TOKENS_PER_USER:
            raise ValidationError(
                f"You have {settings.KEEL_MAX_TOKENS_PER_USER} tokens, the most one person may "
                "have: revoke one you no longer use first."
            )
        token.save()
        record_change(
            actor=actor,
            via=via,
            action=ChangeRecord.Action.CREATE,
            obj=token,
            after=_snapshot(token),
        )
    return token


def revoke_token(token: ApiToken, *, actor, via: str) -> None:
    """The token stops working at once (its row goes; the history keeps what it was). Its
    owner may revoke it, and so may an admin with the permission to delete tokens."""
    permissions.require_signed_in(actor)
    if actor.pk != token.user_id and not actor.has_perm("accounts.delete_apitoken"):
        raise PermissionDenied("You may revoke your own tokens only.")
    with transaction.atomic():
        record_change(
            actor=actor,
            via=via,
            action=ChangeRecord.Action.DELETE,
            obj=token,
            before=_snapshot(token),
        )
        token.delete()


def save_view(*, actor, via: str, list_name: str, name: str, query: str, team=None) -> SavedView:
    """Save a list's filters under ``name`` for the actor, shared with ``team`` when given,
    which must be one of the actor's teams (decided on the team's locked row)."""
    permissions.require_signed_in(actor)
    with atomic_write():
        if team is not None:
            team = Team.objects.select_for_update(no_key=True).filter(pk=team.pk).first()
            if team is None or not team.memberships.filter(user=actor).exists():
                raise ValidationError({"team": "Share a view only with a team you belong to."})
        view = SavedView(user=actor, team=team, list_name=list_name, name=name, query=query)
        return save_new(view, actor=actor, via=via)


def delete_view(view: SavedView, *, actor, via: str) -> None:
    """Only its owner (or an admin) deletes a view; the team it is shared with loses it too."""
    permissions.require_signed_in(actor)
    with atomic_write():
        current = SavedView.objects.select_for_update().filter(pk=view.pk).first()
        if current is None:
            raise ValidationError(f"The view {view.name} no longer exists.")
        if current.user_id != actor.pk and not permissions.administers(actor):
            raise PermissionDenied("You may delete your own saved views only.")
        delete(current, actor=actor, via=via)
