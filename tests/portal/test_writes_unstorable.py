"""Importers and jobs reach the actions without a form: the write layer still refuses
what the database cannot store, as field errors."""

import pytest
from django.core.exceptions import ValidationError

from catalog import actions

pytestmark = pytest.mark.django_db


def test_values_the_database_cannot_store_are_field_errors(service, member):
    with pytest.raises(ValidationError) as e:
        actions.update_service(service, actor=member, via="api", description=None, name="a\x00b")
    assert e.value.message_dict == {
        "description": ["This field cannot be null."],
        "name": ["Null characters are not allowed."],
    }
