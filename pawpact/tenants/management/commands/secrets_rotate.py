"""Re-encrypt every encrypted field with the newest key of PAWPACT_SECRET_KEYS.

The fields are listed in settings.PAWPACT_ENCRYPTED_FIELDS ("app_label.Model.field", all
in the public schema). Rotation: put a new key first in PAWPACT_SECRET_KEYS (keep the old
ones after it), deploy, run this command, then drop the old keys. It fails, changing
nothing, if any value cannot be opened with the keys configured.
"""

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from pawpact.tenants.secrets import SecretUnreadable, secret_rotate


class Command(BaseCommand):
    help = "Re-encrypt every stored secret with the first key of PAWPACT_SECRET_KEYS."

    def handle(self, *args, **options):
        rotated = 0
        with transaction.atomic():
            for path in settings.PAWPACT_ENCRYPTED_FIELDS:
                label, model_name, field = path.rsplit(".", 2)
                model = apps.get_model(label, model_name)
                for row in model.objects.select_for_update().exclude(**{field: ""}).order_by("pk"):
                    try:
                        setattr(row, field, secret_rotate(getattr(row, field)))
                    except SecretUnreadable as error:
                        raise CommandError(f"{model_name} {row.pk}: {error}") from None
                    row.save(update_fields=[field])
                    rotated += 1
        self.stdout.write(f"{rotated} secret(s) re-encrypted with the newest key.")
