"""Sign-in hardening: throttling kept in the database, password strength, revocable sign-in tokens."""

import os
import stat
from datetime import datetime, timedelta, timezone

import pytest

from indicators_lab.core import throttle, tokens
from indicators_lab.core.accounts import change_password, create_user, current_actor, set_active, sign_out
from indicators_lab.core.config import Settings
from indicators_lab.core.db import in_transaction as tx
from indicators_lab.core.errors import UserError
from indicators_lab.core.passwords import check_password
from tests.factories import sign_in

PW = "violet anchor meadow 42"
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def admin(empty_engine):
    return tx(empty_engine, create_user, actor=None, email="admin@example.org", name="Admin", role="admin", password=PW)


# --- throttling ---------------------------------------------------------------------------------

def test_schedule_is_free_for_typos_then_doubles_up_to_a_cap():
    s = throttle.ACCOUNT
    assert [throttle.lock_for(n, s) for n in range(s.free)] == [timedelta(0)] * s.free
    assert [throttle.lock_for(s.free + k, s).total_seconds() / 60 for k in range(6)] == [1, 2, 4, 8, 15, 15]
    assert throttle.lock_for(10_000, s) == s.longest


@pytest.mark.parametrize("seconds, text", [
    (1, "1 second"), (30, "30 seconds"), (60, "1 minute"), (61, "2 minutes"), (3 * 60 + 5, "4 minutes"),
])
def test_wait_message_rounds_up(seconds, text):
    assert throttle.wait_message(timedelta(seconds=seconds)) == f"Too many attempts. Try again in {text}."


def test_right_password_is_refused_while_locked_and_works_after_the_lock(empty_engine, admin):
    for i in range(100):
        with pytest.raises(UserError):
            sign_in(empty_engine, "admin@example.org", f"guess {i}", now=T0)
    with pytest.raises(UserError, match=r"Too many attempts\. Try again in 1 minute\."):
        sign_in(empty_engine, "admin@example.org", PW, now=T0)
    later = T0 + throttle.ACCOUNT.longest
    assert sign_in(empty_engine, "admin@example.org", PW, now=later).user_id == admin.user_id


def test_lock_grows_with_each_failure_after_it_ends(empty_engine, admin):
    now = T0
    for _ in range(throttle.ACCOUNT.free):
        with pytest.raises(UserError, match="not right"):
            sign_in(empty_engine, "admin@example.org", "wrong guess", now=now)
    now += timedelta(minutes=1)  # the first lock (1 minute) is over: one more failure locks 2
    with pytest.raises(UserError, match="not right"):
        sign_in(empty_engine, "admin@example.org", "wrong guess", now=now)
    with pytest.raises(UserError, match="Try again in 2 minutes"):
        sign_in(empty_engine, "admin@example.org", PW, now=now)


def test_success_clears_the_account_count(empty_engine, admin):
    for _ in range(throttle.ACCOUNT.free - 1):
        with pytest.raises(UserError, match="not right"):
            sign_in(empty_engine, "admin@example.org", "wrong guess", now=T0)
    sign_in(empty_engine, "admin@example.org", PW, now=T0)
    for _ in range(throttle.ACCOUNT.free - 1):  # a fresh allowance, not one left
        with pytest.raises(UserError, match="not right"):
            sign_in(empty_engine, "admin@example.org", "wrong guess", now=T0)
    assert sign_in(empty_engine, "admin@example.org", PW, now=T0).user_id == admin.user_id


def test_one_source_guessing_many_accounts_is_locked_for_all(empty_engine, admin, monkeypatch):
    monkeypatch.setattr(throttle, "SOURCE", throttle.Schedule(free=4, first=timedelta(minutes=1),
                                                             longest=timedelta(minutes=15)))
    for i in range(throttle.SOURCE.free):
        with pytest.raises(UserError, match="not right"):
            sign_in(empty_engine, f"user{i}@example.org", "wrong guess", source="203.0.113.9", now=T0)
    with pytest.raises(UserError, match="Too many attempts"):
        sign_in(empty_engine, "admin@example.org", PW, source="203.0.113.9", now=T0)
    # The account itself is not locked: its owner elsewhere still signs in.
    assert sign_in(empty_engine, "admin@example.org", PW, source="198.51.100.1", now=T0)


