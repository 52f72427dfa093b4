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


def test_a_write_action_logs_who_did_what_and_a_read_logs_nothing(engine, caplog):
    import logging

    from indicators_lab.core.access import Actor
    from indicators_lab.core.db import in_transaction
    from indicators_lab.mapping import links

    lead = Actor("Lead One", "co_lead", user_id=7)
    item = in_transaction(engine, links.item_id_for, "sdg", "10.7.1")
    with caplog.at_level(logging.INFO, logger="indicators_lab"):
        in_transaction(engine, links.item_links, item)
        assert caplog.records == []
        in_transaction(engine, links.decide, actor=lead, item_id=item, objective=5, status="accepted",
                       rationale="secret reasoning")
    [record] = caplog.records
    assert record.levelno == logging.INFO
    message = record.getMessage()
    assert "Lead One (co_lead, user 7)" in message and "links.decide" in message and "objective=5" in message
    assert "secret reasoning" not in message
