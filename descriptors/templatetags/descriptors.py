from django import template
from django.contrib.contenttypes.models import ContentType

from descriptors.models import Entity

register = template.Library()


@register.inclusion_tag("descriptors/_managed.html")
def managed_by(obj):
    """ "Managed by <location>" when a location's descriptor declares ``obj``: one query."""
    entity = (
        Entity.objects.filter(
            target_type=ContentType.objects.get_for_model(obj),
            target_id=obj.pk,
            location__isnull=False,
            orphaned_at__isnull=True,
        )
        .select_related("location")
        .first()
    )
    return {"entity": entity}
