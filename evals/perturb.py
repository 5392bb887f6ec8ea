"""Perturbed variants of every customer turn: how customers really type, seeded and deterministic.

Each kind rewrites a task's customer lines (script turns, a goal's opening and known answers)
the way people write on WhatsApp; the task's expectations stay the same, so a robust agent passes
the variant wherever it passes the original:

- ``accents``: no accents, no ñ, no ¿ ¡ ("¿cuánto?" -> "cuanto?");
- ``typos``: keyboard-neighbour substitutions on a Spanish QWERTY layout, at most one per 8
  letters of the line (between one and half of that allowance), one per word, never in the
  first letter of a word;
- ``slang``: "por favor" -> "porfa", "que" -> "q", "para" -> "pa", "necesito" -> "ocupo" ...;
- ``runon``: punctuation dropped and sentences joined with fillers ("oye y", "y este"), as in a
  dictated voice note;
- ``emoji``: emoji between words and at the end;
- ``mixed``: all of the above on the same line.

Protected tokens are never changed: folios (TL-000123), anything with a digit (sizes, years,
quantities, prices, postal codes, phone numbers), RFCs, all-capital words (BAJA, GLI, AT),
links, e-mails and ``{placeholders}``.
"""

from __future__ import annotations

import hashlib
import random
import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import Literal, get_args

from evals.models import Task

Kind = Literal["accents", "typos", "slang", "runon", "emoji", "mixed"]
KINDS: tuple[Kind, ...] = get_args(Kind)
DEFAULT_KINDS: tuple[Kind, ...] = ("accents", "typos", "slang", "runon", "emoji")
VARIANT_SEPARATOR = "--"  # task id of a variant: <id>--<kind>

PROTECTED = re.compile(
    r"""
    \{[A-Za-z_][A-Za-z0-9_]*\}            # {placeholders} filled from the database
    | https?://\S+ | [\w.+-]+@[\w-]+\.\w+  # links and e-mails
    | \bTL-\d+\b                          # folios
    | \b[A-Za-zÑñ&]{3,4}\d{6}[A-Za-z0-9]{3}\b  # RFCs
    | [^\s]*\d[^\s]*                      # anything with a digit: sizes, years, prices, CPs
    | \b[A-ZÁÉÍÓÚÑ]{2,}\b                 # all-capital words: BAJA, STOP, GLI, AT, MT, LT
    """,
    re.VERBOSE,
)
ROWS = ("qwertyuiop", "asdfghjklñ", "zxcvbnm")
SLANG: tuple[tuple[str, str], ...] = (
    ("por favor", "porfa"), ("muchas gracias", "mil gracias"), ("la verdad", "la neta"),
    ("porque", "xq"), ("por qué", "xq"), ("qué", "q"), ("que", "q"), ("para", "pa"),
    ("necesito", "ocupo"), ("quiero", "kiero"), ("también", "tmb"), ("tambien", "tmb"),
    ("gracias", "grax"), ("bueno", "weno"), ("pues", "pos"), ("estoy", "toy"),
    ("hola", "ola"), ("muy", "mui"), ("oye", "oie"), ("bien", "bn"), ("camioneta", "troca"),
    ("dinero", "lana"), ("amigo", "compa"), ("cuánto", "cuanto"), ("está", "sta"),
    ("de", "d"), ("por", "x"),
)  # fmt: skip
FILLERS = ("oye y", "y este", "o sea", "y pues", "y ya")
OPENERS = ("oye", "mira", "fijate que", "este")
EMOJI = ("🙏", "👍", "😅", "🚗", "😊", "🤔", "👌", "😬", "🛞", "🙌")
SENTENCE_END = re.compile(r"\s*[.!?;]+\s*|\s*,\s*")
PUNCTUATION = re.compile(r"[.,;:!?¿¡]")


def _neighbours() -> dict[str, str]:
    """Each letter's neighbours on a Spanish QWERTY keyboard (same row and the rows around)."""
    out: dict[str, str] = {}
    for r, row in enumerate(ROWS):
        for c, key in enumerate(row):
            near = [row[i] for i in (c - 1, c + 1) if 0 <= i < len(row)]
            for other in (r - 1, r + 1):
                if 0 <= other < len(ROWS):
                    near += [ROWS[other][i] for i in (c - 1, c, c + 1) if 0 <= i < len(ROWS[other])]
            out[key] = "".join(near)
    return out


NEIGHBOURS = _neighbours()


def rng_for(seed: int, *parts: object) -> random.Random:
    """A generator seeded from ``seed`` and the parts (stable across runs and machines)."""
    key = ":".join(str(p) for p in (seed, *parts)).encode()
    return random.Random(int.from_bytes(hashlib.sha256(key).digest()[:8], "big"))


def segments(text: str) -> list[tuple[str, bool]]:
    """The text as (piece, protected) pieces, in order; joined they are the text."""
    out: list[tuple[str, bool]] = []
    at = 0
    for match in PROTECTED.finditer(text):
        if match.start() > at:
            out.append((text[at : match.start()], False))
        out.append((match.group(), True))
        at = match.end()
    if at < len(text):
        out.append((text[at:], False))
    return out


def protected_tokens(text: str) -> list[str]:
    """The tokens a perturbation must leave exactly as they are."""
    return [piece for piece, kept in segments(text) if kept]


def _free(text: str, change: Callable[[str], str]) -> str:
    """Apply ``change`` to the unprotected pieces only."""
    return "".join(piece if kept else change(piece) for piece, kept in segments(text))


