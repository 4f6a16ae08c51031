"""Pages of a connection agree with a count of the matching rows, and count them only when the
query asks for the number: a first page costs the same however large the catalog."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog.factories import ServiceFactory


@pytest.fixture
def five(team):
    return [ServiceFactory(slug=f"svc-{n}", owner_team=team) for n in range(5)]


def _page(gql, arguments: str, fields: str = "") -> tuple[dict, list[str]]:
    query = f"""{{ services{f"({arguments})" if arguments else ""} {{ {fields}
      pageInfo {{ hasNextPage hasPreviousPage startCursor endCursor }}
      edges {{ cursor node {{ slug }} }}
    }} }}"""
    with CaptureQueriesContext(connection) as queries:
        data = gql(query)["services"]
    return data, [q["sql"] for q in queries.captured_queries]


@pytest.mark.parametrize(
    "arguments",
    [
        "first: 2",
        "first: 5",
        "first: 9",
        "first: 0",
        'first: 2, after: "YXJyYXljb25uZWN0aW9uOjE="',  # after the second
        'first: 2, after: "YXJyYXljb25uZWN0aW9uOjM="',  # after the fourth
        'first: 2, after: "YXJyYXljb25uZWN0aW9uOjk="',  # past the end
        'first: 2, after: "not a cursor"',
        "first: 2, offset: 3",
        "offset: 4",
        "",
    ],
)
def test_a_page_without_its_count_is_the_page_with_it(member_gql, five, arguments):
    counted, _ = _page(member_gql, arguments, "totalCount")
    uncounted, statements = _page(member_gql, arguments)

    assert counted.pop("totalCount") == 5
    assert uncounted == counted
    assert not any("COUNT(" in sql for sql in statements)


@pytest.mark.parametrize("arguments", ["last: 2", 'first: 2, before: "YXJyYXljb25uZWN0aW9uOjQ="'])
def test_paging_backwards_counts_the_rows(member_gql, five, arguments):
    page, statements = _page(member_gql, arguments)

    assert page["edges"]
    assert any("COUNT(" in sql for sql in statements)
