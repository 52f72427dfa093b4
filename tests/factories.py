"""Small builders of test input files."""

from __future__ import annotations

import io

import openpyxl


def csv_bytes(rows: list[list[str]], *, delimiter: str = ",", encoding: str = "utf-8") -> bytes:
    text = "\n".join(delimiter.join(cell for cell in row) for row in rows) + "\n"
    return text.encode(encoding)


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def sign_in(engine, email: str, password: str, **kwargs):
    """Sign in as the app does: the attempt commits (a failure is counted), then a refusal raises."""
    from indicators_lab.core.accounts import attempt_sign_in
    from indicators_lab.core.db import in_transaction

    return in_transaction(engine, attempt_sign_in, email, password, **kwargs).actor_or_raise()


def three_people(engine):
    """A co-lead, a civil-society and a member-state stakeholder (users with accounts)."""
    from indicators_lab.core.access import Actor
    from indicators_lab.core.accounts import create_user
    from indicators_lab.core.db import in_transaction as tx

    admin = Actor("Admin", "admin")
    lead = tx(engine, create_user, actor=admin, email="lead@x.org", name="Lead", role="co_lead",
              password="a long password")
    civil = tx(engine, create_user, actor=lead, email="cs@x.org", name="Cleo Civil", role="stakeholder",
               password="a long password", constituency="civil_society", organisation="Civil Org")
    state = tx(engine, create_user, actor=lead, email="ms@x.org", name="Sam State", role="stakeholder",
               password="a long password", constituency="member_state", organisation="Ministry")
    return lead, civil, state
