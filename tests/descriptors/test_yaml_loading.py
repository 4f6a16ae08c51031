"""Bounded multi-document YAML and JSON: what is read, what is refused, and where."""

import json
import time

from descriptors.yaml_loading import load_documents, load_value

ENTITY = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n"


def load(text, **limits):
    return load_documents(text, source="catalog-info.yaml", **limits)


def messages(problems):
    return [(problem.document, problem.line, problem.message) for problem in problems]


def test_documents_keep_their_number_and_first_line_and_empty_ones_are_skipped():
    text = (
        "# comments first\n---\n" + ENTITY.format(name="a") + "---\n---\n" + ENTITY.format(name="b")
    )
    documents, problems = load(text)
    assert problems == []
    assert [(d.number, d.line, d.data["metadata"]["name"]) for d in documents] == [
        (1, 3, "a"),
        (3, 9, "b"),
    ]
    assert documents[0].source == "catalog-info.yaml"


def test_an_implicit_first_document_is_document_one():
    documents, _ = load(ENTITY.format(name="a") + "---\n" + ENTITY.format(name="b"))
    assert [(d.number, d.line) for d in documents] == [(1, 1), (2, 6)]


def test_values_are_read_as_yaml_1_2_like_backstage():
    documents, _ = load(
        'on: yes\nwhen: 2016-01-01T00:00:00Z\noctal: 010\nhex: 0x1F\nbool: true\nnone: ~\nfloat: 1.5\n"1": one\n'
    )
    assert documents[0].data == {
        "on": "yes",
        "when": "2016-01-01T00:00:00Z",
        "octal": 10,
        "hex": 31,
        "bool": True,
        "none": None,
        "float": 1.5,
        "1": "one",
    }


def test_a_document_that_is_not_a_mapping_is_refused_and_the_others_kept():
    documents, problems = load(
        ENTITY.format(name="a") + "---\n- a\n- b\n---\njust text\n---\n" + ENTITY.format(name="b")
    )
    assert [d.data["metadata"]["name"] for d in documents] == ["a", "b"]
    assert messages(problems) == [
        (2, 6, "document 2 is a list, not an entity mapping"),
        (3, 9, "document 3 is text, not an entity mapping"),
    ]


def test_a_syntax_error_costs_its_own_document_only():
    text = (
        ENTITY.format(name="a")
        + "---\nmetadata: [unclosed\nkind: x\n---\n"
        + ENTITY.format(name="b")
    )
    documents, problems = load(text)
    assert [d.data["metadata"]["name"] for d in documents] == ["a", "b"]
    [(number, line, message)] = messages(problems)
    assert number == 2 and line in (6, 7) and message.startswith("not valid YAML:")


def test_duplicate_keys_and_collection_keys_are_refused_with_their_line():
    _, problems = load("kind: a\nmetadata:\n  name: x\n  name: y\n")
    assert messages(problems) == [(1, 4, 'the key "name" appears twice in one mapping')]
    _, problems = load("? [a, b]\n: c\n")
    assert messages(problems) == [(1, 1, "a mapping key must be text, not a list or a mapping")]


