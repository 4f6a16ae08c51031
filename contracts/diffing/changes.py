"""What a comparison finds: changes with a level, and the verdict they add up to."""

import enum
from dataclasses import dataclass, field


class Level(enum.StrEnum):
    """How a change affects consumers, worst first."""

    BREAKING = "breaking"
    POTENTIALLY_BREAKING = "potentially-breaking"
    # Deprecations and sunset dates break nobody today but announce what will.
    DEPRECATION = "deprecation"
    NON_BREAKING = "non-breaking"


_RANK = {level: rank for rank, level in enumerate(Level)}


@dataclass(frozen=True)
class Change:
    """One difference between two versions.

    ``rule`` is a stable id (``openapi.path-removed``) that tests, policies and clients can key
    on; ``location`` says where in words a person reads (``GET /pets/{petId}``,
    ``Query.pets(limit)``, ``pets.v1.Pet.name``, ``channel user/signedup``); ``pointer`` is the
    JSON pointer into the document where there is one; ``message`` is the sentence shown.
    """

    level: Level
    rule: str
    location: str
    message: str
    pointer: str = ""

    def as_dict(self) -> dict:
        return {
            "level": str(self.level),
            "rule": self.rule,
            "location": self.location,
            "pointer": self.pointer,
            "message": self.message,
        }


@dataclass
class Comparison:
    """The changes from ``base`` to ``revision``, and what stood in the way of comparing.

    ``problems`` are validation messages of either side (the documents were compared anyway);
    ``comparable`` is False when a side could not be parsed at all, and then ``changes`` holds
    one potentially breaking ``could-not-compare`` change that says why.
    """

    changes: list[Change] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    comparable: bool = True

    @property
    def verdict(self) -> str:
        """The worst level among the changes, or "unchanged"."""
        if not self.changes:
            return "unchanged"
        return str(min((change.level for change in self.changes), key=_RANK.__getitem__))

    @property
    def breaking(self) -> list[Change]:
        return [change for change in self.changes if change.level == Level.BREAKING]

    def counts(self) -> dict[str, int]:
        counted = {str(level): 0 for level in Level}
        for change in self.changes:
            counted[str(change.level)] += 1
        return counted

    def as_dict(self) -> dict:
        return {
            "verdict": self.verdict,
            "comparable": self.comparable,
            "counts": self.counts(),
            "changes": [change.as_dict() for change in self.sorted()],
            "problems": list(self.problems),
        }

    def sorted(self) -> list[Change]:
        """Worst first, then by location, so the same two documents always list alike."""
        return sorted(self.changes, key=lambda c: (_RANK[c.level], c.location, c.rule, c.message))
