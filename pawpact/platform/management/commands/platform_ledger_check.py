from django.core.management.base import BaseCommand, CommandError

from pawpact.core.money import Money
from pawpact.platform.funding.ledger import ledger_check


class Command(BaseCommand):
    help = (
        "Check the platform ledger: every journal balances; cash = collections − cooling-off refunds − paid "
        "payouts + paid subscription invoices; subscription receivable and revenue match the invoices; collection journals = debit.paid amounts of applied events; advances payable and shop "
        "receivable match the unpaid advances and open clawbacks. Exits non-zero on any mismatch."
    )

    def handle(self, *args, **options):
        check = ledger_check()
        summary = (
            f"{check.journals} journals; cash {Money(check.cash_minor).format()} = collections "
            f"{Money(check.collections_minor).format()} − refunds {Money(check.refunds_minor).format()} − paid payouts "
            f"{Money(check.payouts_paid_minor).format()} + subscriptions {Money(check.saas_paid_minor).format()}; "
            f"advances payable "
            f"{Money(check.advances_payable_minor).format()}; shop receivable "
            f"{Money(check.shop_receivable_minor).format()}"
        )
        if check.is_ok:
            self.stdout.write(f"platform ledger: ok ({summary})")
            return
        self.stdout.write(f"platform ledger: FAILED ({summary})")
        for problem in check.problems:
            self.stdout.write(f"  - {problem}")
        raise CommandError("The platform ledger failed the check: " + "; ".join(check.problems))
