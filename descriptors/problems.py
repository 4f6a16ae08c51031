"""What went wrong where, for the import report: one shape for every reading step."""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Problem:
    """One refusal: the file (``source``), the 1-based document number and line where known,
    the entity reference when one could be read, and a message a person can act on."""

    source: str
    document: int | None
    line: int | None
    ref: str | None
    message: str

    def __str__(self) -> str:
        where = self.source
        if self.document is not None:
            where += f" document {self.document}"
        if self.line is not None:
            where += f" (line {self.line})"
        if self.ref:
            where += f" {self.ref}"
        return f"{where}: {self.message}"
