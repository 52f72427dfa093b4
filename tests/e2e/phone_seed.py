"""Data for the stakeholder's path on a phone: a co-lead, a round on ten SDG indicators (some
linked to GCM objectives, one already commented on by someone else) open to one constituency, and
a stakeholder's invitation. Used by tests/e2e/test_phone_path.py; ``python -m tests.e2e.phone_seed DATA_DIR``
seeds a data dir by hand (prints the invitation link) to look at the app yourself."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from indicators_lab.consultation import rounds as con
from indicators_lab.consultation.invitations import invite
from indicators_lab.core.access import Actor
from indicators_lab.core.accounts import create_user
from indicators_lab.core.config import Settings
from indicators_lab.core.db import in_transaction as tx
from indicators_lab.core.vocabulary import CONSTITUENCIES
from indicators_lab.mapping import links
from indicators_lab.sets import candidate_sets as cs
from indicators_lab.startup import open_database

CODES = ["10.7.1", "10.7.2", "10.7.3", "10.7.4", "10.c.1", "8.8.1", "8.8.2", "17.3.2", "16.9.1", "5.2.1"]
LINKS = {"10.7.1": [6], "10.7.2": [23, 1], "10.7.3": [8], "10.c.1": [20], "8.8.1": [6, 16], "16.9.1": [4]}


@dataclass(frozen=True)
class PhoneRound:
    round_id: int
    title: str
    invitation_link: str
    email: str
    first_code: str


def seed(data_dir: Path, base_url: str, *, suffix: str = "", constituency: str = "civil_society") -> PhoneRound:
    engine = open_database(Settings(data_dir=data_dir))
    admin = Actor("Admin Example", "admin")
    lead = tx(engine, create_user, actor=admin, email=f"phone-lead{suffix}@example.org", name="Lena Lead",
              role="co_lead", password="a long enough password")
    # The invitation lands in the round only when it is the one round open to this constituency:
    # close what other browser tests (on the same app server) left open to it or to everyone.
    for r in tx(engine, con.list_rounds, actor=lead):
        if r.status == "open" and (not r.constituencies or constituency in r.constituencies):
            tx(engine, con.close_round_now, actor=lead, round_id=r.id)
    item_ids = [tx(engine, links.item_id_for, "sdg", code) for code in CODES]
    for code, objectives in LINKS.items():
        for objective in objectives:
            tx(engine, links.decide, actor=lead, item_id=item_ids[CODES.index(code)], objective=objective,
               status="accepted", grade="partial")
    set_id = tx(engine, cs.create_set, actor=lead, name=f"Phone draft{suffix}", item_ids=item_ids)
    title = f"{CONSTITUENCIES[constituency]} consultation on the draft set{suffix}"
    rid = tx(engine, con.create_round, actor=lead, title=title, set_id=set_id,
             purpose="Tell us which indicators to keep, change or drop.", constituencies=[constituency])
    other = tx(engine, create_user, actor=admin, email=f"phone-other{suffix}@example.org", name="Omar Other",
               role="stakeholder", password="a long enough password", organisation="Diaspora Forum",
               constituency=constituency)
    first = tx(engine, con.set_items, rid, actor=lead)[0]
    tx(engine, con.post_comment, actor=other, round_id=rid, item_id=first["item_id"], stance="keep",
       text="Keep it: recruitment costs are what migrant workers tell us about first.")
    email = f"phone-ngo{suffix}@example.org"
    invitation = tx(engine, invite, actor=lead, email=email, name="Nadia NGO", organisation="Migrant Rights Network",
                    constituency=constituency)
    engine.dispose()
    return PhoneRound(rid, title, invitation.link(base_url), email, first["code"])


if __name__ == "__main__":
    print(seed(Path(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else "http://127.0.0.1:8599"))
