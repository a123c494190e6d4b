"""Embedded accounts: argon2id password hashes, throttled sign-in, no user enumeration."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from visio_core.domain.errors import AuthenticationFailed, InvalidInput, NotFound
from visio_core.domain.i18n import t
from visio_core.domain.model import Identity, Role, Tier, utcnow
from visio_core.services.ports import PasswordHashing, UserRepository

PASSWORD_MIN = 8
# Failures are counted per (email, client address): a stranger guessing the operator's password
# from elsewhere slows himself down, never the operator. A second count per address bounds what
# one address may try across every email. Either count past its free failures waits a delay
# that doubles (1 min … 15 min); a waiting attempt costs no password verification.
FREE_FAILURES = 5  # per email and address
FREE_FAILURES_PER_CLIENT = 20  # per address, whatever the emails
FIRST_LOCK = timedelta(minutes=1)
MAX_LOCK = timedelta(minutes=15)
UNKNOWN_CLIENT = "unknown"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class AccountService:
    users: UserRepository
    hasher: PasswordHashing
    clock: Callable[[], datetime] = utcnow

    def __post_init__(self) -> None:
        # Verified against when the email is unknown, so both paths cost the same time.
        self._dummy_hash = self.hasher.hash("not-a-real-password")

    def add_user(
        self,
        *,
        email: str,
        display_name: str,
        role: Role | str,
        password: str,
        operator_id: uuid.UUID | None = None,
        tier: Tier | str | None = None,
    ) -> Identity:
        email = normalise_email(email)
        try:
            role = Role(role)
        except ValueError:
            raise InvalidInput(t("error.bad_role", value=role)) from None
        if role is Role.OPERATOR:
            operator_id, tier = None, None
        else:
            operator = self.users.get(operator_id) if operator_id else None
            if operator is None or operator.role is not Role.OPERATOR:
                raise InvalidInput(t("error.operator_required"))
            tier = Tier(tier) if (tier and role is Role.CLIENT) else (Tier.LAB if role is Role.CLIENT else None)
        _check_password(password)
        if self.users.get_with_hash(email) is not None:
            raise InvalidInput(t("error.email_taken"))
        identity = Identity(
            id=uuid.uuid4(),
            email=email,
            display_name=(display_name or "").strip() or email,
            role=role,
            operator_id=operator_id,
            tier=tier,
        )
        self.users.add(identity, self.hasher.hash(password), self.clock())
        return identity

    def set_password(self, email: str, password: str) -> None:
        _check_password(password)
        found = self.users.get_with_hash(normalise_email(email))
        if found is None:
            raise NotFound(t("error.account_not_found"))
        self.users.set_password_hash(found[0].id, self.hasher.hash(password))

    def authenticate(self, email: str, password: str, client: str | None = None) -> Identity:
        """The identity behind these credentials, or AuthenticationFailed with one message for all causes.

        `client` is the address the attempt comes from (None when unknown, e.g. the CLI).
        """
        email = (email or "").strip().lower()
        if not email or not password:  # said plainly, and not counted as a failure
            raise InvalidInput(t("error.login_missing"))
        now = self.clock()
        keys = _throttle_keys(email, client)
        self._refuse_while_locked(keys, now)
        found = self.users.get_with_hash(email) if email else None
        stored_hash = found[1] if found else self._dummy_hash
        matches = self.hasher.verify(stored_hash, password or "")  # verified even for unknown emails: same cost
        if found is None or not matches:
            for key, free in keys:
                failures = self.users.record_failure(key, now)
                if failures >= free:
                    self.users.lock(key, now + min(MAX_LOCK, FIRST_LOCK * 2 ** (failures - free)))
            self._refuse_while_locked(keys, now)  # the failure that locks says so at once
            raise AuthenticationFailed(t("error.login_failed"))
        identity, stored_hash = found
        for key, _ in keys:
            self.users.clear_failures(key)
        if self.hasher.needs_rehash(stored_hash):
            self.users.set_password_hash(identity.id, self.hasher.hash(password))
        return identity

    def _refuse_while_locked(self, keys: list[tuple[str, int]], now: datetime) -> None:
        for key, _ in keys:
            state = self.users.login_state(key)
            if state.locked_until is not None and state.locked_until > now:
                minutes = max(1, -(-int((state.locked_until - now).total_seconds()) // 60))
                raise AuthenticationFailed(t("error.login_throttled", minutes=minutes))

    def get(self, user_id: uuid.UUID) -> Identity | None:
        return self.users.get(user_id)

    def list_users(self, role: Role | None = None) -> list[Identity]:
        return self.users.list(role=role)

    def clients_of(self, operator: Identity) -> list[Identity]:
        scope = None if operator.role is Role.CLIENT else operator.scope_operator_id  # a client sees no peers
        return self.users.list(role=Role.CLIENT, operator_id=scope) if scope else []


def _throttle_keys(email: str, client: str | None) -> list[tuple[str, int]]:
    """The counters an attempt adds to, each with its free failures."""
    address = (client or UNKNOWN_CLIENT).strip()[:64] or UNKNOWN_CLIENT
    return [(f"{email}|{address}", FREE_FAILURES), (f"|client|{address}", FREE_FAILURES_PER_CLIENT)]


def normalise_email(email: str) -> str:
    cleaned = (email or "").strip().lower()
    if not _EMAIL.match(cleaned) or len(cleaned) > 254:
        raise InvalidInput(t("error.bad_email"))
    return cleaned


def _check_password(password: str) -> None:
    if len(password or "") < PASSWORD_MIN:
        raise InvalidInput(t("error.weak_password", min=PASSWORD_MIN))
