"""Trees of descriptor files followed through Locations, never out of their root."""

import os

import httpx

from descriptors.fetching import make_fetch
from descriptors.trees import read_tree


def component(name):
    return (
        f"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n"
        "spec:\n  type: service\n  lifecycle: production\n  owner: team-a\n"
    )


def location(name, *targets, type_="file"):
    lines = "".join(f"    - {target}\n" for target in targets)
    return f"apiVersion: backstage.io/v1alpha1\nkind: Location\nmetadata:\n  name: {name}\nspec:\n  type: {type_}\n  targets:\n{lines}"


def write(root, files):
    for relative, text in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def names(reading):
    return sorted(entity.ref.name for entity in reading.entities)


def messages(reading):
    return [(problem.source, problem.ref, problem.message) for problem in reading.problems]


def test_locations_are_followed_relative_to_their_own_file(tmp_path):
    write(
        tmp_path,
        {
            "catalog-info.yaml": location("root", "./teams/all.yaml") + "---\n" + component("web"),
            "teams/all.yaml": location("teams", "./a/catalog-info.yaml", "b.yaml"),
            "teams/a/catalog-info.yaml": component("a"),
            "teams/b.yaml": component("b"),
        },
    )
    reading = read_tree(tmp_path, "catalog-info.yaml")
    assert reading.problems == []
    assert names(reading) == ["a", "b", "root", "teams", "web"]
    assert reading.files_read == [
        "catalog-info.yaml",
        "teams/all.yaml",
        "teams/a/catalog-info.yaml",
        "teams/b.yaml",
    ]
    located = next(entity for entity in reading.entities if entity.ref.name == "a")
    assert (located.source, located.document) == ("teams/a/catalog-info.yaml", 1)


def test_a_target_outside_the_root_is_refused(tmp_path):
    root = tmp_path / "repo"
    write(tmp_path, {"secret.yaml": component("secret")})
    write(
        root,
        {
            "catalog-info.yaml": location(
                "root", "../secret.yaml", "./x/../../secret.yaml", str(tmp_path / "secret.yaml")
            )
        },
    )
    reading = read_tree(root, "catalog-info.yaml")
    assert names(reading) == ["root"]
    assert [message for *_, message in messages(reading)] == [
        '"../secret.yaml" is outside the repository; targets must stay inside it',
        '"./x/../../secret.yaml" is outside the repository; targets must stay inside it',
        f'"{tmp_path / "secret.yaml"}" is outside the repository; targets must stay inside it',
    ]
    assert (
        reading.problems[0].source == "catalog-info.yaml"
        and reading.problems[0].ref == "location:default/root"
    )


def test_an_entry_outside_the_root_is_refused(tmp_path):
    reading = read_tree(tmp_path / "repo", "../../etc/passwd")
    assert messages(reading) == [
        (
            "../../etc/passwd",
            None,
            '"../../etc/passwd" is outside the repository; targets must stay inside it',
        )
    ]


def test_a_symbolic_link_that_leaves_the_root_is_refused(tmp_path):
    root = tmp_path / "repo"
    write(tmp_path, {"outside/catalog-info.yaml": component("secret")})
    write(
        root,
        {
            "catalog-info.yaml": location(
                "root", "./linked.yaml", "./folder/catalog-info.yaml", "./**/catalog-info.yaml"
            )
        },
    )
    os.symlink(tmp_path / "outside/catalog-info.yaml", root / "linked.yaml")
    os.symlink(tmp_path / "outside", root / "folder")
    os.symlink(tmp_path / "outside/catalog-info.yaml", root / "glob-catalog-info.yaml")
    (root / "deep").mkdir()
    os.symlink(tmp_path / "outside/catalog-info.yaml", root / "deep/catalog-info.yaml")
    reading = read_tree(root, "catalog-info.yaml")
    assert names(reading) == ["root"]
    assert sorted(message for *_, message in messages(reading)) == sorted(
        [
            '"./linked.yaml" is a symbolic link that leads out of the repository',
            '"./folder/catalog-info.yaml" is a symbolic link that leads out of the repository',
            f'"{root / "deep/catalog-info.yaml"}" is a symbolic link that leads out of the repository',
        ]
    )


def test_a_symbolic_link_inside_the_root_is_followed(tmp_path):
    write(
        tmp_path,
        {"catalog-info.yaml": location("root", "./alias.yaml"), "real.yaml": component("real")},
    )
    os.symlink(tmp_path / "real.yaml", tmp_path / "alias.yaml")
    assert names(read_tree(tmp_path, "catalog-info.yaml")) == ["real", "root"]


def test_a_loop_is_reported_and_each_file_read_once(tmp_path):
    write(
        tmp_path,
        {
            "catalog-info.yaml": location("root", "./a.yaml"),
            "a.yaml": location("a", "./b.yaml"),
            "b.yaml": location("b", "../" + tmp_path.name + "/catalog-info.yaml", "./a.yaml"),
        },
    )
    reading = read_tree(tmp_path, "catalog-info.yaml")
    assert names(reading) == ["a", "b", "root"]
    assert reading.files_read == ["catalog-info.yaml", "a.yaml", "b.yaml"]
    assert messages(reading) == [
        (
            "b.yaml",
            "location:default/b",
            "catalog-info.yaml was already read (a location loop, or a second location for it); it is not read again",
        ),
        (
            "b.yaml",
            "location:default/b",
            "a.yaml was already read (a location loop, or a second location for it); it is not read again",
        ),
    ]


