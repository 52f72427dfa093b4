"""Sign-in tokens: signed, expiring, and revocable on the server through the user's session epoch.

A token carries the user id and the account's ``session_epoch`` at sign-in. Signing out, a password
change or disabling the account adds one to the epoch, so every token issued before stops working.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from datetime import datetime
from pathlib import Path

from itsdangerous import BadData, TimestampSigner, URLSafeTimedSerializer

from indicators_lab.core.config import Settings

COOKIE_NAME = "ilab_session"
SECRET_FILE = "secret_key"
_SALT = "indicators-lab.sign-in"


def resolve_secret_key(settings: Settings) -> str:
    """The configured ``secret_key``, else the one kept in ``data_dir/secret_key`` (made once, 0600)."""
    if settings.secret_key is not None and settings.secret_key.get_secret_value().strip():
        return settings.secret_key.get_secret_value()
    path = Path(settings.data_dir) / SECRET_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written aside, then linked into place: link fails if another process got there first,
        # so all processes end up reading one complete key.
        tmp = path.with_name(f".{SECRET_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as f:
                f.write(secrets.token_urlsafe(48))
            try:
                os.link(tmp, path)
            except FileExistsError:
                pass
        finally:
            tmp.unlink(missing_ok=True)
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)
    key = path.read_text().strip()
    if len(key) < 32:
        raise RuntimeError(f"{path} holds no usable key; delete it to make a new one.")
    return key


def _serializer(secret: str, now: datetime | None) -> URLSafeTimedSerializer:
    signer = TimestampSigner
    if now is not None:  # tests pass a clock; the app uses the real time
        class signer(TimestampSigner):  # noqa: N801 - a local subclass
            def get_timestamp(self) -> int:
                return int(now.timestamp())

    return URLSafeTimedSerializer(secret, salt=_SALT, signer=signer,
                                  signer_kwargs={"digest_method": hashlib.sha256})


def issue(secret: str, *, user_id: int, epoch: int, now: datetime | None = None) -> str:
    """A token for this user and session epoch, valid until it is older than the caller's max age."""
    return _serializer(secret, now).dumps({"u": int(user_id), "e": int(epoch)})


def read(secret: str, token: str | None, *, max_age_seconds: float,
         now: datetime | None = None) -> tuple[int, int] | None:
    """(user id, epoch) from a genuine, unexpired token; None for anything else."""
    if not token or len(token) > 1000:
        return None
    try:
        data = _serializer(secret, now).loads(token, max_age=max_age_seconds)
        return int(data["u"]), int(data["e"])
    except (BadData, KeyError, TypeError, ValueError):
        return None
