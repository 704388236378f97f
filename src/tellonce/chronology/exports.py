"""The chronology as a file for a case review: CSV for analysis, PDF for the panel."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import datetime

from tellonce.chronology.models import ChronologyEvent
from tellonce.people.models import Person

COLUMNS = ["Date", "Time", "Type", "Agency", "System", "Recorded by", "What happened"]


def _row(event: ChronologyEvent) -> list[str]:
    return [
        event.occurred_on.isoformat(),
        event.occurred_at.strftime("%H:%M") if event.occurred_at else "",
        event.get_kind_display() + (" (unscheduled care)" if event.unscheduled else ""),
        event.source_agency.name,
        event.source_system,
        event.recorder_label,
        event.summary,
    ]


def chronology_csv(events: Iterable[ChronologyEvent]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for event in events:
        # A cell a spreadsheet would run as a formula is written as text.
        writer.writerow([f"'{v}" if v[:1] in ("=", "+", "-", "@") else v for v in _row(event)])
    return buffer.getvalue().encode("utf-8-sig")


def chronology_pdf(
    person: Person, events: Iterable[ChronologyEvent], *, produced_by: str, produced_on: datetime
) -> bytes:
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    styles = getSampleStyleSheet()
    cell = styles["BodyText"]
    cell.fontSize = 8
    cell.leading = 10
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=f"Multi-agency chronology: {person.full_name}",
        author=produced_by,
    )
    born = f", born {person.date_of_birth:%-d %B %Y}" if person.date_of_birth else ""
    story = [
        Paragraph(escape(f"Multi-agency chronology: {person.full_name}{born}"), styles["Title"]),
        Paragraph(
            escape(
                f"OFFICIAL-SENSITIVE. Produced by {produced_by} on"
                f" {produced_on:%-d %B %Y at %H:%M} from TellOnce. Every export is logged."
            ),
            cell,
        ),
        Spacer(1, 4 * mm),
    ]
    rows = [[Paragraph(f"<b>{c}</b>", cell) for c in COLUMNS]]
    rows += [[Paragraph(escape(v), cell) for v in _row(e)] for e in events]
    table = Table(
        rows,
        colWidths=[22 * mm, 12 * mm, 32 * mm, 40 * mm, 22 * mm, 30 * mm, None],
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f3f2f1")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story.append(table)
    document.build(story)
    return buffer.getvalue()
