"""The hostile GraphQL documents of issue 8, point 7, each with the start of the error that
refuses it. The tests send each one; ``benchmarks/graphql_limits.py`` times their refusal."""


def repeated_field(times: int) -> str:
    """One field written ``times`` times: validation compares every pair of them."""
    return "{ services { " + "totalCount " * times + "} }"


def many_tokens(count: int) -> str:
    """``count`` tokens in under 2 characters each: the character cap lets them through."""
    return "{ " + "a " * (count - 2) + "}"


def doubling_fragments(levels: int) -> str:
    """Each fragment spreads the next one twice: about 40 characters a level stand for
    2^levels fields."""
    fragments = [f"fragment F{n} on Query {{ ...F{n + 1} ...F{n + 1} }}" for n in range(levels)]
    return "\n".join(["{ ...F0 }", *fragments, f"fragment F{levels} on Query {{ __typename }}"])


CIRCULAR_FRAGMENTS = "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }"


def nested(levels: int) -> str:
    """Selections nested ``levels`` deep: service { ownerTeam { services { ownerTeam ... } } }."""
    fields = ["ownerTeam", "services"]
    inner = "slug"
    for level in range(levels - 1):
        inner = f"{fields[level % 2]} {{ {inner} }}"
    return f'{{ service(slug: "checkout") {{ {inner} }} }}'


def aliases(count: int) -> str:
    return "{ " + " ".join(f"a{n}: services {{ totalCount }}" for n in range(count)) + " }"


def fragment_chain(length: int) -> str:
    """Fragments spreading one another ``length`` deep, one field in all."""
    chain = [f"fragment F{n} on Query {{ ...F{n + 1} }}" for n in range(length)]
    return "\n".join(["{ ...F0 }", *chain, f"fragment F{length} on Query {{ __typename }}"])


# A page of 500 services, each with its team's services and their teams' members.
EXPENSIVE = (
    "{ services(first: 500) { edges { node { slug ownerTeam { services { slug "
    "ownerTeam { members { user { username } } } } } } } } }"
)

# (name, document, the start of the refusal's message); sizes are those the issue reports.
DOCUMENTS = [
    (
        "the same field 9,000 times",
        repeated_field(9000),
        "Syntax Error: Document contains more than",
    ),
    ("the same field 200 times", repeated_field(200), "The document has 201 fields;"),
    (
        "a field with arguments 75 times",
        "{ " + 'services(q: "a", first: 1) { totalCount } ' * 75 + "}",
        "The document has 150 fields; the limit is 100.",
    ),
    ("50,000 tokens", many_tokens(50_000), "Syntax Error: Document contains more than"),
    ("fragments doubling over 29 levels", doubling_fragments(29), "The query costs 536,870,912;"),
    ("a circular fragment", CIRCULAR_FRAGMENTS, "Fragment 'A' spreads itself: A -> B -> A."),
    ("nesting of 250 levels", nested(250), "Syntax Error: The document nests more than 64"),
    (
        "an integer of 5,000 digits",  # int() refuses 4,300 digits, in validation
        "{ services(first: " + "1" * 5000 + ") { totalCount } }",
        "Syntax Error: Integer literal longer than 20 digits.",
    ),
    ("nesting of 11 levels", nested(11), "The query is 11 levels deep"),
    ("2,000 aliases", aliases(2000), "Syntax Error: Document contains more than"),
    ("16 aliases", aliases(16), "The query uses more than 15 aliases."),
    ("a chain of 100 fragments", fragment_chain(100), "The query nests more than 64 levels"),
    ("500 services x teams x services x members", EXPENSIVE, "The query costs 117,501;"),
]
