"""The agreement: every promise it makes comes from the setting or service behind it, and
it promises nothing the system does not perform (no SMS it does not send, no reward no
service grants, no replacement pet, no hard-coded reminder lead time)."""
import hashlib
import re
from datetime import timedelta
from decimal import Decimal

import pytest

from pawpact.billing.agreement_pdf import agreement_pdf
from pawpact.billing.enums import TerminationKind
from pawpact.billing.models import MAX_PENALTY_RATE, Contract, DebitPeriod
from pawpact.billing.services.agreement import agreement_render
from pawpact.billing.services.credit import DEPOSIT_WAIVER_SCORE
from pawpact.billing.services.lifecycle_settings import billing_settings_get
from pawpact.billing.services.plans import plan_version_create
from pawpact.billing.services.reminders import REMINDER_CHANNELS, reminder_run_shop
from pawpact.billing.services.signing import application_create, application_credit_check, contract_sign
from pawpact.billing.services.termination import EXIT_STATUS
from pawpact.customers.services import customer_create, pet_create
from pawpact.messaging.backends import DatabaseBackend, channels_delivered
from pawpact.messaging.models import Message
from pawpact.payments.policies import RAIL_POLICIES
from tests.billing.debits.factories import contract_create
from tests.billing.lifecycle.messages.helpers import clock_on
from tests.billing.signing.conftest import ADULT_BIRTH_DATE, phone_ending
from tests.consent import consented

HEADINGS = [
    "一、当事人 / Parties",
    "二、费用 / What you pay",
    "三、扣款日历 / Debit calendar",
    "四、每月权益 / Monthly entitlements",
    "五、押金 / Deposit",
    "六、冷静期 / Cooling-off period",
    "七、提前解约 / Early termination",
    "八、宠物离世或走失 / Pet death or loss",
    "九、逾期与违约 / Overdue debits and default",
    "十、门店停业 / If the shop closes",
    "十一、签署 / Signature",
]
# Every exit but default gives the whole deposit back (termination.py, withdrawal.py): the
# deposit clause names each of them.
DEPOSIT_REFUNDED_ON = {
    TerminationKind.COMPLETION: ("合同完成", "completion"),
    TerminationKind.EARLY: ("提前解约", "early termination"),
    TerminationKind.COOLING_OFF: ("冷静期内取消", "cancellation in the cooling-off period"),
    TerminationKind.PET_LOSS: ("宠物离世或走失", "the pet's death or loss"),
    TerminationKind.SHOP_CLOSURE: ("门店停业", "the shop's closure"),
    "withdrawal": ("合同生效前撤回", "withdrawal before the contract starts"),
}
# What no service performs: the agreement must not say it.
NEVER_PROMISED = ["履约奖励", "Fulfilment reward", "更换", "replace", "健康保障", "Health guarantee", "猫瘟", "FIP"]


class SmsBackend(DatabaseBackend):
    """A backend that hands SMS to a gateway (as a real one would)."""

    delivered_channels = frozenset({"sms", "in_app"})


def _checked(version, clock, suffix: str):
    customer = customer_create(name="Wang Fang", phone=phone_ending(suffix), birth_date=ADULT_BIRTH_DATE)
    pet = pet_create(owner=customer, name="Mimi", species="cat", breed="Ragdoll")
    contract = application_create(customer=customer, pet=pet, plan_version_id=version.pk, clock=clock)
    return application_credit_check(contract=consented(contract), clock=clock)


def clauses(text: str) -> dict[str, list[str]]:
    """Heading → its non-empty lines, in order."""
    found: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        if re.match(r"^[一二三四五六七八九十]+、", line):
            current = found.setdefault(line, [])
        elif current is not None and line.strip():
            current.append(line)
    return found


def reminder_lines(days: int, channels: list[str]) -> list[str]:
    names = {"sms": ("短信", "SMS"), "in_app": ("站内信", "in-app message")}
    if not days or not channels:
        return []
    unit = "day" if days == 1 else "days"
    return [
        f"自第2期起，每次扣款前{days}天通过{'及'.join(names[c][0] for c in channels)}提醒，注明金额、期数及用途。",
        f"From period 2 on, a reminder stating the amount, period n of N and the scope of use is sent by "
        f"{' and '.join(names[c][1] for c in channels)} {days} {unit} before each debit.",
    ]


