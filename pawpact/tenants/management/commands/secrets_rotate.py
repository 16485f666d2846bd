"""Re-encrypt every stored provider secret with the newest key of PAWPACT_SECRET_KEYS.

Rotation: put a new key first in PAWPACT_SECRET_KEYS (keep the old ones after it), deploy,
run this command, then drop the old keys. It fails, changing nothing, if any secret cannot
be opened with the keys configured.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from pawpact.tenants.models import ShopCredential
from pawpact.tenants.secrets import SecretUnreadable, secret_rotate


class Command(BaseCommand):
    help = "Re-encrypt every provider secret with the first key of PAWPACT_SECRET_KEYS."

    def handle(self, *args, **options):
        rotated = 0
        with transaction.atomic():
            for credential in ShopCredential.objects.select_for_update().order_by("id"):
                try:
                    credential.secret_ciphertext = secret_rotate(credential.secret_ciphertext)
                except SecretUnreadable as error:
                    raise CommandError(f"credential {credential.pk} ({credential.provider}): {error}") from None
                credential.save(update_fields=["secret_ciphertext"])
                rotated += 1
        self.stdout.write(f"{rotated} secret(s) re-encrypted with the newest key.")
