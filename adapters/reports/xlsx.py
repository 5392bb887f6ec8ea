"""Excel (openpyxl): a summary sheet of KPI cards, one sheet per table with number formats,
and a bar or line chart where the table asks for one."""

from __future__ import annotations

from io import BytesIO

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, Reference
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from adapters.reports.build import ColumnKind, ReportData, delta_text

FORMATS: dict[ColumnKind, str] = {
    "mxn": '"$"#,##0.00', "int": "#,##0", "pct": "0.0%", "num": "#,##0.00", "text": "@",
}  # fmt: skip
KPI_FORMATS = {"mxn": '"$"#,##0.00', "pct": "0.0%", "units": "#,##0", "count": "#,##0",
               "score": "0.00", "turns": "0.00", "days": "0.0"}  # fmt: skip
HEAD = Font(bold=True, color="FFFFFF")
HEAD_FILL = PatternFill("solid", fgColor="1F3A5F")
RED = PatternFill("solid", fgColor="F8D7DA")


def write_xlsx(data: ReportData) -> bytes:
    """The workbook as bytes."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Resumen"
    ws["A1"] = data.title
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = data.subtitle
    row = 4
    for title, kpis in data.sections:
        ws.cell(row, 1, title).font = Font(bold=True, size=12)
        row += 1
        for c, head in enumerate(["Indicador", "Valor", "Meta", "vs mes ant.", "vs año ant.",
                                    "Estado", "Nota"], start=1):  # fmt: skip
            cell = ws.cell(row, c, head)
            cell.font, cell.fill = HEAD, HEAD_FILL
        row += 1
        for k in kpis:
            money = k.unit == "mxn"
            value = None if k.value is None else (k.value / 100 if money else k.value)
            target = None if k.target is None else (k.target / 100 if money else k.target)
            ws.cell(row, 1, k.label)
            ws.cell(row, 2, value if value is not None else "pendiente")
            ws.cell(row, 3, target)
            ws.cell(row, 4, k.vs_previous_month)
            ws.cell(row, 5, k.vs_previous_year)
            ws.cell(row, 6, {"ok": "en rango", "alert": "fuera de rango",
                             "pending": "pendiente"}[k.status])  # fmt: skip
            ws.cell(row, 7, k.hint)
            for c in (2, 3):
                ws.cell(row, c).number_format = KPI_FORMATS[k.unit]
            for c in (4, 5):
                ws.cell(row, c).number_format = "+0.0%;-0.0%"
            if k.status == "alert":
                for c in range(1, 8):
                    ws.cell(row, c).fill = RED
            row += 1
        row += 1
    if data.insights:
        ws.cell(row, 1, "Hallazgos y acciones sugeridas").font = Font(bold=True, size=12)
        for text in data.insights:
            row += 1
            ws.cell(row, 1, text)
    for letter, width in zip("ABCDEFG", (30, 18, 16, 12, 12, 14, 60), strict=True):
        ws.column_dimensions[letter].width = width
    for table in data.tables:
        sheet = wb.create_sheet(table.title[:31].replace("/", "-"))
        for c, head in enumerate(table.headers, start=1):
            cell = sheet.cell(1, c, head)
            cell.font, cell.fill = HEAD, HEAD_FILL
            sheet.column_dimensions[get_column_letter(c)].width = max(14, len(head) + 4)
        for r, values in enumerate(table.rows, start=2):
            for c, (item, kind) in enumerate(zip(values, table.kinds, strict=True), start=1):
                sheet.cell(r, c, item).number_format = FORMATS[kind]
        sheet.freeze_panes = "A2"
        if table.chart and table.rows:
            last = len(table.rows) + 1
            line = len(table.headers) == 3
            chart = LineChart() if line else BarChart()
            chart.title = table.title
            chart.y_axis.title = table.headers[1]
            chart.height, chart.width = 8, 18
            series = Reference(sheet, min_col=2, max_col=3 if line else 2, min_row=1, max_row=last)
            chart.add_data(series, titles_from_data=True)
            chart.set_categories(Reference(sheet, min_col=1, min_row=2, max_row=last))
            sheet.add_chart(chart, f"{get_column_letter(len(table.headers) + 2)}2")
    _ = delta_text  # the PDF prints deltas as text; Excel keeps them as numbers
    out = BytesIO()
    wb.save(out)
    return out.getvalue()
