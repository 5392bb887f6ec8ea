"""Offline Spanish (es-MX) NLU: normalisation, intent classification and entity extraction."""

from adapters.llm.offline.nlu.engine import INTENTS, NLU
from adapters.llm.offline.nlu.normalize import normalize
from adapters.llm.offline.nlu.types import Analysis, Entities, VehicleMention
from adapters.llm.offline.nlu.vocabulary import Vocabulary

__all__ = ["INTENTS", "NLU", "Analysis", "Entities", "VehicleMention", "Vocabulary", "normalize"]
