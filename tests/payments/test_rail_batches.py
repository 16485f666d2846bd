"""The shared batch skeleton of rail calls (pawpact.payments.rail_batches), without a database:
answers in the batch's order, local rails on the run's thread, remote ones from the pool
with the adapter resolved once, a rail that cannot charge leaves its calls unknown, a request refused
as over the rate is asked again, and each batch is recorded while the next one charges."""

import threading

import pytest

from pawpact.payments.base import FLOW_LIMITED, ChargeResult
from pawpact.payments.errors import RailNotConfigured
from pawpact.payments.rail_batches import RAIL_NOT_READY, RailBatchCalls, batches_charge

PAID = ChargeResult(True, "succeeded", "ref")


class Calls(RailBatchCalls[tuple[str, str]]):
    """Items are (rail, name); the wechat rail is not configured."""

    flow_limited_tries = 3

    def __init__(self, answers=None):
        super().__init__()
        self.answers = answers or {}
        self.asked: list[tuple] = []  # (name, the adapter given, asked on the run's thread)
        self.lock = threading.Lock()

    def rail_of(self, item):
        return item[0], False

    def resolve(self, rail_name, livemode):
        if rail_name == "wechat":
            raise RailNotConfigured("no wechat")
        return f"adapter:{rail_name}"

    def charge(self, item, rail):
        with self.lock:
            self.asked.append((item[1], rail, threading.current_thread() is threading.main_thread()))
            queue = self.answers.get(item[1])
            return queue.pop(0) if queue else ChargeResult(True, "succeeded", f"ref-{item[1]}")


@pytest.fixture
def one_thread(settings):
    settings.PAWPACT_RAIL_CONCURRENCY = 2


def test_answers_come_in_the_batch_order_whatever_rail_answered_first(one_thread):
    items = [("alipay", "a1"), ("sandbox", "s1"), ("wechat", "w1"), ("alipay", "a2"), ("sandbox", "s2")]
    with Calls() as calls:
        results = calls.start(items).results()
    assert [item for item, _ in results] == items
    assert [r.outcome for _, r in results] == ["succeeded", "succeeded", RAIL_NOT_READY, "succeeded", "succeeded"]
    assert results[2][1].is_unknown is True
    asked = {name: (rail, on_run_thread) for name, rail, on_run_thread in calls.asked}
    assert asked == {"a1": ("adapter:alipay", False), "a2": ("adapter:alipay", False),
                     "s1": (None, True), "s2": (None, True)}  # fmt: skip


def test_a_flow_limited_request_is_asked_again_a_few_times_then_left_unknown(one_thread):
    limited = ChargeResult(False, FLOW_LIMITED, is_unknown=True)
    calls = Calls({"a1": [limited, PAID], "a2": [limited, limited, limited, PAID]})
    with calls:
        results = dict(calls.start([("alipay", "a1"), ("alipay", "a2")]).results())
    assert results[("alipay", "a1")] == PAID
    assert results[("alipay", "a2")] == limited
    assert sorted(name for name, *_ in calls.asked) == ["a1", "a1", "a2", "a2", "a2"]


def test_each_batch_is_recorded_while_the_next_one_charges(one_thread):
    steps = []

    class Spy(Calls):
        def start(self, items):
            steps.append(("charge", [name for _, name in items]))
            return super().start(items)

    def batches():
        for n in range(3):
            steps.append(("claim", n))
            yield [("alipay", f"b{n}")]

    batches_charge(batches(), calls=Spy(), record=lambda results: steps.append(("record", [i[1] for i, _ in results])))
    assert steps == [("claim", 0), ("charge", ["b0"]), ("claim", 1), ("charge", ["b1"]), ("record", ["b0"]),
                     ("claim", 2), ("charge", ["b2"]), ("record", ["b1"]), ("record", ["b2"])]  # fmt: skip


def test_no_batch_records_nothing(one_thread):
    recorded = []
    batches_charge(iter(()), calls=Calls(), record=recorded.append)
    assert recorded == []
