"""Embedded accounts: hashing, sign-in, throttling, no user enumeration, account rules."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import PASSWORD, Clock
from visio_core.domain.errors import AuthenticationFailed, InvalidInput, NotFound
from visio_core.domain.model import Role, Tier
from visio_core.services.accounts import FREE_FAILURES


@pytest.fixture
def ctx_clock(clock: Clock) -> Clock:
    return clock  # the whole context runs on the hand-driven clock


def test_password_is_stored_as_salted_argon2id(ctx, people):
    _, stored = ctx.accounts.users.get_with_hash("a@example.com")
    _, other = ctx.accounts.users.get_with_hash("b@example.com")
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    assert stored != other  # same password, different salt


def test_sign_in_is_case_insensitive_on_email(ctx, people):
    assert ctx.accounts.authenticate("  OP1@Example.com ", PASSWORD).id == people.op1.id


def test_wrong_password_and_unknown_email_look_the_same(ctx, people):
    with pytest.raises(AuthenticationFailed) as wrong:
        ctx.accounts.authenticate("op1@example.com", "bad-password")
    with pytest.raises(AuthenticationFailed) as unknown:
        ctx.accounts.authenticate("nobody@example.com", "bad-password")
    assert str(wrong.value) == str(unknown.value) == "Email ou mot de passe incorrect."


def test_throttling_locks_then_releases(ctx, people, clock):
    for _ in range(FREE_FAILURES - 1):
        with pytest.raises(AuthenticationFailed, match="incorrect"):
            ctx.accounts.authenticate("op1@example.com", "bad-password", "203.0.113.7")
    # the failure that locks says so at once (it used to say "incorrect" until the right password came)
    with pytest.raises(AuthenticationFailed, match="Trop de tentatives. Réessayez dans 1 minute"):
        ctx.accounts.authenticate("op1@example.com", "bad-password", "203.0.113.7")
    # locked: even the right password is refused for now, from that address
    with pytest.raises(AuthenticationFailed, match="Trop de tentatives"):
        ctx.accounts.authenticate("op1@example.com", PASSWORD, "203.0.113.7")
    clock.now += timedelta(minutes=2)
    assert ctx.accounts.authenticate("op1@example.com", PASSWORD, "203.0.113.7").id == people.op1.id
    # success resets the counter
    with pytest.raises(AuthenticationFailed, match="incorrect"):
        ctx.accounts.authenticate("op1@example.com", "bad-password", "203.0.113.7")


def test_lockout_grows_and_applies_to_unknown_emails_too(ctx, people, clock):
    for _ in range(FREE_FAILURES + 1):
        clock.now += timedelta(minutes=20)  # let each lock pass, the count keeps growing
        with pytest.raises(AuthenticationFailed):
            ctx.accounts.authenticate("ghost@example.com", "x", "203.0.113.7")
    with pytest.raises(AuthenticationFailed, match="Trop de tentatives. Réessayez dans 2 minute"):
        ctx.accounts.authenticate("ghost@example.com", "x", "203.0.113.7")


def test_a_stranger_cannot_lock_the_operator_out(ctx, people, clock):
    """Guessing the operator's password from elsewhere slows the guesser, not the operator."""
    for _ in range(50):
        with pytest.raises(AuthenticationFailed):
            ctx.accounts.authenticate("op1@example.com", "guess", "198.51.100.66")
    assert ctx.accounts.authenticate("op1@example.com", PASSWORD, "192.0.2.10").id == people.op1.id


def test_one_address_is_limited_across_every_email(ctx, people, clock):
    """Spraying one password over many emails from one address hits the address's own limit."""
    from visio_core.services.accounts import FREE_FAILURES_PER_CLIENT

    for n in range(FREE_FAILURES_PER_CLIENT - 1):
        with pytest.raises(AuthenticationFailed, match="incorrect"):
            ctx.accounts.authenticate(f"user{n}@example.com", "Printemps2026!", "198.51.100.66")
    with pytest.raises(AuthenticationFailed, match="Trop de tentatives"):
        ctx.accounts.authenticate("last@example.com", "Printemps2026!", "198.51.100.66")
    with pytest.raises(AuthenticationFailed, match="Trop de tentatives"):  # even for a real account, right password
        ctx.accounts.authenticate("op1@example.com", PASSWORD, "198.51.100.66")
    assert ctx.accounts.authenticate("op1@example.com", PASSWORD, "192.0.2.10").id == people.op1.id


def test_add_user_rules(ctx, people):
    with pytest.raises(InvalidInput, match="email"):
        ctx.accounts.add_user(email="A@example.com", display_name="dup", role="operator", password=PASSWORD)
    with pytest.raises(InvalidInput, match="Adresse email"):
        ctx.accounts.add_user(email="not-an-email", display_name="x", role="operator", password=PASSWORD)
    with pytest.raises(InvalidInput, match="8 caractères"):
        ctx.accounts.add_user(email="new@example.com", display_name="x", role="operator", password="short")
    with pytest.raises(InvalidInput, match="Rôle inconnu"):
        ctx.accounts.add_user(email="new@example.com", display_name="x", role="admin", password=PASSWORD)
    with pytest.raises(InvalidInput, match="rattaché"):
        ctx.accounts.add_user(email="new@example.com", display_name="x", role="client", password=PASSWORD)
    with pytest.raises(InvalidInput, match="rattaché"):  # a client's owner must be an operator
        ctx.accounts.add_user(
            email="new@example.com",
            display_name="x",
            role="client",
            password=PASSWORD,
            operator_id=people.client_a.id,
        )
    client = ctx.accounts.add_user(
        email="new@example.com", display_name="New", role="client", password=PASSWORD, operator_id=people.op1.id
    )
    assert client.tier is Tier.LAB and client.role is Role.CLIENT
    assert [c.email for c in ctx.accounts.clients_of(people.op1)] == [
        "a@example.com",
        "b@example.com",
        "new@example.com",
    ]


def test_set_password(ctx, people):
    ctx.accounts.set_password("a@example.com", "a-brand-new-secret")
    with pytest.raises(AuthenticationFailed):
        ctx.accounts.authenticate("a@example.com", PASSWORD)
    assert ctx.accounts.authenticate("a@example.com", "a-brand-new-secret").id == people.client_a.id
    with pytest.raises(NotFound):
        ctx.accounts.set_password("ghost@example.com", "a-brand-new-secret")


@pytest.mark.parametrize("email, password", [("", PASSWORD), ("op1@example.com", ""), ("  ", "  ")])
def test_empty_fields_are_asked_for_and_not_counted(ctx, people, email, password):
    for _ in range(FREE_FAILURES + 2):
        with pytest.raises(InvalidInput, match="Saisissez votre email et votre mot de passe"):
            ctx.accounts.authenticate(email, password, "203.0.113.7")
    assert ctx.accounts.authenticate("op1@example.com", PASSWORD, "203.0.113.7").id == people.op1.id
