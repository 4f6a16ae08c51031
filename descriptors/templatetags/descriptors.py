from django import template
from django.contrib.contenttypes.models import ContentType
from django.db.models import F

from descriptors.models import Entity

register = template.Library()


@register.inclusion_tag("descriptors/_managed.html")
def managed_by(obj):
    """ "Managed by <location>" when a location's descriptor declares ``obj``, or "orphaned"
    when the location no longer does (and keeps it): one query."""
    entity = (
        Entity.objects.filter(
            target_type=ContentType.objects.get_for_model(obj),
            target_id=obj.pk,
            location__isnull=False,
        )
        .select_related("location")
        .order_by(F("orphaned_at").asc(nulls_first=True), "-id")
        .first()
    )
    return {"entity": entity}
