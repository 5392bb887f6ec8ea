"""The offline NLU: normalise, extract entities, then rules or the classifier pick the intent."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from adapters.llm.offline.nlu import details as dx
from adapters.llm.offline.nlu import entities as ex
from adapters.llm.offline.nlu.classifier import (
    TRAIN_TSV,
    IntentModel,
    cache_key,
    load_or_train,
    read_corpus,
    train,
)
from adapters.llm.offline.nlu.intents import Intent
from adapters.llm.offline.nlu.mentions import Mentions, resolve
from adapters.llm.offline.nlu.normalize import fold_text, normalize, protect
from adapters.llm.offline.nlu.rules import rule_intent
from adapters.llm.offline.nlu.types import Analysis, Entities
from adapters.llm.offline.nlu.vocabulary import Vocabulary
from adapters.llm.offline.nlu.when import resolve_when

INTENTS: tuple[Intent, ...] = tuple(Intent)
# Training must not depend on the clock: model years up to this one are masked as years.
_TRAINING_MAX_YEAR = 2030
_LONG_NUMBER = re.compile(r"^\d{3,}$")
_MEMO: dict[str, IntentModel] = {}
_MEMO_LOCK = threading.Lock()


@dataclass(frozen=True, slots=True)
class _Reading:
    """Everything derived from the text alone (no clock)."""

    normalized: str
    work: str
    mentions: Mentions
    classifier_text: str


class NLU:
    """Deterministic Spanish NLU for the tire business; safe to share between threads."""

    def __init__(self, vocabulary: Vocabulary, *, cache_dir: Path | None = None) -> None:
        """Load the intent model from ``cache_dir`` or train it (and cache it there).

        Args:
            vocabulary: the names to recognise; the model is keyed by it too, because
                vehicle and brand names are masked before classification.
            cache_dir: where the trained model is pickled; None keeps it in this process only.
        """
        self._vocabulary = vocabulary
        protect(vocabulary.names())  # "rio", "aveo", "kia" are names, not typos
        corpus = TRAIN_TSV.read_bytes()
        material = corpus + b"\0" + vocabulary.fingerprint().encode()
        if cache_dir is None:
            key = cache_key(material)
            with _MEMO_LOCK:
                if key not in _MEMO:
                    _MEMO[key] = self._train()
                self._model = _MEMO[key]
        else:
            self._model = load_or_train(material, cache_dir, self._train)

    def _train(self) -> IntentModel:
        texts: list[str] = []
        sentences: list[str] = []
        labels: list[str] = []
        for intent, text in read_corpus():
            if intent not in INTENTS:
                raise ValueError(f"unknown intent '{intent}' in {TRAIN_TSV.name}")
            reading = self._read(text, _TRAINING_MAX_YEAR)
            if reading.classifier_text:
                texts.append(reading.classifier_text)
                sentences.append(reading.normalized)
                labels.append(intent)
        return train(texts, sentences, labels)

    def trims_of(self, model: str) -> tuple[str, ...]:
        """The fitment table's trims of a model (for "es 2021 GLS" after the car was named)."""
        return self._vocabulary.trims_of(model)

    def classifier_views(self, text: str) -> tuple[str, str]:
        """The two views of a message the intent model reads (for cross-validation).

        Args:
            text: the message as written.

        Returns:
            ``(masked classifier text, normalised text)``, exactly as in training.
        """
        reading = self._read(text, _TRAINING_MAX_YEAR)
        return reading.classifier_text, reading.normalized

    def _read(self, text: str, max_year: int) -> _Reading:
        normalized = normalize(text)
        work = ex.mask_sizes(ex.mask_folios(normalized))
        tokens = work.split()
        mentions = resolve(tokens, self._vocabulary.scan(tokens), max_year)
        view = list(tokens)
        for start, end, label in sorted(mentions.spans, reverse=True):
            view[start:end] = [f"z{label}"]
        view = ["znum" if _LONG_NUMBER.match(t) else t for t in view]
        return _Reading(normalized, work, mentions, " ".join(view))

    def analyze(self, text: str, *, now: datetime) -> Analysis:
        """Read one customer or staff message.

        Args:
            text: the message as written.
            now: timezone-aware current time; relative dates resolve against it.

        Returns:
            The normalised text, intent with confidence, and entities.
        """
        reading = self._read(text, now.year + 1)
        ruled = rule_intent(reading.normalized, text)
        if ruled is not None:
            intent, confidence = ruled
        else:
            prediction = self._model.predict(reading.classifier_text, reading.normalized)
            intent, confidence = prediction.intent, prediction.confidence
        mentions = reading.mentions
        when = resolve_when(reading.work, now)
        normalized = reading.normalized
        rfc = dx.extract_rfc(text)
        vehicle = mentions.vehicle
        trims = self._vocabulary.trims_of(vehicle.model) if vehicle and vehicle.model else ()
        found = Entities(
            sizes=tuple(dict.fromkeys(s for _, _, s in ex.extract_sizes(fold_text(text)))),
            vehicle=vehicle,
            other_vehicles=mentions.others,
            brands=mentions.brands,
            lines=mentions.lines,
            quantity=ex.extract_quantity(reading.work),
            when=when,
            folios=tuple(ex.extract_folios(normalized)),
            branches=mentions.branches,
            max_price_pesos=ex.extract_max_price(reading.work),
            choice=ex.extract_choice(reading.work),
            fulfillment=ex.extract_fulfillment(reading.work),
            trim=dx.extract_trim(text, trims, model=vehicle.model if vehicle else None)
            if trims
            else None,
            terrain=dx.extract_terrain(reading.work),
            run_flat=dx.extract_run_flat(reading.work),
            light_truck=dx.extract_light_truck(reading.work),
            window=dx.extract_window(normalized, when.hour if when else None),
            address=dx.extract_address(text, normalized, expected=False),
            rfc=rfc,
            zip_code=dx.extract_zip(normalized, expected=False, rfc=rfc),
            regime=dx.extract_regime(normalized),
            cfdi_use=dx.extract_cfdi_use(normalized),
            business_name=dx.extract_business_name(text, expected=False, rfc=rfc),
            payment_method=dx.extract_payment_method(normalized),
        )
        return Analysis(
            text=text,
            normalized=reading.normalized,
            intent=intent,
            confidence=round(confidence, 4),
            entities=found,
        )
