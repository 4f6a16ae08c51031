"""Resources are owned by a team directly (Backstage's Resource), the service optional; the
existing ones take their service's team."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def owner_from_service(apps, schema_editor):
    Resource = apps.get_model("catalog", "Resource")
    Service = apps.get_model("catalog", "Service")
    Resource.objects.update(
        owner_team=Subquery(
            Service.objects.filter(pk=OuterRef("service_id")).values("owner_team")[:1]
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0009_api_current_version"),
        ("teams", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="resource",
            name="owner_team",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="resources",
                to="teams.team",
            ),
        ),
        migrations.RunPython(owner_from_service, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="resource",
            name="owner_team",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="resources",
                to="teams.team",
            ),
        ),
        migrations.AlterField(
            model_name="resource",
            name="service",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="resources",
                to="catalog.service",
            ),
        ),
        migrations.AddField(
            model_name="resource",
            name="system",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="resources",
                to="catalog.system",
            ),
        ),
        migrations.AddField(
            model_name="resource",
            name="type",
            field=models.CharField(blank=True, max_length=63),
        ),
        migrations.AlterField(
            model_name="resource",
            name="kind",
            field=models.CharField(
                choices=[
                    ("database", "Database"),
                    ("queue", "Queue"),
                    ("bucket", "Bucket"),
                    ("cache", "Cache"),
                    ("other", "Other"),
                ],
                max_length=16,
            ),
        ),
    ]
