"""Editors: the people allowed to change records through the API.

An editor has a name, a password (kept as an Argon2 hash, for a future login form) and an
API token. The token is shown once, when it is made; the archive keeps only its SHA-256,
so a copy of the database gives nobody write access. `fonds users add/list` and the JSON
API's write endpoints (`PUT`/`DELETE /api/v1/records/{id}`) call these functions.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, insert, select, update

from fonds.store import tables as t

if TYPE_CHECKING:
    from fonds.archive import Archive

# Roles that may write records. "admin" may also manage users (through the CLI).
ROLES: tuple[str, ...] = ("editor", "admin")
WRITE_ROLES = frozenset(ROLES)

_HASHER = PasswordHasher()


@dataclass(frozen=True)
class User:
    """An editor as the application sees one: never the password or the token."""

    id: int
    name: str
    role: str
    created_at: datetime

    @property
    def can_write(self) -> bool:
        return self.role in WRITE_ROLES


def add_user(archive: Archive, name: str, password: str, role: str = "editor") -> str:
    """Create a user and return their API token (shown once; only its hash is kept).

    Raises ValueError for an empty name or password, an unknown role, or a name in use.
    """
    name = name.strip()
    if not name:
        raise ValueError("a user needs a name")
    if not password:
        raise ValueError("a user needs a password")
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; use one of {', '.join(ROLES)}")
    token = _new_token()
    with archive.store.engine.begin() as c:
        taken = c.execute(select(t.users.c.id).where(t.users.c.name == name)).first()
        if taken is not None:
            raise ValueError(f"a user named {name!r} exists already")
        c.execute(
            insert(t.users).values(
                name=name,
                password_hash=_HASHER.hash(password),
                role=role,
                token_hash=hash_token(token),
                created_at=datetime.now(UTC),
            )
        )
    return token


def new_token(archive: Archive, name: str) -> str:
    """Replace a user's token (the old one stops working at once) and return the new one."""
    token = _new_token()
    with archive.store.engine.begin() as c:
        result = c.execute(
            update(t.users).where(t.users.c.name == name).values(token_hash=hash_token(token))
        )
    if not result.rowcount:
        raise ValueError(f"no user named {name!r}")
    return token


def remove_user(archive: Archive, name: str) -> bool:
    with archive.store.engine.begin() as c:
        return bool(c.execute(delete(t.users).where(t.users.c.name == name)).rowcount)


def list_users(archive: Archive) -> list[User]:
    with archive.store.read() as c:
        rows = c.execute(select(t.users).order_by(t.users.c.name)).all()
    return [_user(row) for row in rows]


def verify_token(archive: Archive, token: str) -> User | None:
    """The user whose token this is, or None. Looked up by hash, so timing reveals nothing."""
    if not token:
        return None
    digest = hash_token(token)
    with archive.store.read() as c:
        row = c.execute(select(t.users).where(t.users.c.token_hash == digest)).first()
    if row is None or not hmac.compare_digest(row.token_hash or "", digest):
        return None
    return _user(row)


def verify_password(archive: Archive, name: str, password: str) -> User | None:
    """The user if `password` is theirs, else None."""
    with archive.store.read() as c:
        row = c.execute(select(t.users).where(t.users.c.name == name)).first()
    if row is None:
        return None
    try:
        _HASHER.verify(row.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    return _user(row)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _new_token() -> str:
    return "fonds_" + secrets.token_urlsafe(32)


def _user(row: Any) -> User:
    return User(id=int(row.id), name=str(row.name), role=str(row.role), created_at=row.created_at)
