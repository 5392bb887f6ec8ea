"""Documents and chunks: Markdown with front matter, split by heading into retrievable chunks."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

from pydantic import BaseModel

MAX_WORDS = 250  # a longer section is split at paragraph breaks
_HEADING = re.compile(r"^(#{1,3})\s+(.+?)\s*#*\s*$")
_LIST_KEYS = frozenset({"product_lines", "vehicle_types", "links", "tags"})


class Hit(BaseModel):
    """One search result: a chunk, its fused score (higher is better) and where it came from."""

    id: str
    title: str
    score: float
    text: str
    topic: str
    links: list[str] = []


@dataclass(frozen=True, slots=True)
class Chunk:
    """A retrievable piece of a document: one heading section (or a part of a long one)."""

    id: str
    doc_id: str
    title: str  # the document's title
    section: str  # the heading, "" for a document's lead
    text: str  # what a reader is shown: the section's prose
    topic: str
    source: str
    links: tuple[str, ...] = ()

    @property
    def passage(self) -> str:
        """What is embedded and indexed: title and heading give the section its context."""
        head = f"{self.title}. {self.section}." if self.section else f"{self.title}."
        return f"{head}\n{self.text}"

    @property
    def content_hash(self) -> str:
        """Changes when anything that is indexed or shown changes."""
        payload = "\x1f".join((self.passage, self.topic, " ".join(self.links)))
        return hashlib.sha256(payload.encode()).hexdigest()[:32]


@dataclass(frozen=True, slots=True)
class Document:
    """A source document: metadata from its front matter and its Markdown body."""

    id: str
    title: str
    topic: str
    body: str
    source: str
    product_lines: tuple[str, ...] = ()
    vehicle_types: tuple[str, ...] = ()
    links: tuple[str, ...] = ()
    extra: dict[str, str] = field(default_factory=dict)


def slugify(text: str) -> str:
    """ASCII, lower-case, hyphenated: "Presión en frío" → "presion-en-frio"."""
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", folded).strip("-") or "x"


def _value(raw: str) -> str | tuple[str, ...]:
    raw = raw.strip()
    if raw.startswith("[") and raw.endswith("]"):
        return tuple(p.strip().strip("'\"") for p in raw[1:-1].split(",") if p.strip())
    return raw.strip("'\"")


def parse_markdown(text: str, *, source: str, default_id: str) -> Document:
    """A Markdown document with optional ``---`` front matter of ``key: value`` lines.

    Lists are written ``[a, b]``. Keys: id, title, topic, product_lines, vehicle_types, links;
    others are kept in ``extra``. Without a title, the first ``#`` heading is the title.
    """
    meta: dict[str, str | tuple[str, ...]] = {}
    body = text.lstrip("\ufeff")
    if body.startswith("---"):
        end = body.find("\n---", 3)
        if end < 0:
            raise ValueError(f"{source}: front matter opened with '---' is never closed")
        for line in body[3:end].splitlines():
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            key, sep, raw = line.partition(":")
            if not sep:
                raise ValueError(f"{source}: front-matter line {line!r} is not 'key: value'")
            meta[key.strip()] = _value(raw)
        body = body[end + 4 :].lstrip("\n")
    title = meta.get("title")
    if not isinstance(title, str) or not title:
        first = next((m for m in map(_HEADING.match, body.splitlines()) if m), None)
        title = first.group(2) if first else default_id

    def listed(key: str) -> tuple[str, ...]:
        value = meta.get(key, ())
        return (value,) if isinstance(value, str) else value

    doc_id = meta.get("id")
    return Document(
        id=slugify(doc_id if isinstance(doc_id, str) and doc_id else default_id),
        title=title,
        topic=str(meta.get("topic") or "general"),
        body=body,
        source=source,
        product_lines=listed("product_lines"),
        vehicle_types=listed("vehicle_types"),
        links=listed("links"),
        extra={
            k: str(v) for k, v in meta.items() if k not in _LIST_KEYS | {"id", "title", "topic"}
        },
    )


def _split_long(text: str) -> list[str]:
    """Paragraph groups of at most MAX_WORDS words (a single longer paragraph stays whole)."""
    parts: list[str] = []
    current: list[str] = []
    words = 0
    for para in (p.strip() for p in re.split(r"\n\s*\n", text)):
        if not para:
            continue
        n = len(para.split())
        if current and words + n > MAX_WORDS:
            parts.append("\n\n".join(current))
            current, words = [], 0
        current.append(para)
        words += n
    if current:
        parts.append("\n\n".join(current))
    return parts


def chunk_document(doc: Document) -> list[Chunk]:
    """One chunk per ``##``/``###`` section (the lead before the first one is its own chunk).

    Ids are ``doc_id#heading-slug`` (``-2``, ``-3`` for the parts of a long section), stable
    while the heading stays, so questions can name the chunk they expect.
    """
    sections: list[tuple[str, list[str]]] = [("", [])]
    for line in doc.body.splitlines():
        match = _HEADING.match(line)
        if match and len(match.group(1)) == 1:
            continue  # the document's own title
        if match:
            sections.append((match.group(2).strip(), []))
        else:
            sections[-1][1].append(line)
    chunks: list[Chunk] = []
    seen: set[str] = set()
    for heading, lines in sections:
        text = "\n".join(lines).strip()
        if not text:
            continue
        base = f"{doc.id}#{slugify(heading) if heading else 'intro'}"
        for i, part in enumerate(_split_long(text), start=1):
            chunk_id = base if i == 1 else f"{base}-{i}"
            while chunk_id in seen:
                chunk_id += "-b"
            seen.add(chunk_id)
            chunks.append(
                Chunk(
                    id=chunk_id,
                    doc_id=doc.id,
                    title=doc.title,
                    section=heading,
                    text=part,
                    topic=doc.topic,
                    source=doc.source,
                    links=doc.links,
                )
            )
    return chunks
