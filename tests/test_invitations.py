"""Invitations: a lost or expired link can be replaced, links are formula-safe and point somewhere real."""

from __future__ import annotations

import stat
from datetime import timedelta

import pandas as pd
import pytest
from sqlalchemy import update

from indicators_lab.consultation.invitations import accept_invite, base_url_warning, invite, reissue
from indicators_lab.core.access import Actor
from indicators_lab.core.db import in_transaction as tx
from indicators_lab.core.db import make_engine, unit_of_work
from indicators_lab.core.errors import UserError
from indicators_lab.core.exports import csv_bytes
from indicators_lab.core.models import Invite, utcnow

LEAD = Actor("Lead", "co_lead", user_id=None)
STRONG = "a very long passphrase for tests"


def test_an_expired_link_is_replaced_and_only_the_new_one_works(engine):
    old = tx(engine, invite, actor=LEAD, email="late@x.org", name="Late", constituency="civil_society")
    with unit_of_work(engine) as s:
        s.execute(update(Invite).values(expires_at=utcnow() - timedelta(days=1)))
    with pytest.raises(UserError, match="expired"):
        tx(engine, accept_invite, token=old.token, password=STRONG)
    new = tx(engine, reissue, actor=LEAD, email="late@x.org")
    with pytest.raises(UserError):
        tx(engine, accept_invite, token=old.token, password=STRONG)
    assert tx(engine, accept_invite, token=new.token, password=STRONG).name == "Late"
    with pytest.raises(UserError, match="already set a password"):
        tx(engine, reissue, actor=LEAD, email="late@x.org")


def test_links_pointing_at_this_computer_or_plain_http_are_flagged():
    assert "only works on this computer" in base_url_warning("http://localhost:8501")
    assert "https" in base_url_warning("http://lab.example.org")
    assert base_url_warning("https://lab.example.org") is None


def test_the_links_download_is_formula_safe():
    data = csv_bytes(pd.DataFrame([{"name": "=HYPERLINK(\"http://x\")", "email": "a@x.org", "link": "https://l"}]))
    assert b"'=HYPERLINK" in data


def test_the_sqlite_file_is_readable_by_its_owner_only(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'private.db'}")
    with engine.connect():
        pass
    assert stat.S_IMODE((tmp_path / "private.db").stat().st_mode) == 0o600