def test_a_billion_laughs_is_refused_quickly():
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    lines += [f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    started = time.perf_counter()
    documents, problems = load("\n".join(lines) + "\n---\n" + ENTITY.format(name="after"))
    assert time.perf_counter() - started < 1
    assert [d.data["metadata"]["name"] for d in documents] == ["after"]
    assert problems[0].document == 1
    assert "aliases expand this document to more than 250000 values" in problems[0].message


def test_aliases_within_the_limit_are_shared_not_refused():
    documents, problems = load("base: &b {type: service}\none: *b\ntwo: *b\n")
    assert problems == []
    assert documents[0].data["one"] == documents[0].data["two"] == {"type": "service"}


def test_the_alias_budget_holds_across_documents():
    bomb = "a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]\nb: [" + ", ".join(["*a"] * 10) + "]\n"
    documents, problems = load("\n---\n".join([bomb] * 20), max_nodes=1000)
    assert len(documents) < 20 and problems
    assert all("aliases expand" in problem.message for problem in problems)


def test_a_recursive_alias_is_refused():
    _, problems = load("a: &a [x, *a]\n")
    assert len(problems) == 1 and problems[0].document == 1


def test_nesting_is_bounded_in_flow_and_block_style():
    _, problems = load("a: " + "[" * 70 + "]" * 70 + "\n")
    assert messages(problems) == [(1, 1, "nested more than 64 levels deep")]
    block = "".join("  " * level + f"k{level}:\n" for level in range(70)) + "  " * 70 + "leaf\n"
    _, problems = load(block)
    assert [p.message for p in problems] == ["nested more than 64 levels deep"]


def test_nesting_deep_enough_to_crash_libyaml_is_a_problem_not_a_crash():
    started = time.perf_counter()
    documents, problems = load(
        ENTITY.format(name="a") + "---\nx: " + "[" * 200_000 + "\n---\n" + ENTITY.format(name="b")
    )
    assert time.perf_counter() - started < 5
    assert [d.data["metadata"]["name"] for d in documents] == ["a", "b"]
    assert [p.document for p in problems] == [2]


def test_size_and_document_count_are_bounded():
    _, problems = load("a: " + "x" * 100 + "\n", max_bytes=50)
    assert messages(problems) == [(None, None, "the file is 104 bytes, more than the limit of 50")]
    documents, problems = load("\n".join(f"---\nn: {i}" for i in range(5)), max_documents=3)
    assert len(documents) == 3
    assert messages(problems) == [
        (4, None, "the file has more than 3 documents; the rest is not read")
    ]


def test_a_json_array_gives_one_document_per_element_with_its_line():
    text = json.dumps([{"kind": "Group"}, [1], {"kind": "API"}], indent=1)
    documents, problems = load(text)
    assert [(d.number, d.line, d.data) for d in documents] == [
        (1, 2, {"kind": "Group"}),
        (3, 8, {"kind": "API"}),
    ]
    assert messages(problems) == [(2, 5, "document 2 is a list, not an entity mapping")]


def test_a_json_object_and_yaml_flow_mappings_are_one_document():
    assert load('{"kind": "Group"}')[0][0].data == {"kind": "Group"}
    assert load("{kind: Group}")[0][0].data == {"kind": "Group"}


def test_deep_json_is_refused():
    _, problems = load('[{"a": ' + "[" * 100 + "]" * 100 + "}]")
    assert [p.message for p in problems] == ["nested more than 64 levels deep"]


def test_a_byte_order_mark_is_not_content():
    documents, problems = load("\ufeff---\n" + ENTITY.format(name="a"))
    assert problems == [] and documents[0].number == 1


def test_load_value_reads_one_document_of_any_shape():
    assert load_value("- a\n- b\n", source="x.yaml") == ["a", "b"]
    assert load_value('{"a": [1]}', source="x.json") == {"a": [1]}


def test_a_character_yaml_forbids_costs_its_own_document_only():
    documents, problems = load(
        ENTITY.format(name="a") + "---\ndescription: é \x07\n---\n" + ENTITY.format(name="b")
    )
    assert [d.data["metadata"]["name"] for d in documents] == ["a", "b"]
    assert messages(problems) == [
        (2, 6, "not valid YAML: control characters are not allowed (U+0007)")
    ]


def test_long_lines_and_many_brackets_that_do_not_nest_deeply_are_read():
    text = (
        "description: "
        + "long " * 400
        + "\ntags: ["
        + ", ".join("[a]" for _ in range(1200))
        + "]\n"
    )
    documents, problems = load(ENTITY.format(name="a") + "---\n" + text)
    assert problems == []
    assert (
        documents[1].data["tags"] == [["a"]] * 1200
        and len(documents[1].data["description"]) == 1999
    )
