"""Front matter, chunking by heading, business facts from their source of truth, loaders."""

from __future__ import annotations

import pytest

from core.settings import PaymentSettings, Settings
from domain.pricing import format_mxn, with_iva
from domain.services import SERVICES
from knowledge_base.base import bundled_content
from knowledge_base.documents import MAX_WORDS, chunk_document, parse_markdown
from knowledge_base.facts import business_facts, render
from knowledge_base.loaders import load_csv, load_html, load_path

DOC = """---
id: Presión Básica
title: Presión
topic: cuidado
vehicle_types: [auto, suv]
links: [https://example.org/a]
---
# Presión

Intro breve.

## Dónde está la etiqueta

En la puerta.

## Dónde está la etiqueta

Repetido.
"""


def test_front_matter_and_chunk_ids() -> None:
    doc = parse_markdown(DOC, source="s", default_id="x")
    assert (doc.id, doc.title, doc.topic) == ("presion-basica", "Presión", "cuidado")
    assert doc.vehicle_types == ("auto", "suv") and doc.links == ("https://example.org/a",)
    ids = [c.id for c in chunk_document(doc)]
    assert ids == [
        "presion-basica#intro",
        "presion-basica#donde-esta-la-etiqueta",
        "presion-basica#donde-esta-la-etiqueta-b",
    ]


def test_a_long_section_is_split_at_paragraphs() -> None:
    paragraph = " ".join(["palabra"] * 100)
    body = "## Larga\n\n" + "\n\n".join([paragraph] * 4)
    chunks = chunk_document(parse_markdown(body, source="s", default_id="d"))
    assert [c.id for c in chunks] == ["d#larga", "d#larga-2"]
    assert all(len(c.text.split()) <= MAX_WORDS for c in chunks)


def test_unclosed_front_matter_is_an_error() -> None:
    with pytest.raises(ValueError, match="never closed"):
        parse_markdown("---\nid: x\n# T", source="s", default_id="x")


def test_prices_come_from_the_service_catalogue() -> None:
    facts = business_facts(Settings())
    for service in SERVICES:
        if service.price_cents:
            assert facts[f"precio:{service.code}"].startswith(
                format_mxn(with_iva(service.price_cents))
            )
    assert "gratis" in facts["precio:installation"]


def test_the_deposit_follows_the_settings() -> None:
    facts = business_facts(Settings(payments=PaymentSettings(deposit_cents=75_000)))
    assert facts["anticipo"] == "$750"


def test_an_unknown_placeholder_is_refused() -> None:
    with pytest.raises(ValueError, match="precio:rotation"):
        render("cuesta {{precio:rotation}}", business_facts(Settings()), source="doc.md")


def test_bundled_content_renders_and_has_enough_chunks() -> None:
    docs = load_path(bundled_content(), source="bundled", facts=business_facts(Settings()))
    chunks = [c for d in docs for c in chunk_document(d)]
    assert len(chunks) >= 150
    assert not [c.id for c in chunks if "{{" in c.text]
    assert {"garantia", "sintomas", "servicios", "compras", "cuidado"} <= {d.topic for d in docs}


def test_html_headings_become_sections() -> None:
    html = """<html><head><title>Boletín Rines</title><meta name="topic" content="boletin">
    <style>p{color:red}</style></head><body><h1>Boletín Rines</h1><p>Intro.</p>
    <h2>Rines de aluminio</h2><p>Use tuercas cónicas.</p><script>alert(1)</script></body></html>"""
    doc = load_html(html, source="s", default_id="pagina")
    assert (doc.title, doc.topic) == ("Boletín Rines", "boletin")
    chunks = chunk_document(doc)
    assert [c.section for c in chunks] == ["", "Rines de aluminio"]
    assert "alert" not in doc.body and "color" not in doc.body


def test_csv_needs_an_id_and_a_text_column() -> None:
    with pytest.raises(ValueError, match="id column"):
        load_csv("marca,fecha\nX,2024\n", source="b.csv")
    docs = load_csv(
        "folio,titulo,marca,descripcion\nR-1,Llamado,Marca,Revisar talón\n", source="b.csv"
    )
    assert docs[0].id == "boletin-r-1" and "- marca: Marca" in docs[0].body
