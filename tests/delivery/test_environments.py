"""A pipeline's environments come from its stages, once, with their history."""

from delivery import environments
from portal.audit import history_for, system_actor
from portal.models import ChangeRecord, Interface


def test_environments_follow_the_stages_and_are_made_once(repository):
    pipeline = repository.pipeline
    actor = system_actor()

    first = environments.ensure(pipeline, actor=actor, via=Interface.JOB)
    again = environments.ensure(pipeline, actor=actor, via=Interface.JOB)

    assert [(env.name, env.position) for env in first] == [("staging", 0), ("production", 1)]
    assert [env.pk for env in again] == [env.pk for env in first]
    assert first[0].target == "embedded" and first[0].current is None
    records = [history_for(env).get() for env in first]
    assert {record.action for record in records} == {ChangeRecord.Action.CREATE}
