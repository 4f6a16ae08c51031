"""The publishing policy ``contracts`` installs in the catalog (``catalog.publishing``):
a breaking change needs a major version, and a breaking version waits at the gate."""

from . import gate, judging


class ContractGovernance:
    def refusals(self, versions: list) -> list:
        return [judgement.refusal for judgement in judging.judge(versions)]

    def published(self, versions: list, *, actor, via: str) -> None:
        if versions:
            gate.record(judging.judge(versions), actor=actor, via=via)
