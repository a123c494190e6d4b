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
FREE_FAILURES = 5  # failures allowed before the account's email is locked
FIRST_LOCK = timedelta(minutes=1)
MAX_LOCK = timedelta(minutes=15)
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

    def authenticate(self, email: str, password: str) -> Identity:
        """The identity behind these credentials, or AuthenticationFailed with one message for all causes."""
        email = (email or "").strip().lower()
        now = self.clock()
        state = self.users.login_state(email)
        if state.locked_until is not None and state.locked_until > now:
            minutes = max(1, -(-int((state.locked_until - now).total_seconds()) // 60))
            raise AuthenticationFailed(t("error.login_throttled", minutes=minutes))
        found = self.users.get_with_hash(email) if email else None
        stored_hash = found[1] if found else self._dummy_hash
        matches = self.hasher.verify(stored_hash, password or "")  # verified even for unknown emails: same cost
        if found is None or not matches:
            failures = self.users.record_failure(email, now)
            if failures >= FREE_FAILURES:
                lock = min(MAX_LOCK, FIRST_LOCK * 2 ** (failures - FREE_FAILURES))
                self.users.lock(email, now + lock)
            raise AuthenticationFailed(t("error.login_failed"))
        identity, stored_hash = found
        self.users.clear_failures(email)
        if self.hasher.needs_rehash(stored_hash):
            self.users.set_password_hash(identity.id, self.hasher.hash(password))
        return identity

    def get(self, user_id: uuid.UUID) -> Identity | None:
        return self.users.get(user_id)

    def list_users(self, role: Role | None = None) -> list[Identity]:
        return self.users.list(role=role)

    def clients_of(self, operator: Identity) -> list[Identity]:
        scope = None if operator.role is Role.CLIENT else operator.scope_operator_id  # a client sees no peers
        return self.users.list(role=Role.CLIENT, operator_id=scope) if scope else []


def normalise_email(email: str) -> str:
    cleaned = (email or "").strip().lower()
    if not _EMAIL.match(cleaned) or len(cleaned) > 254:
        raise InvalidInput(t("error.bad_email"))
    return cleaned


def _check_password(password: str) -> None:
    if len(password or "") < PASSWORD_MIN:
        raise InvalidInput(t("error.weak_password", min=PASSWORD_MIN))
