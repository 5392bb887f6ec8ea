"""Names the NLU knows (vehicles, tire brands and lines, branches) and how to spot them in text."""

from __future__ import annotations

import csv
import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from rapidfuzz import fuzz, process
from rapidfuzz.distance import DamerauLevenshtein, Hamming

from adapters.llm.offline.nlu.aliases import (
    BRANCH_NICKNAMES,
    BRAND_ALIASES,
    CONTEXT_LINE_WORDS,
    CONTEXT_MODELS,
    GENERIC_LINE_WORDS,
    MAKE_ALIASES,
    MODEL_ALIASES,
)
from adapters.llm.offline.nlu.normalize import fold_text, written_words
from domain.text import fold

_DEMO_BRANCHES: dict[str, tuple[str, ...]] = {
    "CDMX": ("Ciudad de México", "TopLlantas Insurgentes"),
    "GDL": ("Guadalajara", "TopLlantas López Mateos"),
    "MTY": ("Monterrey", "TopLlantas Constitución"),
}
_PARTS = re.compile(r"[a-z]+|[0-9]+")
_YEAR_TOKEN = re.compile(r"^(?:19[89]\d|20[0-3]\d)$")
_MAX_NGRAM = 4
_FUZZY_MIN_LEN = 5
_FUZZY_SCORE = 85.0  # one slipped key in a seven-letter name ("prijacy") is 85.7
# Words close to a name yet ordinary in a tire chat; fuzzy matching must leave them alone.
_NOT_NAMES = frozenset(
    {
        "marcha",
        "compras",
        "mexico",
        "marca",
        "marcas",
        "ventas",
        "sentar",
        "rango",
        "mirar",
        "cambio",
        "rapido",
        "tardes",
        "llantas",
        "precio",
        "modelo",
        "carro",
        "camioneta",
        "gracias",
        "buenas",
        "quiero",
        "tienen",
        "necesito",
        "cuanto",
        "cuantas",
        "medida",
        "general",
        "nuevo",
        "nuevas",
        "nuevos",
        "nueva",
        "clasico",
        "clasica",
        "ciudad",
        "grande",
        "grand",
        "sport",
        "terreno",
        "semana",
        "viernes",
        "sabado",
        "domingo",
        "martes",
        "jueves",
        "lunes",
    }
)


@dataclass(frozen=True, slots=True)
class Entry:
    """What one alias names.

    ``kind`` is ``make``, ``model``, ``brand``, ``line`` or ``branch``. ``context`` marks aliases
    that are everyday words and count only next to their make or brand. ``parts`` is how many
    words or numbers the alias has: only multi-part aliases may be written split ("cr v").
    """

    kind: str
    name: str
    make: str | None = None
    lines: tuple[tuple[str, str], ...] = ()
    context: bool = False
    parts: int = 1


@dataclass(frozen=True, slots=True)
class Match:
    """An alias found at tokens ``start``..``end`` (exclusive)."""

    start: int
    end: int
    entry: Entry


def _key(alias: str) -> str:
    return fold(alias)


def _parts(alias: str) -> int:
    return len(_PARTS.findall(fold_text(alias)))