def test_a_glob_finds_files_at_any_depth_and_skips_what_is_already_read(tmp_path):
    write(
        tmp_path,
        {
            "catalog-info.yaml": location("root", "./**/catalog-info.yaml", "./apis/*.yaml"),
            "services/a/catalog-info.yaml": component("a"),
            "services/b/nested/catalog-info.yaml": component("b"),
            "apis/x.yaml": component("x"),
            "apis/notes.txt": "not yaml",
            ".git/catalog-info.yaml": component("hidden"),
        },
    )
    reading = read_tree(tmp_path, "catalog-info.yaml")
    assert reading.problems == []
    assert names(reading) == ["a", "b", "root", "x"]


def test_missing_files_and_folders_are_reported_on_the_location(tmp_path):
    write(
        tmp_path,
        {
            "catalog-info.yaml": location("root", "./missing.yaml", "./folder"),
            "folder/x.yaml": component("x"),
        },
    )
    reading = read_tree(tmp_path, "catalog-info.yaml")
    assert [message for *_, message in messages(reading)] == [
        "missing.yaml does not exist",
        "folder is a folder, not a file",
    ]
    assert reading.problems[0].line == 1


def test_files_and_bytes_in_all_are_bounded(tmp_path):
    write(
        tmp_path,
        {
            "catalog-info.yaml": location("root", "a.yaml", "b.yaml", "c.yaml"),
            **{f"{n}.yaml": component(n) for n in "abc"},
        },
    )
    reading = read_tree(tmp_path, "catalog-info.yaml", max_files=3)
    assert names(reading) == ["a", "b", "root"]
    assert [message for *_, message in messages(reading)] == [
        "more than 3 files; c.yaml is not read"
    ]
    reading = read_tree(tmp_path, "catalog-info.yaml", max_total_bytes=300)
    assert "bytes in all" in reading.problems[0].message


def test_an_entity_in_two_files_is_refused_in_the_second(tmp_path):
    write(
        tmp_path,
        {
            "catalog-info.yaml": location("root", "a.yaml", "b.yaml"),
            "a.yaml": component("x"),
            "b.yaml": component("X"),
        },
    )
    reading = read_tree(tmp_path, "catalog-info.yaml")
    assert messages(reading) == [
        (
            "b.yaml",
            "component:default/x",
            "component:default/x is already defined in a.yaml document 1",
        )
    ]


def test_bad_documents_in_one_file_do_not_stop_the_others(tmp_path):
    write(
        tmp_path,
        {
            "catalog-info.yaml": location("root", "a.yaml", "b.yaml"),
            "a.yaml": "- a list\n",
            "b.yaml": component("b"),
        },
    )
    reading = read_tree(tmp_path, "catalog-info.yaml")
    assert names(reading) == ["b", "root"]
    assert messages(reading) == [("a.yaml", None, "document 1 is a list, not an entity mapping")]


def test_url_targets_are_fetched_from_allowed_hosts_only(tmp_path):
    served = {
        "https://git.example.com/org/catalog.yaml": location(
            "remote", "./service.yaml", type_="url"
        ),
        "https://git.example.com/org/service.yaml": component("remote-service"),
    }
    transport = httpx.MockTransport(
        lambda request: (
            httpx.Response(200, text=served[str(request.url)])
            if str(request.url) in served
            else httpx.Response(404)
        )
    )
    write(
        tmp_path,
        {
            "catalog-info.yaml": location(
                "root",
                "https://git.example.com/org/catalog.yaml",
                "https://evil.example.net/x.yaml",
                type_="url",
            )
        },
    )
    reading = read_tree(
        tmp_path, "catalog-info.yaml", fetch=make_fetch(["git.example.com"], transport=transport)
    )
    assert names(reading) == ["remote", "remote-service", "root"]
    assert reading.files_read[1:] == [
        "https://git.example.com/org/catalog.yaml",
        "https://git.example.com/org/service.yaml",
    ]
    assert [message for *_, message in messages(reading)] == [
        "evil.example.net is not an allowed host for reading catalog files (KEEL_CATALOG_FETCH_HOSTS)"
    ]


def test_without_fetch_no_url_is_read(tmp_path):
    write(
        tmp_path,
        {"catalog-info.yaml": location("root", "https://git.example.com/x.yaml", type_="url")},
    )
    reading = read_tree(tmp_path, "catalog-info.yaml")
    assert [message for *_, message in messages(reading)] == [
        "https://git.example.com/x.yaml is a URL, and this reading fetches nothing (no hosts are allowed)"
    ]


def test_an_unknown_location_type_is_reported(tmp_path):
    write(tmp_path, {"catalog-info.yaml": location("root", "org/repo", type_="github-org")})
    reading = read_tree(tmp_path, "catalog-info.yaml")
    assert [message for *_, message in messages(reading)] == [
        'the location type "github-org" is not read here; use file or url'
    ]
