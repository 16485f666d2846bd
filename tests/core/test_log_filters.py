"""A refused request logs one line, without a traceback; a server error keeps its traceback."""
import logging
import sys

from pawpact.core.log_filters import RefusalWithoutTraceback


def _record(status_code):
    try:
        raise PermissionError("no")
    except PermissionError:
        record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "Forbidden: /x", None, sys.exc_info())
    record.status_code = status_code
    return record


def test_a_403_keeps_its_line_and_loses_the_traceback():
    record = _record(403)
    assert RefusalWithoutTraceback().filter(record) is True
    assert (record.exc_info, record.getMessage()) == (None, "Forbidden: /x")


def test_a_500_keeps_its_traceback():
    record = _record(500)
    assert RefusalWithoutTraceback().filter(record) is True and record.exc_info[0] is PermissionError


def test_the_filter_is_on_djangos_request_logger():
    assert any(isinstance(f, RefusalWithoutTraceback) for f in logging.getLogger("django.request").filters)
