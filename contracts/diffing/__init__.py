"""Compare two specifications of the same API type, without touching the database.

``compare(api_type, base, revision)`` takes the two documents as text and returns a
``Comparison``: the changes, each with a level, a stable rule id, a location and a sentence,
plus any validation problems of either side. A document the validator refuses is still compared
where it can be parsed; one that cannot be parsed at all gives a comparison that says so and
counts as potentially breaking, so a diff that could not be computed never passes silently.

One module per API type holds its rules (``openapi``, ``asyncapi``, ``graphql``, ``protobuf``);
``schemas`` compares JSON Schemas for the two that carry them.
"""

from .changes import Change, Comparison, Level
from .comparing import compare, compare_valid

__all__ = ["Change", "Comparison", "Level", "compare", "compare_valid"]
