"""Logging filters: keep the log about what needs a look."""
import logging


class RefusalWithoutTraceback(logging.Filter):
    """A 403 is the permission check doing its job: log the line, not the traceback Django
    attaches to it, so real errors stay easy to find."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) == 403:
            record.exc_info, record.exc_text = None, None
        return True
