"""The real index: Chroma on a temporary folder, the real e5 model, no stand-ins."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from knowledge_base import KnowledgeBase

PRESSURE = """---
id: prueba-presion
title: Presión de prueba
topic: cuidado
---
## Dónde ver la presión

La presión correcta viene en la etiqueta del marco de la puerta del conductor.

## Medir en frío

Mide la presión con las llantas frías, antes de rodar.
"""
ROTATION = """---
id: prueba-rotacion
title: Rotación de prueba
topic: mantenimiento
---
## Cada cuándo rotar

Rota las llantas cada diez mil kilómetros para que se gasten parejo.
"""


def pdf_bytes(lines: list[str]) -> bytes:
    """A one-page PDF with ``lines`` of Helvetica text (ASCII), built by hand."""
    text = "BT /F1 12 Tf 50 750 Td 14 TL " + " ".join(f"({line}) '" for line in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(text)} >>\nstream\n{text}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode()
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += (
        f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    )
    return out


@pytest.fixture
def docs_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "presion.md").write_text(PRESSURE, encoding="utf-8")
    (folder / "rotacion.md").write_text(ROTATION, encoding="utf-8")
    return folder


def test_ingestion_is_idempotent_by_content_hash(empty_kb: KnowledgeBase, docs_dir: Path) -> None:
    first = empty_kb.ingest(docs_dir)
    assert (first.documents, first.chunks, first.added, first.unchanged) == (2, 3, 3, 0)
    again = empty_kb.ingest(docs_dir)
    assert (again.added, again.updated, again.removed, again.unchanged) == (0, 0, 0, 3)
    (docs_dir / "rotacion.md").write_text(
        ROTATION.replace("diez mil", "ocho mil"), encoding="utf-8"
    )
    edited = empty_kb.ingest(docs_dir)
    assert (edited.added, edited.updated, edited.unchanged) == (0, 1, 2)
    assert "ocho mil" in empty_kb.search("cada cuando roto las llantas", k=1, mode="dense")[0].text


def test_a_removed_document_leaves_the_index(empty_kb: KnowledgeBase, docs_dir: Path) -> None:
    empty_kb.ingest(docs_dir)
    (docs_dir / "rotacion.md").unlink()
    report = empty_kb.ingest(docs_dir)
    assert report.removed == 1
    ids = {hit.id for hit in empty_kb.search("rotar llantas cada diez mil km", k=5)}
    assert ids and not any(i.startswith("prueba-rotacion") for i in ids)
    assert empty_kb.remove("prueba-presion") == 2
    assert empty_kb.search("presión en la puerta", k=5) == []


def test_html_pdf_and_csv_files_are_searchable(empty_kb: KnowledgeBase, tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "rines.html").write_text(
        "<html><head><title>Rines</title></head><body><h2>Tuercas de rin de aluminio</h2>"
        "<p>Los rines de aluminio usan tuercas conicas con asiento de 60 grados.</p></body></html>",
        encoding="utf-8",
    )
    (folder / "manual.pdf").write_bytes(
        pdf_bytes(["Manual de compresor portatil", "Conecte el compresor al encendedor del auto."])
    )
    (folder / "boletines.csv").write_text(
        "folio,titulo,marca,descripcion\n"
        "R-2024-07,Llamado a revision,Marca X,Separacion de banda en lotes DOT 2023 semana 10 a 14\n",
        encoding="utf-8",
    )
    report = empty_kb.ingest(folder)
    assert report.documents == 3
    assert (
        empty_kb.search("que tuercas lleva el rin de aluminio", k=1)[0].id
        == "rines#tuercas-de-rin-de-aluminio"
    )
    assert empty_kb.search("como conecto el compresor", k=1)[0].id.startswith("manual#pagina-1")
    recall = empty_kb.search("hay algun llamado a revision por separacion de banda", k=1)[0]
    assert recall.id == "boletin-r-2024-07#intro" and recall.topic == "boletin"


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("se me jala el carro pa la derecha", "jala-direccion#"),
        ("el volante tiembla arriba de 100", "vibracion#vibracion-a-alta-velocidad"),
        ("q significa 1819 en la llanta", "leer-costado#fecha-de-fabricacion"),
        ("le salio un chipote a mi yanta", "chipotes-grietas#chipote-o-burbuja"),
        ("se puede parchar si el clavo esta en el costado", "fugas-ponchaduras#que-ponchaduras-no"),
        ("cuanto cobran x alinear", "servicios-precios#cuanto-cuesta-la-alineacion"),
        ("ocupo factura q datos les doy", "pagos-facturacion-entrega#factura-electronica-cfdi"),
        ("a cuanto torque van los birlos", "instalacion#torque-de-apriete"),
        ("traigo la delgadita, puedo andar asi toda la semana?", "refaccion#limites-de-la-"),
        ("mi bmw no se poncha, si se me baja cuanto puedo andar asi", "runflat-tpms#cuanto-"),
    ],
)
def test_lay_questions_find_their_chunk(
    bundled_kb: KnowledgeBase, question: str, expected: str
) -> None:
    hits = bundled_kb.search(question, k=5)
    assert any(h.id.startswith(expected) for h in hits), [h.id for h in hits]


def test_prices_in_answers_are_the_catalogue_prices(bundled_kb: KnowledgeBase) -> None:
    from domain.pricing import format_mxn, with_iva
    from domain.services import SERVICES

    balancing = next(s for s in SERVICES if s.code == "balancing")
    hit = bundled_kb.search("cuanto cuesta el balanceo", k=1)[0]
    assert format_mxn(with_iva(balancing.price_cents)) in hit.text


def test_cli_search_prints_json(bundled_kb: KnowledgeBase, bundled_dir: Path) -> None:
    env = {**os.environ, "TOPLLANTAS_DATA_DIR": str(bundled_dir)}
    env.pop("TOPLLANTAS_DATABASE_URL", None)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "cli.main",
            "kb",
            "search",
            "mi llanta se baja cada semana",
            "--k",
            "3",
            "--json",
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert done.returncode == 0, done.stderr
    hits = json.loads(done.stdout)
    assert len(hits) == 3
    assert all(set(h) == {"id", "title", "score", "text"} for h in hits)
    assert hits[0]["score"] >= hits[-1]["score"]
    assert any(h["id"].startswith("fugas-ponchaduras#fuga-lenta") for h in hits)