class Vocabulary:
    """Makes, models, tire brands and lines and branches, indexed by every alias."""

    def __init__(
        self,
        entries: Iterable[tuple[str, Entry]],
        trims: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        """Index ``(alias, entry)`` pairs; use :meth:`from_rows` or :meth:`from_demo_files`.

        ``trims`` maps a model name to its fitment trims ("Sportline/Highline/GLI"); trims are
        matched after the vehicle is known and do not change what the classifier sees.
        """
        self._trims: dict[str, tuple[str, ...]] = {
            fold(model): tuple(sorted({t for t in names if t}))
            for model, names in (trims or {}).items()
        }
        index: dict[str, list[Entry]] = defaultdict(list)
        for alias, entry in entries:
            key = _key(alias)
            if key and entry not in index[key]:
                index[key].append(entry)
        # Sorted so that scans and the fingerprint do not depend on hash randomisation.
        self._index: dict[str, tuple[Entry, ...]] = {
            k: tuple(sorted(v, key=repr)) for k, v in sorted(index.items())
        }
        self._fuzzy_keys = tuple(
            k
            for k, v in self._index.items()
            if len(k) >= _FUZZY_MIN_LEN and k.isalpha() and not any(e.context for e in v)
        )
        self._fuzzy_cache: dict[str, str | None] = {}
        self._model_keys = tuple(
            k
            for k, v in self._index.items()
            if k.isalpha() and len(k) >= 4 and any(e.kind == "model" and not e.context for e in v)
        )
        self._short_model_keys = tuple(
            k
            for k, v in self._index.items()
            if k.isalpha() and len(k) == 3 and any(e.kind == "model" for e in v)
        )

    def trims_of(self, model: str) -> tuple[str, ...]:
        """The fitment trims of a model ("GLI", "TRD Off-Road"), as the table writes them."""
        return self._trims.get(fold(model), ())

    def names(self) -> frozenset[str]:
        """The one-word aliases (models, makes, brands, lines, branches), as the index keys them."""
        return frozenset(k for k in self._index if k.isalpha())

    def fingerprint(self) -> str:
        """A SHA-256 of every alias and what it names; keys caches of models trained with it."""
        digest = hashlib.sha256()
        for key in sorted(self._index):
            digest.update(f"{key}={self._index[key]!r};".encode())
        return digest.hexdigest()

    @classmethod
    def from_rows(
        cls,
        *,
        vehicles: Iterable[tuple[str, str]],
        brand_lines: Iterable[tuple[str, str]],
        branches: Mapping[str, Sequence[str]],
        trims: Mapping[str, Sequence[str]] | None = None,
    ) -> Vocabulary:
        """Build the vocabulary from what the database holds.

        Args:
            vehicles: ``(make, model)`` pairs, e.g. ``("Volkswagen", "Jetta")``.
            brand_lines: ``(brand, line)`` pairs from the catalogue.
            branches: branch code → its names (city, branch name); codes are aliases too.
            trims: model → its fitment trims, for "Jetta GLI" and "Tacoma TRD Off-Road".

        Returns:
            The vocabulary, with the built-in nicknames ("vocho", "bersa", "df") added.
        """
        entries: list[tuple[str, Entry]] = []
        pairs = sorted(set(vehicles))
        for make in sorted({m for m, _ in pairs}):
            entry = Entry("make", make)
            entries += [(a, entry) for a in (make, *MAKE_ALIASES.get(make, ()))]
        for make, model in pairs:
            entries += _model_entries(make, model)
        entries += _brand_entries(sorted(set(brand_lines)))
        for code, names in sorted(branches.items()):
            aliases = (code, *names, *BRANCH_NICKNAMES.get(code.upper(), ()))
            entries += [(a, Entry("branch", code, parts=_parts(a))) for a in aliases]
        return cls(entries, trims)

    @classmethod
    def from_demo_files(cls) -> Vocabulary:
        """The demo vocabulary: ``fitment.csv``, the demo catalogue and the three branches."""
        from db.demo import catalog

        fitment = Path(catalog.__file__).resolve().parent / "data" / "fitment.csv"
        with fitment.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        vehicles = [(row["make"], row["model"]) for row in rows]
        trims: dict[str, list[str]] = defaultdict(list)
        for row in rows:
            trims[row["model"]].append(row["trim"])
        brand_lines = [(spec.brand, spec.line) for spec in catalog.build_catalog()]
        return cls.from_rows(
            vehicles=vehicles, brand_lines=brand_lines, branches=_DEMO_BRANCHES, trims=trims
        )

    def scan(self, tokens: Sequence[str]) -> list[Match]:
        """Find every alias in ``tokens``, longest first, left to right.

        Args:
            tokens: normalised words.

        Returns:
            Non-overlapping matches in text order; one alias may yield several entries.
        """
        folded = [fold(t) for t in tokens]
        matches: list[Match] = []
        i = 0
        while i < len(folded):
            step = 1
            for n in range(min(_MAX_NGRAM, len(folded) - i), 0, -1):
                entries = self._index.get("".join(folded[i : i + n]))
                if entries:
                    hits = [e for e in entries if n == 1 or e.parts > 1]
                    if hits:
                        matches += [Match(i, i + n, e) for e in hits]
                        step = n
                        break
            else:
                key = self._fuzzy(folded[i])
                if key is None and _YEAR_TOKEN.match(folded[i + 1] if i + 1 < len(folded) else ""):
                    key = self._near_model(folded[i])  # "vegsa 2018", "afeo 2016"
                if key is not None:
                    matches += [Match(i, i + 1, e) for e in self._index[key]]
            i += step
        return matches

    def _near_model(self, word: str) -> str | None:
        """A model name one keystroke away, trusted only right before a model year."""
        if len(word) == 3 and word.isalpha() and word not in written_words():
            # "rjo 2020", "cgv 2018": one slipped key in a three-letter model that nobody
            # writes otherwise, and only when no other three-letter model is as close.
            near = [k for k in self._short_model_keys if Hamming.distance(word, k) == 1]
            return near[0] if len(near) == 1 else None
        if not 4 <= len(word) <= 8 or not word.isalpha() or word in _NOT_NAMES:
            return None
        found = process.extractOne(
            word, self._model_keys, scorer=DamerauLevenshtein.distance, score_cutoff=1
        )
        return str(found[0]) if found else None

    def _fuzzy(self, word: str) -> str | None:
        """The alias a misspelt word most likely means ("corola" → "corolla"), if any."""
        if len(word) < _FUZZY_MIN_LEN or not word.isalpha() or word in _NOT_NAMES:
            return None
        if word not in self._fuzzy_cache:
            found = process.extractOne(
                word, self._fuzzy_keys, scorer=fuzz.ratio, score_cutoff=_FUZZY_SCORE
            )
            self._fuzzy_cache[word] = found[0] if found else None
        return self._fuzzy_cache[word]


def _model_entries(make: str, model: str) -> list[tuple[str, Entry]]:
    aliases = sorted({model, *MODEL_ALIASES.get(model, ())})
    # Only the ambiguous spelling needs context: "sedan" does, its nickname "vocho" does not.
    entries = [
        (a, Entry("model", model, make=make, context=fold(a) in CONTEXT_MODELS, parts=_parts(a)))
        for a in aliases
        if not fold(a).isdigit()
    ]
    # "Peugeot 2008", "RAM 1500", "Nissan Versa": naming the make settles any ambiguity.
    makes = sorted({make, *MAKE_ALIASES.get(make, ())})
    entries += [
        (f"{m} {a}", Entry("model", model, make=make, parts=2)) for m in makes for a in aliases
    ]
    return entries


def _brand_entries(brand_lines: Sequence[tuple[str, str]]) -> list[tuple[str, Entry]]:
    entries: list[tuple[str, Entry]] = []
    for brand in sorted({b for b, _ in brand_lines}):
        entries += [
            (a, Entry("brand", brand, parts=_parts(a)))
            for a in (brand, *BRAND_ALIASES.get(brand, ()))
        ]
    families: dict[str, list[tuple[str, str]]] = defaultdict(list)
    codes: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for brand, line in brand_lines:
        words = [fold(w) for w in line.split()]
        context = len(words) == 1 and words[0] in CONTEXT_LINE_WORDS
        entries.append(
            (
                line,
                Entry("line", brand, lines=((brand, line),), context=context, parts=_parts(line)),
            )
        )
        if words[0] not in GENERIC_LINE_WORDS and len(words[0]) >= 4 and len(words) > 1:
            families[words[0]].append((brand, line))
        for word in words[1:]:
            if any(c.isdigit() for c in word) and any(c.isalpha() for c in word) and len(word) > 2:
                codes[word].append((brand, line))
    for word, lines in sorted(families.items()):
        brand = lines[0][0]
        # A bare family word ("primacy") names every line of that family.
        entries.append(
            (
                word,
                Entry(
                    "line", brand, lines=tuple(sorted(lines)), context=word in CONTEXT_LINE_WORDS
                ),
            )
        )
    for word, lines in sorted(codes.items()):
        if len(lines) == 1:
            entries.append((word, Entry("line", lines[0][0], lines=tuple(lines))))
    return entries
