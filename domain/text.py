"""Text folding for look-ups: case, accents and punctuation do not matter."""

from __future__ import annotations

import re
import unicodedata

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """``"Mazda 3"`` → ``"mazda3"``, ``"CR-V"`` → ``"crv"``, ``"Sedán"`` → ``"sedan"``."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_ALNUM.sub("", plain)


def fold_words(text: str) -> str:
    """``"¿Se jala pa' la DERECHA?"`` → ``"se jala pa la derecha"``: like :func:`fold`, but
    words stay apart (for phrase rules)."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _NON_ALNUM.sub(" ", plain).strip()
