"""services.ports.VocabularyStore on both stores, and the rules of an operator's vocabulary."""

from __future__ import annotations

import uuid

import pytest

from visio_core.domain.errors import Forbidden, InvalidInput
from visio_core.domain.model import Identity, Role
from visio_core.services.vocabulary import TERMS_MAX, VocabularyService, parse_terms


def test_a_vocabulary_reads_back_and_is_replaced_whole(store):
    operator, other = uuid.uuid4(), uuid.uuid4()
    assert store.vocabulary.get(operator) == []
    store.vocabulary.set(operator, ["Foxeo", "Claire Martin", "Lab One"])
    store.vocabulary.set(other, ["Ailleurs"])
    assert store.vocabulary.get(operator) == ["Foxeo", "Claire Martin", "Lab One"]
    store.vocabulary.set(operator, ["MiKL"])
    assert store.vocabulary.get(operator) == ["MiKL"]
    assert store.vocabulary.get(other) == ["Ailleurs"]


def test_terms_are_one_per_line_trimmed_and_once():
    assert parse_terms(" Foxeo \n\nclaire martin, Claire  Martin\nLab One\n") == ["Foxeo", "claire martin", "Lab One"]
    with pytest.raises(InvalidInput, match="trop long"):
        parse_terms("x" * 61)
    with pytest.raises(InvalidInput, match="Trop de termes"):
        parse_terms("\n".join(f"terme {n}" for n in range(TERMS_MAX + 1)))


def test_only_an_operator_keeps_a_vocabulary(store):
    service = VocabularyService(store.vocabulary)
    operator = Identity(uuid.uuid4(), "op@x.io", "MiKL", Role.OPERATOR)
    assert service.set_terms(operator, "Foxeo\nLab One") == ["Foxeo", "Lab One"]
    for role in (Role.CLIENT, Role.ANALYST):
        someone = Identity(uuid.uuid4(), "c@x.io", "C", role, operator.id)
        with pytest.raises(Forbidden):
            service.set_terms(someone, "Intrus")
        with pytest.raises(Forbidden):
            service.terms(someone)
    with pytest.raises(InvalidInput):
        service.set_terms(operator, "y" * 100)
    assert service.terms(operator) == ["Foxeo", "Lab One"]  # a refused list changes nothing
