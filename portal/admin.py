"""The admin, as one more interface onto the action layer.

``ActionAdmin`` sends every create, change and delete through the app's action functions
(``actor=request.user``, ``via=Interface.ADMIN``), so the admin validates, checks permission and
writes history exactly like the pages, REST and GraphQL. A refusal from an action (a
``ValidationError`` or ``PermissionDenied`` the form could not foresee, such as a team's size
limit) is shown as an error message on the page instead of a server error.
"""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import HttpResponseRedirect

from . import accounts
from .models import ChangeRecord, Interface

admin.site.site_header = admin.site.site_title = "Keel admin"


def refusal_message(error: Exception) -> str:
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        return " ".join(
            message if field == NON_FIELD_ERRORS else f"{field}: {message}"
            for field, messages_ in error.message_dict.items()
            for message in messages_
        )
    if isinstance(error, ValidationError):
        return " ".join(error.messages)
    return str(error) or "You may not do this."


def no_inline_changes(formset) -> None:
    """What Django's change message reads after ``formset.save()``, for formsets we do not save."""
    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []


class ActionAdmin(admin.ModelAdmin):
    """A model admin whose writes are the app's actions.

    ``create_action(actor=, via=, **fields)``, ``update_action(obj, actor=, via=, **changes)``
    and ``delete_action(obj, actor=, via=)``; a missing action removes that permission.
    ``transfers`` maps an owner field to the action that hands the object to a new owner
    (``new_owner=``). ``readonly_on_change`` lists what the actions never change afterwards.
    """

    create_action = update_action = delete_action = None
    transfers: dict = {}
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    readonly_on_change: tuple = ("slug",)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "slug":  # names are never trimmed (portal/names.py)
            kwargs["strip"] = False
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def has_add_permission(self, request, *args):
        return self.create_action is not None and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None):
        return self.update_action is not None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.delete_action is not None and super().has_delete_permission(request, obj)

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        return (*readonly, *self.readonly_on_change) if obj is not None else readonly

    @staticmethod
    def _via(request) -> dict:
        return {"actor": request.user, "via": Interface.ADMIN}

    def save_model(self, request, obj, form, change):
        if not change:
            created = self.create_action(**form.cleaned_data, **self._via(request))
            obj.pk, obj._state.adding = created.pk, False  # the admin redirects and logs by obj
            return
        # Actions check permission against the stored object, not the edited form instance.
        current = self.model._default_manager.get(pk=obj.pk)
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        for field, transfer in self.transfers.items():
            if field in changes:
                current = transfer(current, new_owner=changes.pop(field), **self._via(request))
        if changes:
            self.update_action(current, **changes, **self._via(request))

    def save_related(self, request, form, formsets, change):
        # No form.save_m2m(): the action has written the many-to-many values already.
        for formset in formsets:
            self.save_formset(request, form, formset, change)

    def save_formset(self, request, form, formset, change):
        no_inline_changes(formset)  # inlines are read-only unless an admin says otherwise

    def delete_model(self, request, obj):
        self.delete_action(obj, **self._via(request))

    def delete_queryset(self, request, queryset):
        with transaction.atomic():  # all or nothing, like Django's own bulk delete
            for obj in queryset:
                self.delete_action(obj, **self._via(request))

    def _refusals_as_messages(self, view, request, *args, **kwargs):
        if request.method != "POST":
            return view(request, *args, **kwargs)
        try:
            return view(request, *args, **kwargs)
        except (ValidationError, PermissionDenied) as error:
            self.message_user(request, refusal_message(error), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def changeform_view(self, request, *args, **kwargs):
        return self._refusals_as_messages(super().changeform_view, request, *args, **kwargs)

    def delete_view(self, request, *args, **kwargs):
        return self._refusals_as_messages(super().delete_view, request, *args, **kwargs)

    def changelist_view(self, request, *args, **kwargs):
        return self._refusals_as_messages(super().changelist_view, request, *args, **kwargs)


class ReadOnlyInline(admin.TabularInline):
    """Related rows shown for reference; each links to its own admin page for changes."""

    extra = 0
    show_change_link = True

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_view_permission(self, request, obj=None):
        return obj is not None and super().has_view_permission(request, obj)  # none yet on add

    def get_queryset(self, request):
        # Django's inline asks has_view_permission(request) without the parent object,
        # which the rule above refuses: ask for the model permission alone here.
        queryset = super(admin.options.InlineModelAdmin, self).get_queryset(request)
        return queryset if super().has_view_permission(request) else queryset.none()

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ChangeRecord)
class ChangeRecordAdmin(admin.ModelAdmin):
    """History is written only by the actions, so here it can be read and never changed."""

    list_display = [
        "created_at",
        "actor_name",
        "interface",
        "action",
        "content_type",
        "object_repr",
    ]
    list_filter = ["interface", "action", "content_type"]
    search_fields = ["object_repr", "actor_name", "=request_id"]
    list_select_related = ["content_type"]
    date_hierarchy = "created_at"
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


admin.site.unregister(get_user_model())


@admin.register(get_user_model())
class RecordedUserAdmin(UserAdmin):
    """Django's user admin, with every account change recorded (``portal.accounts``)."""

    @staticmethod
    def _via(request) -> dict:
        return {"actor": request.user, "via": Interface.ADMIN}

    def save_model(self, request, obj, form, change):
        stored = type(obj)._default_manager.filter(pk=obj.pk).first() if change else None
        form.recorded_before = accounts.user_snapshot(stored) if stored else None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)  # groups and permissions
        before = getattr(form, "recorded_before", None)
        accounts.record_user_saved(form.instance, before=before, **self._via(request))

    def delete_model(self, request, obj):
        accounts.delete_user(obj, **self._via(request))

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for user in queryset:
                accounts.delete_user(user, **self._via(request))

    def user_change_password(self, request, id, form_url=""):
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                user = self.get_object(request, id)
                accounts.record_password_changed(user, **self._via(request))
        return response
