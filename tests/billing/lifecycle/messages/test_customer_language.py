"""Messages are written in the customer's language: the same debit reminder reaches a
zh-hans customer in Chinese and an en customer in English, subject and body; a customer who
chose none gets the bilingual text and the shop's default subject."""
from django_tenants.utils import schema_context

from pawpact.billing.models import DebitPeriod
from pawpact.billing.services.reminders import ReminderReport, reminder_run_shop, reminder_send
from pawpact.customers.models import Customer
from pawpact.messaging.models import Message
from tests.billing.lifecycle.messages.helpers import active_contract, clock_on
from tests.billing.lifecycle.messages.test_reminders import PERIOD_3_TEXT, REMINDER_DAY

CHINESE, ENGLISH = PERIOD_3_TEXT.split(" / ")


def _in(contract, language: str):
    Customer.objects.filter(pk=contract.customer_id).update(language=language)
    return contract


def _texts(contract) -> set[tuple[str, str, str]]:
    return set(Message.objects.filter(customer_id=contract.customer_id).values_list("channel", "subject", "body"))


def test_the_same_reminder_in_each_customers_language(shop):
    with schema_context(shop.schema_name):
        chinese, english, unset = _in(active_contract(), "zh-hans"), _in(active_contract(), "en"), active_contract()
        assert reminder_run_shop(clock=clock_on(REMINDER_DAY)) == ReminderReport(periods=3, messages=6)
        assert _texts(chinese) == {("sms", "扣款提醒", CHINESE), ("in_app", "扣款提醒", CHINESE)}
        assert _texts(english) == {("sms", "Debit reminder", ENGLISH), ("in_app", "Debit reminder", ENGLISH)}
        # No choice: both languages in the body, the subject in the shop's default (English in tests).
        assert _texts(unset) == {("sms", "Debit reminder", PERIOD_3_TEXT), ("in_app", "Debit reminder", PERIOD_3_TEXT)}


def test_a_single_reminder_follows_the_customer_not_the_active_language(shop):
    from django.utils import translation

    with schema_context(shop.schema_name):
        chinese = _in(active_contract(), "zh-hans")
        period = DebitPeriod.objects.get(contract=chinese, number=3)
        with translation.override("en"):  # e.g. a member of staff working in English
            reminder_send(period=period, clock=clock_on(REMINDER_DAY))
        assert _texts(chinese) == {("sms", "扣款提醒", CHINESE), ("in_app", "扣款提醒", CHINESE)}