def test_unknown_email_is_throttled_like_a_real_one(empty_engine, admin):
    for _ in range(throttle.ACCOUNT.free):
        with pytest.raises(UserError, match="not right"):
            sign_in(empty_engine, "nobody@example.org", "wrong guess", now=T0)
    with pytest.raises(UserError, match="Too many attempts"):
        sign_in(empty_engine, "nobody@example.org", "wrong guess", now=T0)


def test_failures_are_counted_in_the_database_across_engines(empty_engine, admin):
    """Two app processes are two engines on one database: their failures add up."""
    from indicators_lab.core.db import make_engine

    other = make_engine(empty_engine.url.render_as_string(hide_password=False))
    try:
        for i in range(throttle.ACCOUNT.free):
            with pytest.raises(UserError, match="not right"):
                sign_in(empty_engine if i % 2 else other, "admin@example.org", "wrong guess", now=T0)
        with pytest.raises(UserError, match="Too many attempts"):
            sign_in(other, "admin@example.org", PW, now=T0)
    finally:
        other.dispose()


def test_an_old_count_is_forgotten(empty_engine, admin):
    for _ in range(throttle.ACCOUNT.free - 1):
        with pytest.raises(UserError, match="not right"):
            sign_in(empty_engine, "admin@example.org", "wrong guess", now=T0)
    later = T0 + throttle.ACCOUNT.forget_after + timedelta(minutes=1)
    with pytest.raises(UserError, match="not right"):  # counted as the first of a new run
        sign_in(empty_engine, "admin@example.org", "wrong guess", now=later)
    assert sign_in(empty_engine, "admin@example.org", PW, now=later)


# --- password policy ----------------------------------------------------------------------------

@pytest.mark.parametrize("password, message", [
    ("short pw", "at least 12 characters"),
    ("x" * 300, "at most 256 characters"),
    ("password1234", "too easy to guess. This is a very common password."),
    ("abcdefghijkl", "too easy to guess"),
    ("nadia.ngo-1234", "must not contain your email address"),
    ("Nadia Ngo rules!", "must not contain your name"),
    ("nadiaplus2024#", "must not contain your name"),
])
def test_weak_passwords_are_refused_in_plain_words(password, message):
    with pytest.raises(UserError, match=message):
        check_password(password, email="nadia.ngo@example.org", name="Nadia Ngo")


def test_strong_password_passes_and_short_names_do_not_forbid_words():
    check_password(PW, email="an@example.org", name="Ann Li")
    check_password("planning annual report 7", email="ann@example.org", name="Ann")


def test_invitation_password_must_be_strong(empty_engine, admin):
    from indicators_lab.consultation.invitations import accept_invite, invite

    inv = tx(empty_engine, invite, actor=admin, email="ngo@example.org", name="Nadia", constituency="Civil society")
    with pytest.raises(UserError, match="too easy to guess"):
        tx(empty_engine, accept_invite, token=inv.token, password="password1234")
    assert tx(empty_engine, accept_invite, token=inv.token, password=PW).name == "Nadia"  # not used up


def _change(engine, actor, current, new, **kwargs):
    return tx(engine, change_password, actor=actor, current_password=current, new_password=new,
              **kwargs).actor_or_raise()


def test_password_change_checks_the_old_one_and_the_new_ones_strength(empty_engine, admin):
    with pytest.raises(UserError, match="current password is not right"):
        _change(empty_engine, admin, "wrong guess", "another strong one 9")
    with pytest.raises(UserError, match="at least 12"):
        _change(empty_engine, admin, PW, "short")
    _change(empty_engine, admin, PW, "another strong one 9")
    assert sign_in(empty_engine, "admin@example.org", "another strong one 9").user_id == admin.user_id


