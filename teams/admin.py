from django import forms
from django.contrib import admin

from portal.admin import ActionAdmin, no_inline_changes

from . import actions
from .models import Membership, Team


class MembershipForm(forms.ModelForm):
    class Meta:
        model = Membership
        fields = ["user", "role"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:  # a membership changes role; to change the person, remove and add
            self.fields["user"].disabled = True


class MembershipInline(admin.TabularInline):
    model = Membership
    form = MembershipForm
    extra = 1
    autocomplete_fields = ["user"]


def _order(form, deleted) -> int:
    """Promotions first, then removals, then the rest: so that the team keeps a lead and stays
    within its size limit at every step."""
    if form in deleted:
        return 1
    promoting = form.instance.pk and form.cleaned_data["role"] == Membership.Role.LEAD
    return 0 if promoting else 2


@admin.register(Team)
class TeamAdmin(ActionAdmin):
    list_display = ["slug", "name", "parent", "chat_channel", "email"]
    search_fields = ["slug", "name"]
    autocomplete_fields = ["parent"]
    inlines = [MembershipInline]
    create_action = staticmethod(actions.create_team)
    update_action = staticmethod(actions.update_team)
    delete_action = staticmethod(actions.delete_team)

    def save_formset(self, request, form, formset, change):
        """Each membership row becomes ``add_member``, ``change_role`` or ``remove_member``."""
        team, via = form.instance, self._via(request)
        no_inline_changes(formset)
        deleted = [f for f in formset.deleted_forms if f.instance.pk]
        edited = [f for f in formset.forms if f.has_changed() and f not in formset.deleted_forms]
        for row in sorted(deleted + edited, key=lambda f: _order(f, deleted)):
            if row in deleted:
                actions.remove_member(team, row.instance.user, **via)
                formset.deleted_objects.append(row.instance)
            elif row.instance.pk:
                role = row.cleaned_data["role"]
                actions.change_role(team, row.instance.user, role=role, **via)
                formset.changed_objects.append((row.instance, ["role"]))
            else:
                formset.new_objects.append(
                    actions.add_member(
                        team, row.cleaned_data["user"], role=row.cleaned_data["role"], **via
                    )
                )
