"""PDF (fpdf2): the KPI cards as a table per section, red where out of range, then the
tables; core Helvetica covers Spanish (Latin-1), so no font files are needed."""

from __future__ import annotations

from fpdf import FPDF

from adapters.reports.build import ReportData, Table, delta_text, kpi_text
from domain.pricing import format_mxn


def _latin1(text: str) -> str:
    return text.replace("→", "->").replace("·", "-").encode("latin-1", "replace").decode("latin-1")


def _cell(value: object, kind: str) -> str:
    if value is None:
        return "—" if kind != "text" else ""
    if kind == "mxn" and isinstance(value, int | float):
        return format_mxn(round(value * 100))
    if kind == "pct" and isinstance(value, int | float):
        return f"{value * 100:.1f} %"
    if kind == "int" and isinstance(value, int | float):
        return f"{value:,.0f}"
    return str(value)


def _table(pdf: FPDF, table: Table) -> None:
    pdf.set_font("Helvetica", "B", 11)
    pdf.cell(0, 8, _latin1(table.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=8)
    widths = [pdf.epw / len(table.headers)] * len(table.headers)
    if len(table.headers) == 4 and table.kinds[2] == "text":
        widths = [pdf.epw * w for w in (0.12, 0.18, 0.40, 0.30)]
    with pdf.table(col_widths=widths, text_align="LEFT", line_height=4.5) as out:
        head = out.row()
        for h in table.headers:
            head.cell(_latin1(h))
        for values in table.rows[:60]:
            row = out.row()
            for value, kind in zip(values, table.kinds, strict=True):
                row.cell(_latin1(_cell(value, kind))[:160])
    pdf.ln(3)


def write_pdf(data: ReportData) -> bytes:
    """The report as PDF bytes."""
    pdf = FPDF(orientation="P", unit="mm", format="A4")
    pdf.set_title(_latin1(data.title))
    pdf.set_author("TopLlantas")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, _latin1(data.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=9)
    pdf.cell(0, 6, _latin1(data.subtitle), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    for title, kpis in data.sections:
        pdf.set_font("Helvetica", "B", 12)
        pdf.cell(0, 8, _latin1(title), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=9)
        widths = [pdf.epw * w for w in (0.30, 0.22, 0.16, 0.16, 0.16)]
        with pdf.table(col_widths=widths, text_align="LEFT", line_height=5) as out:
            head = out.row()
            for h in ("Indicador", "Valor", "Meta", "vs mes ant.", "vs año ant."):
                head.cell(_latin1(h))
            for k in kpis:
                target = None if k.target is None else k.model_copy(update={"value": k.target})
                row = out.row()
                if k.status == "alert":
                    pdf.set_text_color(180, 0, 0)
                row.cell(_latin1(k.label))
                row.cell(_latin1(kpi_text(k)))
                row.cell(_latin1(kpi_text(target) if target else ""))
                row.cell(delta_text(k.vs_previous_month))
                row.cell(delta_text(k.vs_previous_year))
                pdf.set_text_color(0, 0, 0)
        pdf.ln(3)
    if data.insights:
        pdf.set_font("Helvetica", "B", 12)
        pdf.cell(0, 8, "Hallazgos y acciones sugeridas", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=9)
        for text in data.insights:
            pdf.multi_cell(0, 5, _latin1(f"- {text}"), new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    for table in data.tables:
        _table(pdf, table)
    return bytes(pdf.output())
