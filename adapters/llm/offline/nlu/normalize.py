"""Chat-text normalisation: case, accents, emojis, stretched letters, Mexican slang and typos."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from rapidfuzz import fuzz, process
from rapidfuzz.distance import DamerauLevenshtein

from adapters.llm.offline.nlu.lexicon import (
    COMMAND_WORDS,
    COMMON_WORDS,
    DOMAIN_WORDS,
    NOT_TYPOS,
    PHRASES,
    SLANG,
)

# Tokens keep inner separators so sizes ("205/55r16"), folios ("tl-123"), times ("3:30") and
# models ("cr-v") survive as one token; "?" and "$" are kept because they carry meaning.
_TOKEN = re.compile(r"[a-z0-9]+(?:[/.:\-][a-z0-9]+)*|[?$]")
_THOUSANDS = re.compile(r"(?<=\d)[,'](?=\d{3}(?!\d))")
# Letters Spanish legitimately doubles (llanta, carro, acción, leer, coordinar).
_LONG_RUN_DOUBLE = re.compile(r"([lrceo])\1{2,}")
_LONG_RUN = re.compile(r"([a-z])\1{2,}")
_TRAILING_DOUBLE = re.compile(r"([aiou])\1$")
_FUZZY_MIN_LEN = 5
_TYPO_MIN_LEN = 6
_FUZZY_SCORE = 85.0
# Letters of Spanish verb and noun endings (-an, -ar, -aron, -ado, -es, -os).
_INFLECTION_LETTERS = frozenset("aeiousrnd")
_KNOWN: frozenset[str] = frozenset(
    COMMON_WORDS
    | set(DOMAIN_WORDS)
    | set(COMMAND_WORDS)
    | NOT_TYPOS
    | set(SLANG)
    | {w for value in SLANG.values() for w in value.split()}
)


# How customers really spell words: every token of the intent corpus, counted. A word nobody
# wrote there, one slipped key away from a word many wrote, is that word ("lqs" → "las", "qye"
# → "que", "odupo" → "ocupo", "prexio" → "precio").
_CORPUS = Path(__file__).resolve().parent / "data" / "intents_train.tsv"
_ALPHABET = "abcdefghijklmnopqrstuvwxyz"
_MIN_WRITTEN = 4  # a correction must be a word customers wrote at least this often
_MIN_WRITTEN_SHORT = 25  # for 3-4 letter tokens only the very common words ("las", "con")
# Names from the store's vocabulary (models, makes, brands, branches): never "corrected".
_PROTECTED: set[str] = set()


@lru_cache(maxsize=1)
def _written() -> Counter[str]:
    counts: Counter[str] = Counter()
    for line in _CORPUS.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            _, _, text = line.partition("\t")
            counts.update(t for t in _TOKEN.findall(fold_text(text)) if t.isalpha())
    return counts


def written_words() -> Counter[str]:
    """How often each word appears in the intent corpus (words customers really write)."""
    return _written()


def protect(words: Iterable[str]) -> None:
    """Names the typo corrector must leave alone (the NLU's vocabulary registers its own)."""
    fresh = {w for w in words if w.isalpha()} - _PROTECTED
    if fresh:
        _PROTECTED.update(fresh)
        _correct.cache_clear()


def _one_key_away(word: str, *, same_length: bool) -> set[str]:
    """Every string one substitution or swap away (and, for longer words, one insertion or
    deletion away): Norvig's edits1."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    edits = {a + c + b[1:] for a, b in splits if b for c in _ALPHABET}
    edits |= {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    if not same_length:
        edits |= {a + b[1:] for a, b in splits if b}
        edits |= {a + c + b for a, b in splits for c in _ALPHABET}
    return edits


_SPANISH_ENDINGS = frozenset("aeiousnrldzyj")
_IMPLAUSIBLE = re.compile(r"^[^aeiou]+$|q(?!u)|[wkx]|([^lrceo])\1")


def _unspanish(token: str) -> bool:
    """Whether a short token cannot be a Spanish word ("lqs", "qye", "cnn", "lax"), so that
    real short words nobody wrote in the corpus ("par", "sol") are left alone."""
    return bool(_IMPLAUSIBLE.search(token)) or token[-1] not in _SPANISH_ENDINGS


def _plural_of(token: str, word: str) -> bool:
    """ "seguros"/"seguro": a real word's other number, not a typo."""
    return token == word + "s" or word == token + "s" or token == word + "es"


def _slipped(token: str) -> str | None:
    """The frequent word a token nobody writes is one slipped key away from, if any."""
    written = _written()
    if len(token) < 3 or token in written or token in _PROTECTED:
        return None
    short = len(token) <= 4
    if short and not _unspanish(token):
        return None
    floor = _MIN_WRITTEN_SHORT if short else _MIN_WRITTEN
    candidates = [
        (written[w], w)
        for w in _one_key_away(token, same_length=short)
        if written.get(w, 0) >= floor
        and w not in _PROTECTED
        and not _plural_of(token, w)
        and (short or not _is_inflection(token, w))  # "hablara" is not a typo of "hablar"
    ]
    if not candidates:
        return None
    return max(candidates)[1]


def _phonetic(word: str) -> str:
    """How a word sounds in Mexican Spanish, spelling aside (c/s/z, b/v, ll/y, silent h, qu/k)."""
    w = re.sub(r"c(?=[ei])|z", "s", word)
    w = w.replace("qu", "k").replace("c", "k").replace("v", "b").replace("ll", "y").replace("h", "")
    return re.sub(r"(.)\1+", r"\1", w)


_BY_SOUND: dict[str, str] = {}
for _word in (*DOMAIN_WORDS, *COMMAND_WORDS):
    if len(_word) >= 5:
        _BY_SOUND.setdefault(_phonetic(_word), _word)
_PHRASES = tuple((re.compile(r"(?<!\S)" + re.escape(src) + r"(?!\S)"), dst) for src, dst in PHRASES)


def fold_text(text: str) -> str:
    """Lower-case ``text``, drop accents and replace emojis and other symbols by spaces.

    Args:
        text: any user text.

    Returns:
        ASCII text with the same word boundaries ("¿Cuánto?" → " cuanto?").
    """
    decomposed = unicodedata.normalize("NFKD", text.replace("\u00d7", "x").lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(c if c.isascii() and (c.isprintable() or c.isspace()) else " " for c in plain)


def _collapse(token: str) -> str:
    """Undo stretched letters: "holaaaa" → "hola", "carrrro" → "carro", "llantass" → "llantas"."""
    if not token.isalpha():
        return token
    if _LONG_RUN.search(token):
        doubled = _LONG_RUN.sub(r"\1", _LONG_RUN_DOUBLE.sub(r"\1\1", token))
        token = doubled if doubled in _KNOWN else _LONG_RUN.sub(r"\1", token)
    if len(token) > 3 and token not in _KNOWN:
        token = _TRAILING_DOUBLE.sub(r"\1", token)
    return token


@lru_cache(maxsize=8192)
def _correct(token: str) -> str:
    """One token in standard spelling: slang first, then a fuzzy fix towards domain words."""
    token = _collapse(token)
    if token in SLANG:
        return SLANG[token]
    if token in _KNOWN or not token.isalpha():
        return token
    if len(token) < _FUZZY_MIN_LEN:
        slipped = _slipped(token)
        return SLANG.get(slipped, slipped) if slipped else token
    match = process.extractOne(token, DOMAIN_WORDS, scorer=fuzz.ratio, score_cutoff=_FUZZY_SCORE)
    if match is not None and not _is_inflection(token, match[0]):
        return str(match[0])
    sound = _phonetic(token)
    heard = _BY_SOUND.get(sound)
    if heard is not None:
        return heard  # "balanseo" → "balanceo", "cotisas" → "cotizas"
    if len(token) >= _TYPO_MIN_LEN:
        # One slipped key (a substitution or a swap) in a longer word.
        near = process.extractOne(
            token, COMMAND_WORDS, scorer=DamerauLevenshtein.distance, score_cutoff=1
        )
        if near is not None and len(near[0]) == len(token) and not _is_inflection(token, near[0]):
            return str(near[0])
    slipped = _slipped(token)
    return SLANG.get(slipped, slipped) if slipped else token


def _is_inflection(token: str, word: str) -> bool:
    """True when ``token`` is another form of ``word`` ("compran"/"comprar"), not a typo."""
    if token in word or word in token or abs(len(word) - len(token)) > 2:
        return True
    common = 0
    while common < min(len(token), len(word)) and token[common] == word[common]:
        common += 1
    tails = token[common:] + word[common:]
    return len(tails) <= 5 and set(tails) <= _INFLECTION_LETTERS


_UNITS = {
    "uno": 1, "dos": 2, "tres": 3, "cuatro": 4, "cinco": 5, "seis": 6, "siete": 7, "ocho": 8,
    "nueve": 9, "diez": 10, "once": 11, "doce": 12, "trece": 13, "catorce": 14, "quince": 15,
    "dieciseis": 16, "diecisiete": 17, "dieciocho": 18, "diecinueve": 19, "veinte": 20,
    "veintiuno": 21, "veintidos": 22, "veintitres": 23, "veinticuatro": 24, "veinticinco": 25,
    "veintiseis": 26, "veintisiete": 27,
}  # fmt: skip
# "dis mil dieciocho": one slipped key in "dos" still reads as a year before "mil".
_YEAR_2000 = re.compile(r"\bd[oiu]s mil(?: (" + "|".join(_UNITS) + r"))?\b")
_YEAR_1900 = re.compile(
    r"\bmil novecientos (ochenta|noventa)(?: y (" + "|".join(list(_UNITS)[:9]) + r"))?\b"
)
_RIM_WORDS = re.compile(r"\b(rin|r) (" + "|".join(list(_UNITS)[12:22]) + r")\b")


def _numbers_in_words(text: str) -> str:
    """Model years and rims said in words: "dos mil veinte" → 2020, "rin dieciseis" → rin 16."""
    text = _YEAR_2000.sub(lambda m: str(2000 + (_UNITS[m[1]] if m[1] else 0)), text)
    text = _YEAR_1900.sub(
        lambda m: str(1900 + (80 if m[1] == "ochenta" else 90) + (_UNITS[m[2]] if m[2] else 0)),
        text,
    )
    return _RIM_WORDS.sub(lambda m: f"{m[1]} {_UNITS[m[2]]}", text)


def normalize(text: str) -> str:
    """Normalise a chat message for classification and entity matching.

    Args:
        text: the message as the customer wrote it.

    Returns:
        Lower-case ASCII words separated by single spaces, with slang mapped to standard
        Spanish ("ocupo 4 yantas pa mi nave xfa" → "necesito 4 llantas para mi carro por
        favor"), stretched letters collapsed and domain typos fixed; tire sizes stay one token.
    """
    folded = _THOUSANDS.sub("", fold_text(text))
    # "d.f." and "c/u" lose their last dot in tokenisation; "3pm" keeps its digits.
    words = [_correct(token) for token in _TOKEN.findall(folded)]
    joined = " ".join(words)
    for pattern, replacement in _PHRASES:
        joined = pattern.sub(replacement, joined)
    return _numbers_in_words(joined)
