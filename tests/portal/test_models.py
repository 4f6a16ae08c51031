"""The shared base: DNS-label slugs, and turning database refusals into readable errors."""

import pytest
from django.core.exceptions import ValidationError

from catalog import actions as catalog_actions
from catalog.factories import ServiceFactory
from catalog.models import Service
from portal import writes
from portal.audit import system_actor
from portal.models import SLUG_MAX_LENGTH, ChangeRecord, validate_slug


@pytest.mark.parametrize("slug", ["ab", "a9", "abc-123", "a" * 63, "x-y-z", "console", "com10"])
def test_dns_labels_pass_the_slug_validator(slug):
    validate_slug(slug)  # no error


@pytest.mark.parametrize(
    "slug",
    [
        "A",
        "a_b",
        "-a",
        "a-",
        "a" * 64,
        "ä",
        "a b",
        "a.b",
        "a\n",
        "\na",
        "a/b",
        "-",
        "a",
        "9",
        "0-0",
        "1abc",
        "a--b",
        "con",
        "nul",
        "aux",
        "prn",
        "com1",
        "lpt9",
        12,
        None,
    ],  # fmt: skip
)
def test_everything_else_fails_the_slug_validator_with_its_rule(slug):
    with pytest.raises(ValidationError) as excinfo:
        validate_slug(slug)

    assert excinfo.value.code == "invalid_slug"
    assert "Use a DNS label that starts with a letter" in excinfo.value.message or (
        "reserved (a Windows device name)" in excinfo.value.message
    )


def test_slugs_are_at_most_one_dns_label_long():
    assert SLUG_MAX_LENGTH == 63
    assert Service._meta.get_field("slug").max_length == 63


def test_a_concurrent_duplicate_is_explained_on_the_field(service, monkeypatch, db):
    # Given a row that model validation did not see (a concurrent writer won the race)
    late = Service(slug="checkout", name="Late", owner_team=service.owner_team)

    # When it is saved
    with pytest.raises(ValidationError) as excinfo:
        writes._save(late)

    # Then the error names the field, as validation would have
    assert "already taken" in excinfo.value.message_dict["slug"][0]
    assert Service.objects.count() == 1


def test_an_unexplained_integrity_error_asks_to_try_again(service, db):
    late = Service(slug="checkout", name="Late", owner_team=service.owner_team)
    late.full_clean = lambda: None  # the other writer's row is not visible yet

    with pytest.raises(ValidationError) as excinfo:
        writes._save(late)

    assert excinfo.value.messages == [
        "This change conflicts with another change made at the same time; try again."
    ]


def test_save_new_validates_before_writing(team, db):
    records = ChangeRecord.objects.count()

    with pytest.raises(ValidationError):
        writes.save_new(
            Service(slug="Bad Slug", name="B", owner_team=team), actor=system_actor(), via="ui"
        )

    assert not Service.objects.exists()
    assert ChangeRecord.objects.count() == records


def test_save_changes_refuses_fields_outside_editable_before_touching_anything(service, db):
    with pytest.raises(ValidationError) as excinfo:
        writes.save_changes(
            service,
            {"name": "New", "slug": "new", "tier": 1},
            actor=system_actor(),
            via="ui",
            editable={"name"},
        )

    assert excinfo.value.message_dict == {
        "slug": ["A slug never changes once created."],
        "tier": ["This field cannot be changed here."],
    }
    assert Service.objects.get(pk=service.pk).name == "Checkout"


def test_an_action_on_a_stale_copy_changes_the_stored_row(service, db):
    # writes.locked reads the row again under its lock; save_changes works on that copy
    stale = Service.objects.get(pk=service.pk)
    ServiceFactory._meta.model.objects.filter(pk=service.pk).update(language="go")

    fresh = catalog_actions.update_service(stale, actor=system_actor(), via="ui", name="Till")

    assert (fresh.name, fresh.language) == ("Till", "go")
    record = ChangeRecord.objects.filter(action="update").get()
    assert record.changed_fields == ["name"]