def expected_terms(contract) -> dict[str, list[str]]:
    """Clauses 3, 5–10, each written from the setting or service that performs it."""
    version, settings_row = contract.plan_version, billing_settings_get()
    day, periods = version.debit_day, contract.periods
    minimum = min(policy.min_period_days for policy in RAIL_POLICIES.values())
    channels = [c for c in REMINDER_CHANNELS if c in channels_delivered()]
    rate = format((version.penalty_rate * 100).normalize(), "f")
    cap = format((MAX_PENALTY_RATE * 100).normalize(), "f")
    cool = version.cooling_off_days
    zh_refunds = "、".join(zh for zh, _en in list(DEPOSIT_REFUNDED_ON.values())[:5])
    return {
        "三、扣款日历 / Debit calendar": [
            f"第1期于合同生效当日扣款；此后每期于每月{day}日扣款，第2期为距第1期至少{minimum}天的首个{day}日，"
            f"共{periods}期。合同生效时即提供列明每期日期及金额的扣款日历。",
            f"Period 1 is debited on the day the contract starts; every later period on day {day} of a month, "
            f"period 2 on the first such day at least {minimum} days after period 1, {periods} periods in all. "
            "The debit calendar, with every date and amount, is available from the day the contract starts.",
            *reminder_lines(settings_row.reminder_days_before, channels),
        ],
        "五、押金 / Deposit": [
            f"押金由信用评估决定：信用分{DEPOSIT_WAIVER_SCORE}及以上免押金，"
            f"低于{DEPOSIT_WAIVER_SCORE}需支付押金¥500.00。 / "
            f"The credit check decides the deposit: none for a score of {DEPOSIT_WAIVER_SCORE} or more, a deposit "
            f"of ¥500.00 below {DEPOSIT_WAIVER_SCORE}.",
            f"押金在{zh_refunds}，或合同生效前撤回时全额退还；违约时，押金先用于支付逾期未付的款项，余额退还。",
            "The deposit is refunded in full on completion, early termination, cancellation in the cooling-off "
            "period, the pet's death or loss, the shop's closure, or withdrawal before the contract starts. "
            "On default it first pays the overdue amounts, and only the remainder is refunded.",
        ],
        "六、冷静期 / Cooling-off period": [
            f"合同生效后{cool}天内（至生效日后第{cool}天结束），领养人可无理由取消，已支付的全部款项及押金全额退还，"
            "不收取违约金；此期间申请的解约报价即为免费取消。",
            f"Until the end of the day {cool} days after the day the contract starts, the adopter may cancel for "
            "any reason: everything paid and the deposit are refunded in full and no penalty is charged. "
            "A termination quote asked for in this period is this free cancellation.",
        ],
        "七、提前解约 / Early termination": [
            f"冷静期结束后，提前解约违约金 = 剩余未付金额 × {rate}%，最高不超过剩余未付金额的{cap}%，解约前先提供报价。"
            f"例：第1期付款后解约，剩余¥4,389.00，违约金¥{4389 * version.penalty_rate:,.2f}。",
            f"After the cooling-off period, the early termination penalty = remaining unpaid amount × {rate}%, "
            f"never more than {cap}% of the remaining unpaid amount, quoted before the adopter decides. Example: "
            f"ending after period 1 is paid leaves ¥4,389.00 unpaid, so the penalty is "
            f"¥{4389 * version.penalty_rate:,.2f}.",
        ],
        "八、宠物离世或走失 / Pet death or loss": [
            "宠物离世或走失（凭相关证明）时，本套餐终止，不收取违约金，后续扣款停止，押金全额退还。",
            "If the pet dies or is lost (with evidence), the plan ends without any penalty, no further debits are "
            "taken and the deposit is refunded in full.",
        ],
        "九、逾期与违约 / Overdue debits and default": [
            f"扣款逾期达{settings_row.default_after_days}天的，本合同按违约终止：尚未到期的各期取消，逾期未付的款项仍需支付。",
            f"If a debit has been overdue for {settings_row.default_after_days} days, the contract ends in default: "
            "the periods not yet due are cancelled, and the overdue amounts remain owed.",
        ],
        "十、门店停业 / If the shop closes": [
            "门店停业的，后续扣款停止，不收取违约金，押金全额退还。",
            "If the shop closes, its debits stop, no penalty is charged and the deposit is refunded in full.",
        ],
    }


def assert_terms_follow_their_sources(text: str, contract) -> None:
    found = clauses(text)
    assert list(found) == HEADINGS  # a new clause needs its source here first
    for heading, lines in expected_terms(contract).items():
        assert found[heading] == lines, heading
    for words in NEVER_PROMISED:
        assert words not in text, words


def test_every_promise_comes_from_the_shops_settings_and_services(basic, clock):
    customer = customer_create(name="Wang Fang", phone=phone_ending("999"), birth_date=ADULT_BIRTH_DATE)
    pet = pet_create(owner=customer, name="Mimi", species="cat")
    # Before the credit check: the deposit rule, not a decision.
    draft = application_create(customer=customer, pet=pet, plan_version_id=basic.pk, clock=clock)
    text = agreement_render(contract=draft)

    assert_terms_follow_their_sources(text, draft)
    assert set(DEPOSIT_REFUNDED_ON) - {"withdrawal"} == set(EXIT_STATUS) - {TerminationKind.DEFAULT}
    # The default message backend keeps SMS copies but delivers only in-app messages.
    assert channels_delivered() == {"in_app"}
    assert "站内信" in text and "短信" not in text and "SMS" not in text
    assert "3天" in text and "3 days before each debit" in text  # BillingSettings.reminder_days_before


