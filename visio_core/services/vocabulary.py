"""An operator's vocabulary: the names and jargon of his clients (people, products, places) that
Whisper should spell right. Given to the decoder with every recording of his meetings."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from visio_core.domain.errors import InvalidInput
from visio_core.domain.i18n import t
from visio_core.domain.model import Identity
from visio_core.domain.policy import require_operator
from visio_core.services.ports import VocabularyStore

TERM_MAX = 60
TERMS_MAX = 200


def parse_terms(text: str) -> list[str]:
    """One term per line (or comma); blanks dropped, duplicates once; InvalidInput past the limits."""
    terms: list[str] = []
    for raw in (text or "").replace(",", "\n").splitlines():
        term = " ".join(raw.split())
        if not term:
            continue
        if len(term) > TERM_MAX:
            raise InvalidInput(t("vocabulary.term_too_long", term=term[:30], max=TERM_MAX))
        if term.lower() not in {known.lower() for known in terms}:
            terms.append(term)
    if len(terms) > TERMS_MAX:
        raise InvalidInput(t("vocabulary.too_many", max=TERMS_MAX))
    return terms


@dataclass
class VocabularyService:
    store: VocabularyStore

    def terms(self, actor: Identity) -> list[str]:
        require_operator(actor)
        return self.store.get(actor.id)

    def set_terms(self, actor: Identity, text: str) -> list[str]:
        require_operator(actor)
        terms = parse_terms(text)  # nothing written when the text is refused
        self.store.set(actor.id, terms)
        return terms

    def for_operator(self, operator_id: uuid.UUID) -> list[str]:
        """The system path: what the worker gives the decoder for a meeting of this operator."""
        return self.store.get(operator_id)
