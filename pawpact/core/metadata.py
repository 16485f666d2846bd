"""`metadata`: a developer's own key-value pairs on a record (their order number, their CRM
id), stored as given and never read by Pawpact. Stripe's rules: at most 50 keys, keys up to
40 characters, values strings up to 500 characters. An update merges: keys given are set, a
key set to "" is removed, keys not given stay."""
from django.db import transaction
from django.utils.translation import gettext as _

from pawpact.core.errors import ValidationFailed

MAX_KEYS = 50
MAX_KEY_LENGTH = 40
MAX_VALUE_LENGTH = 500


def metadata_errors(metadata: object, *, field: str = "metadata") -> dict[str, list[str]]:
    """What is wrong with `metadata` as a whole and per key, by field path ("metadata.<key>")."""
    if not isinstance(metadata, dict):
        return {field: [_("Send an object of string keys and string values.")]}
    errors: dict[str, list[str]] = {}
    for key, value in metadata.items():
        if not isinstance(key, str) or not 1 <= len(key) <= MAX_KEY_LENGTH or "\x00" in key:
            errors.setdefault(field, []).append(_("Keys are 1 to %(max)d characters.") % {"max": MAX_KEY_LENGTH})
        # PostgreSQL's jsonb holds no NUL character.
        elif not isinstance(value, str) or len(value) > MAX_VALUE_LENGTH or "\x00" in value:
            errors[f"{field}.{key}"] = [_("Values are strings of at most %(max)d characters.") % {"max": MAX_VALUE_LENGTH}]
    return errors


def metadata_merged(current: dict, changes: dict | None) -> dict:
    """`current` with `changes` applied ("" removes a key); refused when the result has too many keys."""
    if changes is None:
        return current
    errors = metadata_errors(changes)
    if errors:
        raise ValidationFailed(_("Some fields are invalid."), fields=errors)
    merged = {**current, **changes}
    merged = {key: value for key, value in merged.items() if value != ""}
    if len(merged) > MAX_KEYS:
        raise ValidationFailed(
            _("Some fields are invalid."),
            fields={"metadata": [_("At most %(max)d keys.") % {"max": MAX_KEYS}]},
        )
    return merged


def metadata_update(*, record, changes: dict):
    """Merge `changes` into a record's metadata under a row lock (two updates never lose a key)."""
    with transaction.atomic():
        locked = type(record).objects.select_for_update(of=("self",)).only("pk", "metadata").get(pk=record.pk)
        record.metadata = metadata_merged(locked.metadata, changes)
        type(record).objects.filter(pk=record.pk).update(metadata=record.metadata)
    return record
