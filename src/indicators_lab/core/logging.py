"""Logging: the standard library's ``logging``, configured once at start by the app and the CLI.

Modules log with ``logging.getLogger(__name__)``; only the CLI prints (its output is its result).
"""

from __future__ import annotations

import logging
import sys

from indicators_lab.core.config import Settings

_HANDLER_NAME = "indicators_lab"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever ``sys.stderr`` is at the time of each record (pytest swaps it)."""

    def __init__(self) -> None:
        super().__init__(sys.stderr)

    @property
    def stream(self):  # type: ignore[override]
        return sys.stderr

    @stream.setter
    def stream(self, value) -> None:
        pass


def configure_logging(settings: Settings | None = None) -> logging.Logger:
    """Send the ``indicators_lab`` loggers to stderr at ``settings.log_level``.

    Idempotent: a second call (every Streamlit rerun runs app.py again) only updates the level and
    never adds a second handler. The root logger is left alone, so Streamlit's and the libraries'
    own logging is unchanged; records still propagate to it (pytest's ``caplog`` sees them).
    """
    settings = settings or Settings()
    logger = logging.getLogger("indicators_lab")
    logger.setLevel(getattr(logging, settings.log_level))
    if not any(h.get_name() == _HANDLER_NAME for h in logger.handlers):
        handler = _StderrHandler()
        handler.set_name(_HANDLER_NAME)
        handler.setFormatter(logging.Formatter(FORMAT))
        logger.addHandler(handler)
    return logger
