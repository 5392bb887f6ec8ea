"""Read files into documents: Markdown, HTML, PDF (pypdf) and CSV bulletins or recalls."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from html.parser import HTMLParser
from pathlib import Path

from knowledge_base.documents import Document, parse_markdown, slugify
from knowledge_base.facts import render

SUFFIXES = frozenset({".md", ".markdown", ".html", ".htm", ".pdf", ".csv"})
# CSV columns, first match wins (Spanish or English headers from a manufacturer's export).
_ID_COLUMNS = ("id", "folio", "boletin", "bulletin", "recall", "recall_id", "campana")
_TEXT_COLUMNS = ("descripcion", "description", "texto", "text", "resumen", "summary", "detalle")
_TITLE_COLUMNS = ("titulo", "title", "asunto", "subject")


class _HtmlToMarkdown(HTMLParser):
    """Headings become Markdown headings, block elements paragraphs; scripts and styles vanish."""

    _BLOCKS = frozenset({"p", "div", "li", "br", "tr", "section", "article", "table", "ul", "ol"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.title = ""
        self.meta: dict[str, str] = {}
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "nav", "footer"):
            self._skip += 1
        elif tag == "title":
            self._in_title = True
        elif tag == "meta":
            values = dict(attrs)
            if values.get("name") and values.get("content"):
                self.meta[str(values["name"]).lower()] = str(values["content"])
        elif re.fullmatch(r"h[1-6]", tag):
            self.out.append("\n\n" + "#" * min(int(tag[1]), 3) + " ")
        elif tag in self._BLOCKS:
            self.out.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "nav", "footer"):
            self._skip = max(0, self._skip - 1)
        elif tag == "title":
            self._in_title = False
        elif re.fullmatch(r"h[1-6]", tag) or tag in self._BLOCKS:
            self.out.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data.strip()
        elif not self._skip:
            self.out.append(re.sub(r"\s+", " ", data))


def _front_matter(meta: Mapping[str, str]) -> str:
    lines = [f"{key}: {value}" for key, value in meta.items() if value]
    return "---\n" + "\n".join(lines) + "\n---\n" if lines else ""


def load_html(text: str, *, source: str, default_id: str) -> Document:
    """An HTML page; ``<title>`` and ``<meta name="topic|id">`` fill the front matter."""
    parser = _HtmlToMarkdown()
    parser.feed(text)
    body = re.sub(r"[ \t]*\n[ \t]*", "\n", "".join(parser.out))
    body = re.sub(r"\n{3,}", "\n\n", body).strip()
    meta = {
        "id": parser.meta.get("id", ""),
        "title": parser.title,
        "topic": parser.meta.get("topic", ""),
    }
    return parse_markdown(_front_matter(meta) + body, source=source, default_id=default_id)


def load_pdf(data: bytes, *, source: str, default_id: str) -> Document:
    """A PDF's text, one section per page (the page number is the heading)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    info = reader.metadata
    pages = [(page.extract_text() or "").strip() for page in reader.pages]
    first_line = next((p.splitlines()[0] for p in pages if p), default_id)
    title = str(info.title) if info is not None and info.title else first_line
    body = "\n\n".join(f"## Página {i}\n\n{text}" for i, text in enumerate(pages, 1) if text)
    if not body:
        raise ValueError(f"{source}: the PDF has no extractable text (a scan needs OCR first)")
    return parse_markdown(
        _front_matter({"title": title, "topic": "manual"}) + body,
        source=source,
        default_id=default_id,
    )


def _column(header: list[str], names: tuple[str, ...]) -> str | None:
    folded = {slugify(h).replace("-", "_"): h for h in header}
    return next((folded[n] for n in names if n in folded), None)


def load_csv(text: str, *, source: str) -> list[Document]:
    """Manufacturer bulletins or recalls: one document per row.

    Needs an id column (id, folio, boletin, recall...) and a text column (descripcion,
    description, texto, resumen...); every other column is written as a "campo: valor" line.
    """
    reader = csv.DictReader(io.StringIO(text))
    header = list(reader.fieldnames or [])
    id_col, text_col = _column(header, _ID_COLUMNS), _column(header, _TEXT_COLUMNS)
    if id_col is None or text_col is None:
        raise ValueError(
            f"{source}: a bulletin CSV needs an id column ({', '.join(_ID_COLUMNS)}) and a text "
            f"column ({', '.join(_TEXT_COLUMNS)}); found {', '.join(header) or 'no header'}"
        )
    title_col = _column(header, _TITLE_COLUMNS)
    docs = []
    for line, row in enumerate(reader, start=2):
        row_id = (row.get(id_col) or "").strip()
        if not row_id:
            raise ValueError(f"{source}, line {line}: empty {id_col}")
        title = (row.get(title_col) or "").strip() if title_col else ""
        title = title or f"Boletín {row_id}"
        fields = "\n".join(
            f"- {key}: {value.strip()}"
            for key, value in row.items()
            if key not in (id_col, text_col, title_col) and value and value.strip()
        )
        body = f"{(row.get(text_col) or '').strip()}\n\n{fields}".strip()
        docs.append(
            Document(
                id=f"boletin-{slugify(row_id)}",
                title=title,
                topic="boletin",
                body=body,
                source=source,
            )
        )
    return docs


def load_file(path: Path, *, source: str, facts: Mapping[str, str], root: Path) -> list[Document]:
    """The documents in one file (a CSV may hold many); ValueError says what is wrong."""
    suffix = path.suffix.lower()
    default_id = (
        slugify(str(path.relative_to(root).with_suffix(""))) if path != root else slugify(path.stem)
    )
    if suffix in (".md", ".markdown"):
        text = render(path.read_text(encoding="utf-8"), facts, source=str(path))
        return [parse_markdown(text, source=source, default_id=default_id)]
    if suffix in (".html", ".htm"):
        return [load_html(path.read_text(encoding="utf-8"), source=source, default_id=default_id)]
    if suffix == ".pdf":
        return [load_pdf(path.read_bytes(), source=source, default_id=default_id)]
    if suffix == ".csv":
        return load_csv(path.read_text(encoding="utf-8-sig"), source=source)
    raise ValueError(f"{path}: unsupported file type {suffix} (use {', '.join(sorted(SUFFIXES))})")


def load_path(path: Path, *, source: str, facts: Mapping[str, str]) -> list[Document]:
    """Every supported document in a file or, recursively, a folder (sorted, so ids are stable)."""
    if not path.exists():
        raise ValueError(f"{path}: no such file or folder")
    if path.is_file():
        return load_file(path, source=source, facts=facts, root=path)
    files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
    docs = [doc for p in files for doc in load_file(p, source=source, facts=facts, root=path)]
    seen: dict[str, str] = {}
    for doc in docs:
        if doc.id in seen:
            raise ValueError(f"document id {doc.id!r} is used twice (in {path})")
        seen[doc.id] = doc.source
    return docs
