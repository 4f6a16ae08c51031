"""Templates cannot run code, read outside themselves or write outside the output folder;
parameters are data; names that reach git or the disk are checked first."""

import json
import shutil
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from scaffolding.providers.local import repository_path
from scaffolding.registry import TemplateError, get_template, load_template
from scaffolding.rendering import RenderError, render
from scaffolding.safety import check_repository_name, check_tree, contained_path

from .conftest import http_params

SHIPPED = Path(get_template("python-http-service").path)


def copy_template(tmp_path, name="evil", copier_extra="", files=None):
    """A copy of the shipped HTTP template with extra copier.yml lines and files."""
    folder = tmp_path / "templates" / name
    shutil.copytree(SHIPPED, folder)
    with open(folder / "copier.yml", "a") as f:
        f.write(copier_extra)
    for relative, text in (files or {}).items():
        path = folder / "template" / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return folder


def test_a_parameter_that_looks_like_jinja_is_written_literally(tmp_path):
    template = get_template("python-http-service")
    values = template.validate(
        http_params(name="{{ 7*7 }}", description="{% raw %}{{ cycler.__init__.__globals__ }}"),
        teams=["payments"],
    )

    render(template, values, tmp_path / "out")

    readme = (tmp_path / "out" / "README.md").read_text()
    assert "# {{ 7*7 }}" in readme and "49" not in readme
    assert "{% raw %}{{ cycler.__init__.__globals__ }}" in readme


def test_the_sandbox_refuses_template_code_that_reaches_for_python_internals(tmp_path):
    folder = copy_template(
        tmp_path,
        files={"pwn.txt.jinja": "{{ ''.__class__.__mro__[1].__subclasses__() }}"},
    )
    with pytest.raises(RenderError, match="unsafe|access"):
        render(
            load_template(folder),
            get_template("python-http-service").validate(http_params(), teams=["payments"]),
            tmp_path / "out",
        )


def test_a_template_cannot_include_files_outside_itself(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("top secret")
    folder = copy_template(
        tmp_path, files={"leak.txt.jinja": "{% include '../../../secret.txt' %}"}
    )
    with pytest.raises(RenderError):
        render(
            load_template(folder),
            get_template("python-http-service").validate(http_params(), teams=["payments"]),
            tmp_path / "out",
        )
    assert not any(
        "top secret" in p.read_text() for p in (tmp_path / "out").rglob("*") if p.is_file()
    )


@pytest.mark.parametrize("key", ["_tasks", "_migrations", "_jinja_extensions", "_external_data"])
def test_templates_asking_for_unsafe_copier_features_are_refused(tmp_path, key):
    folder = copy_template(tmp_path, copier_extra=f"\n{key}:\n  - touch /tmp/pwned\n")
    with pytest.raises(TemplateError, match="Copier features Keel refuses"):
        load_template(folder)


def test_a_template_whose_questions_differ_from_its_schema_is_refused(tmp_path):
    folder = copy_template(tmp_path, copier_extra="\nextra_question:\n  type: str\n")
    with pytest.raises(TemplateError, match="differ"):
        load_template(folder)


def test_a_rendered_file_name_cannot_leave_the_output_folder(tmp_path):
    folder = copy_template(tmp_path, files={"{{ description }}.txt": "x"})
    values = get_template("python-http-service").validate(
        http_params(description="../../escaped"), teams=["payments"]
    )
    with pytest.raises(RenderError, match="forbidden"):
        render(load_template(folder), values, tmp_path / "work" / "out")
    assert not (tmp_path / "escaped.txt").exists()
    assert not (tmp_path / "work" / "escaped.txt").exists()


def test_a_link_in_the_rendered_tree_is_refused(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "link").symlink_to("/etc/passwd")
    with pytest.raises(ValidationError, match="link"):
        check_tree(tmp_path / "out")


@pytest.mark.parametrize(
    "name",
    [
        "--upload-pack=touch /tmp/x",
        "-x",
        "../etc",
        "a/b",
        ".git",
        "orders.git",
        "Orders",
        "a--b",
        "",
        "x" * 64,
        "orders\n",
        "1orders",
    ],
)
def test_unsafe_repository_names_are_refused(name):
    with pytest.raises(ValidationError):
        check_repository_name(name)
    with pytest.raises(ValidationError):
        repository_path(name)


def test_safe_names_pass():
    assert check_repository_name("orders-api") == "orders-api"


def test_contained_path_refuses_traversal(tmp_path):
    assert contained_path(tmp_path, "a/b") == (tmp_path / "a" / "b").resolve()
    with pytest.raises(ValidationError):
        contained_path(tmp_path, "../x")
    with pytest.raises(ValidationError):
        contained_path(tmp_path, "/etc/passwd")


def test_the_schema_refuses_option_injection_and_traversal_in_the_slug():
    template = get_template("python-http-service")
    for slug in ["--upload-pack=x", "../../etc", "a/b"]:
        with pytest.raises(ValidationError) as refused:
            template.validate(http_params(slug=slug), teams=["payments"])
        assert list(refused.value.message_dict) == ["slug"]


def test_shipped_schemas_are_valid_json_schema():
    for slug in ("python-http-service", "python-worker"):
        template = get_template(slug)
        assert template.schema["$schema"].endswith("2020-12/schema")
        json.dumps(template.schema_for(["payments"], ["orders"]))
