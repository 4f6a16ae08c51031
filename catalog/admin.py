from django.contrib import admin

from portal.admin import ActionAdmin, ReadOnlyInline

from . import actions
from .models import (
    Api,
    ApiConsumption,
    ApiVersion,
    BusinessDomain,
    DataDomain,
    Dependency,
    Resource,
    Service,
    System,
    Tag,
)


class ProvidedApiInline(ReadOnlyInline):
    model = Api
    fields = ["slug", "name", "type", "lifecycle"]


class DependencyInline(ReadOnlyInline):
    model = Dependency
    fk_name = "source"
    fields = ["target_service", "target_resource", "kind", "criticality"]


class ApiVersionInline(ReadOnlyInline):
    model = ApiVersion
    fields = ["version", "digest", "published_at", "published_by"]


@admin.register(Service)
class ServiceAdmin(ActionAdmin):
    list_display = ["slug", "name", "owner_team", "lifecycle", "tier", "kind", "language"]
    list_filter = ["lifecycle", "tier", "kind", "runtime"]
    list_select_related = ["owner_team"]
    search_fields = ["slug", "name", "description"]
    autocomplete_fields = ["owner_team", "data_domain", "system", "tags"]
    inlines = [ProvidedApiInline, DependencyInline]
    create_action = staticmethod(actions.create_service)
    update_action = staticmethod(actions.update_service)
    delete_action = staticmethod(actions.delete_service)
    transfers = {"owner_team": actions.transfer_service}


@admin.register(Api)
class ApiAdmin(ActionAdmin):
    list_display = ["slug", "name", "provider", "type", "lifecycle"]
    list_filter = ["type", "lifecycle"]
    list_select_related = ["provider"]
    search_fields = ["slug", "name"]
    autocomplete_fields = ["provider", "system"]
    inlines = [ApiVersionInline]
    create_action = staticmethod(actions.create_api)
    update_action = staticmethod(actions.update_api)
    delete_action = staticmethod(actions.delete_api)
    readonly_on_change = ("slug", "provider", "type")


@admin.register(ApiVersion)
class ApiVersionAdmin(ActionAdmin):
    """Publishing only: a published version never changes and is never deleted."""

    list_display = ["api", "version", "published_at", "published_by"]
    list_select_related = ["api", "published_by"]
    search_fields = ["api__slug", "version"]
    autocomplete_fields = ["api"]
    fields = ["api", "version", "spec"]
    readonly_on_change = ()
    create_action = staticmethod(lambda *, api, **kw: actions.publish_api_version(api, **kw))


@admin.register(DataDomain)
class DataDomainAdmin(ActionAdmin):
    list_display = ["slug", "name", "owner_service"]
    list_select_related = ["owner_service"]
    search_fields = ["slug", "name"]
    autocomplete_fields = ["owner_service"]
    create_action = staticmethod(actions.create_domain)
    update_action = staticmethod(actions.update_domain)
    delete_action = staticmethod(actions.delete_domain)
    transfers = {"owner_service": actions.transfer_domain}


class SystemServiceInline(ReadOnlyInline):
    model = Service
    fields = ["slug", "name", "owner_team", "lifecycle"]


class SystemApiInline(ReadOnlyInline):
    model = Api
    fields = ["slug", "name", "provider", "type"]


@admin.register(System)
class SystemAdmin(ActionAdmin):
    list_display = ["slug", "name", "owner_team", "business_domain"]
    list_select_related = ["owner_team", "business_domain"]
    search_fields = ["slug", "name", "description"]
    autocomplete_fields = ["owner_team", "business_domain"]
    inlines = [SystemServiceInline, SystemApiInline]
    create_action = staticmethod(actions.create_system)
    update_action = staticmethod(actions.update_system)
    delete_action = staticmethod(actions.delete_system)
    transfers = {"owner_team": actions.transfer_system}


class BusinessDomainSystemInline(ReadOnlyInline):
    model = System
    fields = ["slug", "name", "owner_team"]


@admin.register(BusinessDomain)
class BusinessDomainAdmin(ActionAdmin):
    list_display = ["slug", "name", "owner_team"]
    list_select_related = ["owner_team"]
    search_fields = ["slug", "name", "description"]
    autocomplete_fields = ["owner_team"]
    inlines = [BusinessDomainSystemInline]
    create_action = staticmethod(actions.create_business_domain)
    update_action = staticmethod(actions.update_business_domain)
    delete_action = staticmethod(actions.delete_business_domain)
    transfers = {"owner_team": actions.transfer_business_domain}


@admin.register(Resource)
class ResourceAdmin(ActionAdmin):
    list_display = ["slug", "name", "kind", "owner_team", "service", "system", "data_domain"]
    list_filter = ["kind"]
    list_select_related = ["owner_team", "service", "system", "data_domain"]
    search_fields = ["slug", "name"]
    autocomplete_fields = ["owner_team", "service", "system", "data_domain"]
    create_action = staticmethod(actions.create_resource)
    update_action = staticmethod(actions.update_resource)
    delete_action = staticmethod(actions.delete_resource)
    readonly_on_change = ("slug", "owner_team", "service")


@admin.register(Dependency)
class DependencyAdmin(ActionAdmin):
    list_display = ["source", "target_service", "target_resource", "kind", "criticality"]
    list_filter = ["kind", "criticality"]
    list_select_related = ["source", "target_service", "target_resource"]
    search_fields = ["source__slug", "target_service__slug", "target_resource__slug"]
    autocomplete_fields = ["source", "target_service", "target_resource"]
    create_action = staticmethod(actions.add_dependency)
    update_action = staticmethod(actions.update_dependency)
    delete_action = staticmethod(actions.remove_dependency)
    readonly_on_change = ("source", "target_service", "target_resource")


@admin.register(ApiConsumption)
class ApiConsumptionAdmin(ActionAdmin):
    """Recorded or removed; there is nothing to change on a consumption."""

    list_display = ["consumer", "api", "version_requirement"]
    list_select_related = ["consumer", "api"]
    search_fields = ["consumer__slug", "api__slug"]
    autocomplete_fields = ["consumer", "api"]
    create_action = staticmethod(actions.add_consumption)
    readonly_on_change = ()
    delete_action = staticmethod(actions.remove_consumption)


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    """Tags are created by naming them on a service; listed here to search and filter by."""

    search_fields = ["name"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
