from django.contrib import admin

from portal.admin import ActionAdmin

from . import actions
from .models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(ActionAdmin):
    """Tokens are seen and revoked here, never created: a key is shown once, to its owner."""

    delete_action = staticmethod(actions.revoke_token)
    list_display = ["name", "user", "prefix", "scope", "created_at", "expires_at", "last_used_at"]
    list_filter = ["scope"]
    search_fields = ["name", "prefix", "user__username"]
    list_select_related = ["user"]
    fields = ["user", "name", "prefix", "scope", "created_at", "expires_at", "last_used_at"]
    readonly_fields = fields
