"""The importer's short cuts give what the long way gives: its field validation (which skips a
field's clean() where that provably changes nothing) reports the same errors, in the same order,
and leaves the same values as Model.clean_fields(), for valid and invalid values of every field
of every imported model."""

import copy
import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from exchange.importer import TABLES, clean_fields

pytestmark = pytest.mark.django_db

ODD_VALUES = [
    None, "", "x", "x" * 70_000, "a\x00b", "not a slug!", "published", "draft", "IQ", "day",
    "responsibility", "current", 0, -1, 5, 2**40, 2**70, True, Decimal("1.5"),
    Decimal("123456789.123456789"), datetime.date(2024, 2, 29), datetime.time(12, 30),
    datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC), [1],
]  # fmt: skip


def outcome(function, obj):
    try:
        function(obj)
    except ValidationError as error:
        errors = {name: [str(m) for m in messages] for name, messages in error.message_dict.items()}
        return list(errors.items())
    except (TypeError, ValueError) as error:  # a value no parser of the importer gives
        return f"{type(error).__name__}: {error}"
    return "valid"


@pytest.mark.filterwarnings("ignore:DateTimeField .* received a naive datetime")
@pytest.mark.parametrize("name", sorted({table.model.__name__: n for n, table in TABLES.items()}))
def test_the_importers_field_validation_is_model_clean_fields(name):
    model = next(t.model for t in TABLES.values() if t.model.__name__ == name)
    fields = [f for f in model._meta.fields if not f.is_relation]
    for model_field in fields:
        for value in ODD_VALUES:
            quick = model()
            setattr(quick, model_field.attname, value)
            slow = copy.copy(quick)
            assert outcome(lambda o: clean_fields(o, set()), quick) == outcome(
                lambda o: o.clean_fields(), slow
            ), (model_field.name, value)
            assert [getattr(quick, f.attname) for f in fields] == [
                getattr(slow, f.attname) for f in fields
            ], (model_field.name, value)
