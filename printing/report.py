"""Reports as PDF (the day close 日結報表, the re-verification result 複查結果): a heading, key figures, a list of
problems, bar charts and tables that flow over as many pages as needed. Plain, already-formatted and masked data
in; PDF bytes out."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field

from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart
from reportlab.graphics.shapes import Drawing, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from printing.fonts import FONT_BOLD, FONT_NAME, register_fonts
from printing.text import markup

INK = colors.HexColor("#1f2933")
ALERT = colors.HexColor("#b3261e")
BAR = colors.HexColor("#3b6ea5")


@dataclass(frozen=True)
class ReportTable:
    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[int, ...] = ()  # right-aligned columns
    empty: str = "無"
    alert: bool = False  # a table of problems: its title is red when it has rows
    weights: tuple[float, ...] = ()  # relative column widths (default: numeric narrow, text shares the rest)


@dataclass(frozen=True)
class Chart:
    title: str
    points: tuple[tuple[str, int], ...]  # (label, value)
    horizontal: bool = False  # long labels (service names) read better on horizontal bars


@dataclass(frozen=True)
class ReportData:
    office_name: str
    title: str  # 日結報表
    subtitle: str  # 營業日、設備、簽核狀態…
    footer: str  # on every page, with the page number
    summary: tuple[tuple[str, str], ...]  # key figures
    tables: tuple[ReportTable, ...]
    charts: tuple[Chart, ...] = ()
    note: str = ""
    practice: bool = False
    problems: tuple[str, ...] = field(default_factory=tuple)  # the discrepancy list, one line each
    problems_title: str = "差異與提醒"
    no_problems: str = "無差異。"
    signatures: tuple[str, ...] = ()  # 核章 boxes at the end: 承辦人 / 主管 / 出納


def _styles() -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("body", fontName=FONT_NAME, fontSize=9.5, leading=13, textColor=INK, wordWrap="CJK")
    return {
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8.5, leading=11),
        "title": ParagraphStyle("title", parent=base, fontName=FONT_BOLD, fontSize=16, leading=22),
        "h2": ParagraphStyle("h2", parent=base, fontName=FONT_BOLD, fontSize=11.5, leading=16, spaceBefore=8),
        "alert": ParagraphStyle("alert", parent=base, fontName=FONT_BOLD, fontSize=11.5, leading=16, textColor=ALERT),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8.5, leading=11),
        "head": ParagraphStyle("head", parent=base, fontName=FONT_BOLD, fontSize=8.5, leading=11),
    }


def _table(t: ReportTable, st: dict[str, ParagraphStyle], width: float) -> list[Flowable]:
    heading = Paragraph(markup(t.title, FONT_BOLD), st["alert"] if t.alert and t.rows else st["h2"])
    if not t.rows:
        return [heading, Paragraph(markup(t.empty, FONT_NAME), st["body"])]
    right = ParagraphStyle("right", parent=st["cell"], alignment=2)
    rows = [[Paragraph(markup(h, FONT_BOLD), st["head"]) for h in t.header]] + [
        [Paragraph(markup(v, FONT_NAME), right if i in t.numeric else st["cell"]) for i, v in enumerate(row)]
        for row in t.rows
    ]
    table = Table(rows, colWidths=_widths(t, width), repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, INK),
                ("LINEBELOW", (0, -1), (-1, -1), 0.4, colors.grey),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f1f4f7")]),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return [heading, table]


def _widths(t: ReportTable, width: float) -> list[float]:
    """Numeric columns narrow, text columns share the rest (or the table's own weights)."""
    if t.weights:
        return [width * w / sum(t.weights) for w in t.weights]
    n = len(t.header)
    narrow = 22 * mm
    text_cols = n - len(t.numeric)
    rest = (width - narrow * len(t.numeric)) / max(1, text_cols)
    return [narrow if i in t.numeric else rest for i in range(n)]


def _bar_chart(title: str, points: tuple[tuple[str, int], ...], width: float, horizontal: bool) -> Drawing:
    height = (14 * mm + 7 * mm * len(points)) if horizontal else 55 * mm
    drawing = Drawing(width, height)
    chart: HorizontalBarChart | VerticalBarChart = HorizontalBarChart() if horizontal else VerticalBarChart()
    label_room = 48 * mm if horizontal else 10 * mm
    chart.x, chart.y = label_room, 8 * mm
    chart.width, chart.height = width - label_room - 6 * mm, height - 16 * mm
    chart.data = [[v for _, v in points]]
    chart.bars[0].fillColor = BAR
    chart.bars[0].strokeColor = None
    chart.categoryAxis.categoryNames = [name for name, _ in points]
    chart.categoryAxis.labels.fontName = FONT_NAME
    chart.categoryAxis.labels.fontSize = 7.5
    chart.valueAxis.labels.fontName = FONT_NAME
    chart.valueAxis.labels.fontSize = 7.5
    chart.valueAxis.valueMin = 0
    top = max((v for _, v in points), default=0)
    chart.valueAxis.valueStep = max(1, -(-top // 5))
    chart.valueAxis.valueMax = max(1, chart.valueAxis.valueStep * 5)
    if horizontal:
        chart.categoryAxis.reverseDirection = 1  # first service on top
        chart.categoryAxis.labels.boxAnchor = "e"
    drawing.add(chart)
    drawing.add(String(0, height - 4 * mm, title, fontName=FONT_BOLD, fontSize=9.5, fillColor=INK))
    return drawing


def build_report_pdf(data: ReportData, invariant: bool = False) -> bytes:
    register_fonts()
    buffer = io.BytesIO()
    title = data.footer
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=16 * mm,
        rightMargin=16 * mm,
        topMargin=16 * mm,
        bottomMargin=16 * mm,
        title=title,
        author=data.office_name,
        invariant=int(invariant),
        pageCompression=1,
        initialFontName=FONT_NAME,
    )
    st = _styles()
    width = doc.width
    story: list[Flowable] = [
        Paragraph(markup(f"{data.office_name}　{data.title}", FONT_BOLD), st["title"]),
        Paragraph(markup(data.subtitle + ("　（練習模式）" if data.practice else ""), FONT_NAME), st["body"]),
        Spacer(1, 3 * mm),
    ]
    summary = Table(
        [
            [Paragraph(markup(k, FONT_BOLD), st["cell"]), Paragraph(markup(v, FONT_NAME), st["cell"])]
            for k, v in data.summary
        ],
        colWidths=[40 * mm, width - 40 * mm],
    )
    summary.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.lightgrey)]))
    story.append(summary)
    story.append(Paragraph(data.problems_title, st["alert"] if data.problems else st["h2"]))
    for line in data.problems or (data.no_problems,):
        story.append(Paragraph(markup(f"・{line}", FONT_NAME), st["body"]))
    if data.note:
        story.append(Paragraph(markup(f"主管說明：{data.note}", FONT_NAME), st["body"]))
    for chart in data.charts:
        story.append(Spacer(1, 3 * mm))
        story.append(_bar_chart(chart.title, chart.points, width, chart.horizontal))
    for t in data.tables:
        flow = _table(t, st, width)
        if len(t.rows) < 15:  # a short table stays with its heading; a long one flows over pages
            story.append(KeepTogether(flow))
        else:
            story.extend(flow)
    if data.signatures:
        story.append(Spacer(1, 6 * mm))
        story.append(KeepTogether(_signature_block(data.signatures, st, width)))
    doc.build(story, onFirstPage=_footer(title), onLaterPages=_footer(title))
    return buffer.getvalue()


def _signature_block(roles: tuple[str, ...], st: dict[str, ParagraphStyle], width: float) -> list[Flowable]:
    """A box per role for a seal or signature (核章), side by side."""
    heads = [Paragraph(markup(f"{role}　核章", FONT_BOLD), st["head"]) for role in roles]
    block = Table([heads, [""] * len(roles)], colWidths=[width / len(roles)] * len(roles), rowHeights=[7 * mm, 24 * mm])
    block.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.6, INK), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return [Paragraph(markup("核章", FONT_BOLD), st["h2"]), block]


def _footer(title: str) -> Callable[[Canvas, SimpleDocTemplate], None]:
    def draw(canvas: Canvas, doc: SimpleDocTemplate) -> None:
        canvas.saveState()
        canvas.setFont(FONT_NAME, 7.5)
        canvas.setFillColor(colors.grey)
        canvas.drawString(16 * mm, 9 * mm, title)
        canvas.drawRightString(A4[0] - 16 * mm, 9 * mm, f"第 {doc.page} 頁")
        canvas.restoreState()

    return draw
