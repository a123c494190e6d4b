"""Operators' vocabularies on a real PostgreSQL: each operator his own, workers read all."""

from __future__ import annotations

import psycopg
import pytest

from tests.postgres.conftest import as_role

pytestmark = pytest.mark.postgres

UPSERT = (
    "INSERT INTO public.vocabularies (operator_id, terms) VALUES (%s, %s) "
    "ON CONFLICT (operator_id) DO UPDATE SET terms = excluded.terms"
)


def test_an_operator_keeps_his_own_vocabulary_and_sees_no_other(world):
    with as_role(world.url, "authenticated", world.op1) as conn:
        conn.execute(UPSERT, (world.op1, ["Foxeo", "Lab One"]))
        assert conn.execute("SELECT terms FROM public.vocabularies").fetchall() == [(["Foxeo", "Lab One"],)]
        conn.commit()
    with as_role(world.url, "authenticated", world.op2) as conn:
        assert conn.execute("SELECT count(*) FROM public.vocabularies").fetchone()[0] == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(UPSERT, (world.op1, ["Détourné"]))
    with as_role(world.url, "service_role") as conn:  # the worker
        assert conn.execute("SELECT terms FROM public.vocabularies WHERE operator_id = %s", (world.op1,)).fetchone()[
            0
        ] == ["Foxeo", "Lab One"]


@pytest.mark.parametrize("who", ["a", "analyst"])
def test_clients_and_analysts_keep_none(world, who):
    user = getattr(world, who)
    with as_role(world.url, "authenticated", user) as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(UPSERT, (user, ["Intrus"]))
