"""Logging is configured once, from the log_level setting, and never doubles its handler."""

import logging

import pytest

from indicators_lab.core.config import Settings
from indicators_lab.core.logging import configure_logging


@pytest.fixture
def clean_logger():
    logger = logging.getLogger("indicators_lab")
    saved = (logger.level, list(logger.handlers))
    yield logger
    logger.setLevel(saved[0])
    logger.handlers[:] = saved[1]


def test_level_comes_from_the_setting_and_a_second_call_adds_no_handler(clean_logger, monkeypatch):
    monkeypatch.setenv("INDICATORS_LAB_LOG_LEVEL", "debug")
    configure_logging(Settings())
    n = len(clean_logger.handlers)
    assert clean_logger.level == logging.DEBUG
    configure_logging(Settings(log_level="WARNING"))
    assert len(clean_logger.handlers) == n
    assert clean_logger.level == logging.WARNING


def test_default_level_is_info_and_records_go_to_stderr(clean_logger, capsys):
    configure_logging(Settings())
    logging.getLogger("indicators_lab.some.module").info("hello from a module")
    assert "INFO indicators_lab.some.module: hello from a module" in capsys.readouterr().err


def test_an_unknown_level_is_refused():
    with pytest.raises(ValueError):
        Settings(log_level="LOUD")