# --- tokens and session epochs ------------------------------------------------------------------

SECRET = "s" * 40


def test_token_round_trip_and_tampering():
    token = tokens.issue(SECRET, user_id=7, epoch=3)
    assert tokens.read(SECRET, token, max_age_seconds=60) == (7, 3)
    assert tokens.read("t" * 40, token, max_age_seconds=60) is None  # another key
    assert tokens.read(SECRET, token[:-2] + ("AA" if token[-2:] != "AA" else "BB"), max_age_seconds=60) is None
    assert tokens.read(SECRET, "", max_age_seconds=60) is None
    assert tokens.read(SECRET, "x" * 5000, max_age_seconds=60) is None


def test_token_expires():
    token = tokens.issue(SECRET, user_id=7, epoch=0, now=T0)
    assert tokens.read(SECRET, token, max_age_seconds=3600, now=T0 + timedelta(minutes=59)) == (7, 0)
    assert tokens.read(SECRET, token, max_age_seconds=3600, now=T0 + timedelta(minutes=61)) is None


def test_secret_key_is_made_once_owner_only_and_shared(tmp_path):
    settings = Settings(data_dir=tmp_path / "var")
    key = tokens.resolve_secret_key(settings)
    path = tmp_path / "var" / tokens.SECRET_FILE
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert tokens.resolve_secret_key(Settings(data_dir=tmp_path / "var")) == key  # another process
    assert len(key) >= 32
    assert tokens.resolve_secret_key(Settings(data_dir=tmp_path / "var", secret_key="configured-" + "k" * 30)) \
        == "configured-" + "k" * 30


@pytest.mark.parametrize("revoke", ["sign_out", "password_change", "disable"])
def test_old_sign_ins_die_when_the_epoch_moves(empty_engine, admin, revoke):
    lead = tx(empty_engine, create_user, actor=admin, email="lead@example.org", name="Lead", role="co_lead", password=PW)
    signed_in = sign_in(empty_engine, "lead@example.org", PW)
    assert tx(empty_engine, current_actor, signed_in.user_id, signed_in.session_epoch).user_id == lead.user_id
    if revoke == "sign_out":
        tx(empty_engine, sign_out, user_id=lead.user_id)
    elif revoke == "password_change":
        changed = _change(empty_engine, signed_in, PW, "another strong one 9")
        assert tx(empty_engine, current_actor, changed.user_id, changed.session_epoch)  # this browser stays in
    else:
        tx(empty_engine, set_active, actor=admin, user_id=lead.user_id, active=False)
    with pytest.raises(UserError, match="signed out|disabled"):
        tx(empty_engine, current_actor, signed_in.user_id, signed_in.session_epoch)


def test_wrong_current_passwords_on_change_count_towards_the_lock(empty_engine, admin):
    for _ in range(throttle.ACCOUNT.free):
        with pytest.raises(UserError, match="current password is not right"):
            _change(empty_engine, admin, "wrong guess", "another strong one 9", now=T0)
    with pytest.raises(UserError, match="Too many attempts"):
        _change(empty_engine, admin, PW, "another strong one 9", now=T0)


def test_parallel_guesses_get_no_more_tries_than_one_at_a_time(empty_engine, admin):
    """Ten processes guessing at the same moment: still only ``free`` guesses are checked."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from sqlmodel import Session

    from indicators_lab.core.models import SignInFailure

    start = threading.Barrier(10)

    def guess(i):
        start.wait()
        try:
            sign_in(empty_engine, "admin@example.org", f"guess {i}", now=T0)
        except UserError as exc:
            return str(exc)

    with ThreadPoolExecutor(max_workers=10) as pool:
        answers = list(pool.map(guess, range(10)))
    assert answers.count("The email or password is not right.") == throttle.ACCOUNT.free
    assert sum(a.startswith("Too many attempts") for a in answers) == 10 - throttle.ACCOUNT.free
    with Session(empty_engine) as s:
        assert s.get(SignInFailure, throttle.account_key("admin@example.org")).failures == throttle.ACCOUNT.free
