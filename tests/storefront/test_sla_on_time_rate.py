"""The on-time rate counts a parcel already past its promise and still open as a miss, and is
rounded down: one miss never reads 100%."""
from pawpact.warehouses.selectors import SlaLine


def test_an_open_breach_lowers_the_rate():
    assert SlaLine(kind="dispatch", sent=10, on_time=9, late=0, overdue_open=1).on_time_percent == 90
    assert SlaLine(kind="dispatch", sent=200, on_time=199, late=0, overdue_open=1).on_time_percent == 99
    assert SlaLine(kind="dispatch", sent=3, on_time=1, late=1, overdue_open=1).on_time_percent == 33
    assert SlaLine(kind="reship", sent=0, on_time=0, late=0, overdue_open=0).on_time_percent is None
    assert SlaLine(kind="reship", sent=1, on_time=0, late=0, overdue_open=1).on_time_percent == 0
