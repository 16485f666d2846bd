"""Pet death or loss: evidence required, no penalty, every future debit stopped, the deposit
refunded in full, the remaining receivable cancelled."""
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from pawpact.billing.enums import ContractStatus, DepositStatus, PeriodStatus, TerminationKind
from pawpact.billing.errors import EvidenceRequired, IllegalTransition
from pawpact.billing.models import DebitPeriod, Termination
from pawpact.billing.services.debit_run import debit_run_shop
from pawpact.billing.services.termination import contract_terminate_pet_loss, termination_execute, termination_quote
from pawpact.sandbox.models import SandboxCharge
from tests.billing.lifecycle.termination.helpers import (
    adopt,
    assert_ledger_ok,
    balances,
    beijing,
    collect_through,
    journal_lines,
    snapshot,
    terminated_events,
)

pytestmark = pytest.mark.usefixtures("in_shop")

PDF = b"%PDF-1.4\n% vet certificate\n"


@pytest.fixture
def two_paid(traveller):
    """Basic 399 × 12 with a ¥500 deposit held, periods 1–2 paid; now 20 April 2026."""
    contract = adopt()
    collect_through(contract, 2, traveller)
    traveller.move_to(beijing(contract.activated_at.date().replace(month=4, day=20)))
    return contract


def test_pet_loss_with_a_note_ends_the_contract_without_penalty(two_paid, followups):
    journals_before = len(journal_lines(two_paid))

    termination = contract_terminate_pet_loss(contract=two_paid, evidence_note="  Died of FIP on 18 April.  ")

    two_paid.refresh_from_db()
    assert (two_paid.status, two_paid.deposit_status) == (ContractStatus.TERMINATED_PET_LOSS, DepositStatus.REFUNDED)
    assert (
        termination.kind, termination.evidence_note, bool(termination.evidence), termination.cancelled_minor,
        termination.remaining_minor, termination.penalty_minor, termination.refund_minor,
        termination.deposit_refund_minor,
    ) == (TerminationKind.PET_LOSS, "Died of FIP on 18 April.", False, 10 * 39900, 0, 0, 0, 50000)  # fmt: skip
    statuses = list(DebitPeriod.objects.filter(contract=two_paid).order_by("number").values_list("status", flat=True))
    assert statuses == [PeriodStatus.PAID] * 2 + [PeriodStatus.CANCELLED] * 10

    uuid = two_paid.uuid
    assert journal_lines(two_paid)[journals_before:] == [
        ("receivable.cancelled", f"receivable.cancelled:{uuid}", [("deferred_revenue", 399000), ("receivable", -399000)]),
        ("deposit.refunded", f"deposit.refunded:{uuid}", [("cash", -50000), ("deposits_held", 50000)]),
    ]  # fmt: skip
    assert balances(two_paid) == {
        "cash": 2 * 39900, "receivable": 0, "deferred_revenue": 0, "plan_revenue": -2 * 39900, "deposits_held": 0,
    }  # fmt: skip
    assert_ledger_ok()
    assert SandboxCharge.objects.filter(idempotency_key=f"deposit.refunded:{uuid}").values_list(
        "amount_minor", "outcome"
    ).get() == (-50000, "refunded")
    assert terminated_events(two_paid) == [
        {
            "contract_uuid": str(uuid),
            "reason": "pet_loss",
            "paid_periods": 2,
            "periods": 12,
            "cancelled_minor": 399000,
            "remaining_minor": 0,
            "penalty_minor": 0,
            "refund_minor": 0,
            "currency": "CNY",
            "at": "2026-04-20T02:00:00+00:00",
        }
    ]
    assert followups == [str(uuid)]


def test_no_debit_runs_after_pet_loss(two_paid, traveller):
    contract_terminate_pet_loss(contract=two_paid, evidence_note="Lost during a move, police report 1234.")
    charges = SandboxCharge.objects.count()

    for month in (5, 6, 7):
        traveller.move_to(beijing(two_paid.activated_at.date().replace(month=month, day=10)))
        assert debit_run_shop().attempted == 0
    assert SandboxCharge.objects.count() == charges


def test_the_evidence_file_is_stored_in_the_shops_own_folder(two_paid, media_root):
    upload = SimpleUploadedFile("Vet Certificate (Wang).PDF", PDF, content_type="application/pdf")

    termination = contract_terminate_pet_loss(contract=two_paid, evidence=upload)

    name = termination.evidence.name
    assert name == f"termination-evidence/2026/04/{two_paid.uuid}.pdf"
    stored = Path(media_root) / "shop_alpha" / name
    assert stored.read_bytes() == PDF
    assert Termination.objects.get().evidence.read() == PDF


@pytest.mark.parametrize(
    ("evidence", "note", "field"),
    [
        (None, "", "evidence"),
        (None, "died", "evidence"),
        (None, "  123456789  ", "evidence"),  # 9 characters once stripped
        (SimpleUploadedFile("cert.exe", b"MZ..."), "", "evidence"),
        (SimpleUploadedFile("cert.pdf", b""), "", "evidence"),
        (None, "x" * 2001, "evidence_note"),
    ],
)
def test_missing_or_bad_evidence_is_refused_and_nothing_is_written(two_paid, media_root, evidence, note, field):
    before = snapshot()

    with pytest.raises(EvidenceRequired) as refused:
        contract_terminate_pet_loss(contract=two_paid, evidence=evidence, evidence_note=note)

    assert refused.value.http_status == 422
    assert field in refused.value.fields
    assert snapshot() == before
    assert not Path(media_root).exists() or not any(Path(media_root).rglob("*.*"))


def test_a_note_of_exactly_ten_characters_is_enough(two_paid):
    assert contract_terminate_pet_loss(contract=two_paid, evidence_note="1234567890").evidence_note == "1234567890"


def test_pet_loss_twice_is_refused_and_writes_nothing(two_paid, media_root):
    contract_terminate_pet_loss(contract=two_paid, evidence_note="Died of FIP on 18 April.")
    before = snapshot()

    with pytest.raises(IllegalTransition) as refused:
        contract_terminate_pet_loss(
            contract=two_paid, evidence=SimpleUploadedFile("again.pdf", PDF), evidence_note="Second report."
        )

    assert (refused.value.code, refused.value.http_status) == ("illegal_transition", 409)
    assert snapshot() == before
    assert list(Path(media_root).rglob("*.pdf")) == []  # the refused upload is not kept


def test_early_termination_after_pet_loss_is_refused(two_paid):
    quote = termination_quote(contract=two_paid)
    contract_terminate_pet_loss(contract=two_paid, evidence_note="Died of FIP on 18 April.")
    before = snapshot()

    with pytest.raises(IllegalTransition):
        termination_execute(quote=quote)
    assert snapshot() == before