def test_changing_a_setting_changes_the_promise(basic, clock, settings):
    settings_row = billing_settings_get()
    settings_row.reminder_days_before, settings_row.default_after_days = 5, 45
    settings_row.save(update_fields=["reminder_days_before", "default_after_days"])
    version = plan_version_create(
        plan=basic.plan, debit_day=20, cooling_off_days=10, penalty_rate=Decimal("0.08")
    )
    settings.PAWPACT_MESSAGE_BACKEND = f"{__name__}.SmsBackend"
    contract = _checked(version, clock, "000")

    text = agreement_render(contract=contract)

    found = clauses(text)
    assert found["五、押金 / Deposit"][0] == (
        "信用分350（低于600），需支付押金¥500.00。押金于首期扣款时或其前一日收取，生效前扣取的押金如合同未生效全额退还。"
        " / Credit score 350 (below 600): a deposit of ¥500.00 is required. The deposit is collected with the first"
        " monthly debit, or the day before it when the payment provider requires a separate notice; refunded in full"
        " if the plan does not start."
    )
    assert found["三、扣款日历 / Debit calendar"][2:] == reminder_lines(5, ["sms", "in_app"])
    for heading in ("六、冷静期 / Cooling-off period", "七、提前解约 / Early termination",
                    "九、逾期与违约 / Overdue debits and default"):  # fmt: skip
        assert found[heading] == expected_terms(contract)[heading]
    assert "每月20日" in text and "10天内" in text and "× 8%" in text and "逾期达45天" in text
    assert "3 days" not in text and "3天" not in text


def test_no_reminder_is_promised_when_the_shop_sends_none(basic, clock):
    settings_row = billing_settings_get()
    settings_row.reminder_days_before = 0
    settings_row.save(update_fields=["reminder_days_before"])

    text = agreement_render(contract=_checked(basic, clock, "999"))

    assert "提醒" not in text and "reminder" not in text
    assert clauses(text)["三、扣款日历 / Debit calendar"] == expected_terms(_checked(basic, clock, "999"))[
        "三、扣款日历 / Debit calendar"
    ]


def test_the_promised_reminder_is_what_the_reminder_run_sends(shop, in_shop):
    """Promise and service agree: an in-app reminder, `reminder_days_before` days ahead."""
    contract = Contract.objects.get(pk=contract_create().pk)
    period_2 = DebitPeriod.objects.get(contract=contract, number=2)
    days = billing_settings_get().reminder_days_before
    text = agreement_render(contract=contract)
    assert clauses(text)["三、扣款日历 / Debit calendar"] == expected_terms(contract)["三、扣款日历 / Debit calendar"]
    assert f"每次扣款前{days}天通过站内信提醒" in text

    reminder_run_shop(clock=clock_on(period_2.due_date - timedelta(days=days)))

    reminders = Message.objects.filter(customer=contract.customer, topic="debit_reminder")
    assert "in_app" in set(reminders.values_list("channel", flat=True))


def test_a_low_score_agreement_names_the_deposit(basic, clock):
    text = agreement_render(contract=_checked(basic, clock, "000"))
    assert (
        "信用分350（低于600），需支付押金¥500.00。押金于首期扣款时或其前一日收取，生效前扣取的押金如合同未生效全额退还。"
        " / Credit score 350 (below 600): a deposit of ¥500.00 is required. The deposit is collected with the first"
        " monthly debit, or the day before it when the payment provider requires a separate notice; refunded in full"
        " if the plan does not start."
    ) in text


def test_a_waived_deposit_has_no_refund_terms(basic, clock):
    contract = _checked(basic, clock, "999")
    text = agreement_render(contract=contract)

    assert clauses(text)["五、押金 / Deposit"] == ["信用分950，免收押金。 / Credit score 950: no deposit is required."]
    assert "Wang Fang" in text and "宠物 Pet: Mimi（猫 cat, Ragdoll）" in text
    phone = contract.customer.phone
    assert f"手机 phone {phone[:3]}****{phone[-4:]}" in text and phone not in text  # masked
    assert agreement_render(contract=contract) == text  # deterministic


def test_the_signed_text_and_its_hash_are_kept_and_the_pdf_carries_them(basic, clock):
    contract = _checked(basic, clock, "999")
    shown = agreement_render(contract=contract)
    contract = contract_sign(
        contract=contract, signer_name="Wang Fang", ip="203.0.113.7", user_agent="Mozilla/5.0", clock=clock
    )
    contract.refresh_from_db()

    assert contract.agreement_text == shown
    assert contract.agreement_sha256 == hashlib.sha256(shown.encode("utf-8")).hexdigest()
    # Settings changed after signing do not change what was signed.
    settings_row = billing_settings_get()
    settings_row.reminder_days_before = 6
    settings_row.save(update_fields=["reminder_days_before"])
    contract.refresh_from_db()
    assert contract.agreement_text == shown
    pdf = agreement_pdf(contract)
    assert pdf.startswith(b"%PDF")
    assert contract.agreement_sha256.encode() in pdf
    assert len(pdf) > 2000


def test_an_unsigned_contract_has_no_pdf(basic, clock):
    with pytest.raises(ValueError):
        agreement_pdf(_checked(basic, clock, "999"))
