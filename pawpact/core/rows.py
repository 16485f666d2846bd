"""Models read by one fixed SQL statement on the hot path of every request.

Building a queryset's SQL costs more than the round trip for a one-row lookup that every
request makes (a device token, the shop of a host: a third of a small read's time under
load). These lookups keep the ORM's semantics (the same tables on the same search path, every
concrete column, instances built by `Model.from_db`) but compose their statement once per
process.
"""
from django.db import models


def columns(model: type[models.Model], alias: str) -> str:
    """Every concrete column of `model`, qualified by `alias`, in `from_db`'s order."""
    return ", ".join(f'{alias}."{field.column}"' for field in model._meta.concrete_fields)


def instance(model: type[models.Model], row: tuple, start: int, db: str = "default") -> models.Model:
    """The `model` instance whose columns begin at `row[start]` (as `columns` listed them)."""
    names = [field.attname for field in model._meta.concrete_fields]
    return model.from_db(db, names, row[start : start + len(names)])


def width(model: type[models.Model]) -> int:
    return len(model._meta.concrete_fields)
