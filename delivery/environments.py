"""A pipeline's environments, named by its stages (``PipelineStage.environment``), in the order
the stages reach them. Rows are made the first time a run or a report needs them."""

from portal.audit import change_record, record_changes, snapshot
from portal.models import ChangeRecord

from .models import Environment


def ensure(pipeline, *, actor, via: str) -> list[Environment]:
    """The pipeline's environments in order, creating (with history) those its stages name
    and it lacks. Call inside a transaction holding the pipeline's row lock."""
    names: list[str] = []
    for name in pipeline.stages.order_by("position").values_list("environment", flat=True):
        if name and name not in names:
            names.append(name)
    existing = {env.name: env for env in pipeline.environments.all()}
    missing = [
        Environment(pipeline=pipeline, name=name, position=position)
        for position, name in enumerate(names)
        if name not in existing
    ]
    for env in missing:
        env.full_clean(validate_constraints=False)
        env.save(force_insert=True)
    if missing:
        record_changes(
            [
                change_record(
                    actor=actor,
                    via=via,
                    action=ChangeRecord.Action.CREATE,
                    obj=env,
                    after=snapshot(env),
                    parent=pipeline,
                )  # fmt: skip
                for env in missing
            ]
        )
    return sorted([*existing.values(), *missing], key=lambda env: env.position)
