from django.core.management.base import BaseCommand, CommandError
from django_tenants.utils import schema_context

from pawpact.billing.selectors import ledger_check
from pawpact.core.money import Money
from pawpact.tenants.selectors import shop_ready_list


class Command(BaseCommand):
    help = (
        "Check every ready shop's ledger: journals balance; cash matches the succeeded debits, "
        "deposits held or applied, penalties and refunds; every paid or refunded period has one "
        "succeeded attempt and one journal; deposits held on the ledger match the contracts; each "
        "contract's receivable equals its deferred revenue and what its periods still owe. "
        "Exits non-zero if any shop fails."
    )

    def handle(self, *args, **options):
        failed = checked = 0
        for schema_name in shop_ready_list().values_list("schema_name", flat=True):
            with schema_context(schema_name):
                check = ledger_check()
            checked += 1
            cash = Money(check.cash_minor).format()
            summary = f"{check.journals} journals, {check.paid_periods} paid periods, cash {cash}"
            if check.is_ok:
                self.stdout.write(f"{schema_name}: ok ({summary})")
            else:
                failed += 1
                self.stdout.write(f"{schema_name}: FAILED ({summary}): {'; '.join(check.problems)}")
        self.stdout.write(f"{checked} shop ledger(s) checked, {checked - failed} ok, {failed} failed.")
        if failed:
            raise CommandError(f"{failed} shop ledger(s) failed the check.")