def strip_accents(text: str, _: random.Random | None = None) -> str:
    """No accents, no ñ, no ¿ ¡ (outside protected tokens)."""

    def plain(piece: str) -> str:
        decomposed = unicodedata.normalize("NFKD", piece)
        kept = "".join(c for c in decomposed if not unicodedata.combining(c))
        return kept.replace("¿", "").replace("¡", "")

    return _free(text, plain)


def keyboard_typos(text: str, rng: random.Random) -> str:
    """Neighbour-key substitutions: at most one per 8 letters of the line and one per word,
    never the first letter of a word, never in protected tokens."""
    pieces = segments(text)
    words = [
        [(p, m.start() + k) for k in range(1, len(m.group()))
         if piece[m.start() + k].lower() in NEIGHBOURS]
        for p, (piece, kept) in enumerate(pieces)
        if not kept
        for m in re.finditer(r"[^\W\d_]{3,}", piece)
    ]  # fmt: skip
    words = [spots for spots in words if spots]
    letters = sum(c.isalpha() for piece, kept in pieces if not kept for c in piece)
    budget = min(letters // 8, len(words))
    if budget <= 0:
        return text
    # Up to half the allowance: fast thumbs on a phone, not a cat on the keyboard.
    count = rng.randint(1, (budget + 1) // 2)
    chosen = [rng.choice(spots) for spots in rng.sample(words, count)]
    chars = [list(piece) for piece, _ in pieces]
    for p, i in chosen:
        old = chars[p][i]
        new = rng.choice(NEIGHBOURS[old.lower()])
        chars[p][i] = new.upper() if old.isupper() else new
    return "".join("".join(c) for c in chars)


def slang(text: str, rng: random.Random) -> str:
    """Common WhatsApp substitutions, each applied where it fits (most of the time)."""

    def replacer(short: str) -> Callable[[re.Match[str]], str]:
        return lambda m: short if rng.random() < 0.8 else m.group()

    def swap(piece: str) -> str:
        for word, short in SLANG:
            pattern = re.compile(rf"(?<![\w]){re.escape(word)}(?![\w])", re.IGNORECASE)
            piece = pattern.sub(replacer(short), piece)
        return piece

    return _free(text, swap)


def run_on(text: str, rng: random.Random) -> str:
    """Punctuation dropped, sentences joined with fillers, sometimes an opener, lower case."""

    def join(piece: str) -> str:
        joined = SENTENCE_END.sub(
            lambda m: f" {rng.choice(FILLERS)} " if rng.random() < 0.5 else " ", piece
        )
        return PUNCTUATION.sub("", joined)

    out = _free(text, join)
    out = re.sub(r"\s+", " ", out).strip()
    if rng.random() < 0.5:
        out = f"{rng.choice(OPENERS)} {out}"
    return "".join(piece if kept else piece.lower() for piece, kept in segments(out))


def add_emoji(text: str, rng: random.Random) -> str:
    """An emoji at the end, and sometimes one between two words."""
    out = f"{text.rstrip()} {rng.choice(EMOJI)}"
    gaps = [m.start() for m in re.finditer(r" ", text.rstrip())]
    free = [g for g in gaps if not _inside_protected(text, g)]
    if free and rng.random() < 0.5:
        at = rng.choice(free)
        out = f"{out[:at]} {rng.choice(EMOJI)}{out[at:]}"
    return out


def _inside_protected(text: str, index: int) -> bool:
    return any(m.start() < index < m.end() for m in PROTECTED.finditer(text))


PERTURB: dict[Kind, Callable[[str, random.Random], str]] = {
    "accents": strip_accents,
    "typos": keyboard_typos,
    "slang": slang,
    "runon": run_on,
    "emoji": add_emoji,
}


MIXED: tuple[Kind, ...] = ("slang", "accents", "typos", "runon", "emoji")


def perturb(text: str, kind: Kind, rng: random.Random) -> str:
    """One customer line rewritten by one kind of perturbation."""
    if kind == "mixed":
        for step in MIXED:
            text = PERTURB[step](text, rng)
        return text
    return PERTURB[kind](text, rng)


def perturb_task(task: Task, kind: Kind, *, seed: int = 0) -> Task:
    """The task with every customer line perturbed (same expectations, a new id)."""
    user = task.user
    if user.script is not None:
        script = [
            perturb(step, kind, rng_for(seed, task.id, kind, i)) if isinstance(step, str) else step
            for i, step in enumerate(user.script)
        ]
        user = user.model_copy(update={"script": script})
    elif user.goal is not None:
        goal = user.goal
        known = {
            slot: perturb(text, kind, rng_for(seed, task.id, kind, slot))
            for slot, text in goal.known.items()
        }
        opening = perturb(goal.opening, kind, rng_for(seed, task.id, kind, "opening"))
        user = user.model_copy(
            update={"goal": goal.model_copy(update={"opening": opening, "known": known})}
        )
    return task.model_copy(
        update={"id": f"{task.id}{VARIANT_SEPARATOR}{kind}", "user": user, "perturbation": kind}
    )


def variants(
    tasks: Iterable[Task], kinds: Iterable[Kind] = DEFAULT_KINDS, *, seed: int = 0
) -> list[Task]:
    """Every task perturbed by every kind, in task order."""
    wanted = list(kinds)
    return [perturb_task(task, kind, seed=seed) for task in tasks for kind in wanted]
