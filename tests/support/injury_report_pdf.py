"""Injury report PDFs built as the league lays them out (reportlab): A4 landscape, the
report's title, the seven column headers repeated on every page, game columns on a game's
first row and the team on its first row only, a Reason that wraps onto a second line (the
row's other cells centred on its two lines), a row cut by a page break continuing at the
top of the next page, NOT YET SUBMITTED teams, and 'Page N of M' at the foot."""
from __future__ import annotations

import io

from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

HEADERS = ["Game Date", "Game Time", "Matchup", "Team", "Player Name", "Current Status", "Reason"]
COLUMN_X = [21, 111, 186, 258, 375, 546, 658]    # left edges, points from the left
REASON_WIDTH = 165
FONT, BOLD, SIZE, PITCH = "Helvetica", "Helvetica-Bold", 8, 12
TABLE_TOP = 95                                    # first row's baseline, points from the top


def wrap(text: str, width: float = REASON_WIDTH) -> list[str]:
    lines, line = [], ""
    for word in text.split():
        candidate = f"{line} {word}".strip()
        if line and stringWidth(candidate, FONT, SIZE) > width:
            lines.append(line)
            line = word
        else:
            line = candidate
    return [*lines, line] if line or not lines else lines


def build(rows: list[list[str]], title: str, rows_per_page: int = 30, headers: list[str] = HEADERS,
          centred_headers: bool = False) -> bytes:
    """``rows``: the seven cells of each row as the report prints them (blank where it
    leaves them blank). A Reason longer than its column wraps. Headers sit flush left over
    their columns, or centred over them."""
    pages: list[list[tuple[int, list[str], list[str]]]] = [[]]   # (slot, cells, reason lines) per page
    slot = 0
    for cells in rows:
        reason = wrap(cells[6])
        if slot + len(reason) <= rows_per_page:
            pages[-1].append((slot, cells, reason))
            slot += len(reason)
            continue
        if slot < rows_per_page:      # cut by the page break: what does not fit continues overleaf
            pages[-1].append((slot, cells, reason[:rows_per_page - slot]))
            rest = reason[rows_per_page - slot:]
            pages.append([(0, [""] * 6 + [""], rest)])
            slot = len(rest)
        else:
            pages.append([(0, cells, reason)])
            slot = len(reason)
    out = io.BytesIO()
    width, height = landscape(A4)
    pdf = canvas.Canvas(out, pagesize=(width, height))
    for number, page in enumerate(pages, 1):
        pdf.setFont(BOLD, 12)
        pdf.drawString(COLUMN_X[0], height - 40, f"Injury Report: {title}")
        pdf.setFont(BOLD, SIZE)
        for x, right, label in zip(COLUMN_X, [*COLUMN_X[1:], COLUMN_X[6] + REASON_WIDTH], headers, strict=True):
            if centred_headers:
                pdf.drawCentredString((x + right) / 2, height - TABLE_TOP + PITCH * 1.5, label)
            else:
                pdf.drawString(x, height - TABLE_TOP + PITCH * 1.5, label)
        pdf.setFont(FONT, SIZE)
        for first, cells, reason in page:
            top = height - TABLE_TOP - first * PITCH
            middle = top - (len(reason) - 1) * PITCH / 2 if any(cells[:6]) else top
            for x, text in zip(COLUMN_X[:6], cells[:6], strict=True):
                if text:
                    pdf.drawString(x, middle, text)
            for n, line in enumerate(reason):
                pdf.drawString(COLUMN_X[6], top - n * PITCH, line)
        pdf.drawCentredString(width / 2, 20, f"Page {number} of {len(pages)}")
        pdf.showPage()
    pdf.save()
    return out.getvalue()


LONG = ("Injury/Illness - Right Ankle; Sprain; Grade 2 sprain of the lateral ligament, re-evaluated after the "
        "road trip")
# the 05PM report of 2024-01-16 as the league prints it: blanks where it leaves them blank
REPORT = [
    ["01/16/2024", "07:30 (ET)", "DEN@PHI", "Denver Nuggets", "Jokic, Nikola", "Questionable",
     "Injury/Illness - Left Knee; Soreness"],
    ["", "", "", "", "Porter Jr., Michael", "Probable", "Injury/Illness - Low Back; Spasms"],
    ["", "", "", "Philadelphia 76ers", "Harris, Tobias", "Out", LONG],
    ["", "", "", "", "Maxey, Tyrese", "Doubtful", "Injury/Illness - Left Ankle; Sprain"],
    ["01/16/2024", "07:30 (ET)", "SAC@PHX", "Phoenix Suns", "Allen, Grayson", "Out", "Rest"],
    ["", "", "", "Sacramento Kings", "", "", "NOT YET SUBMITTED"],
    ["01/16/2024", "10:30 (ET)", "OKC@LAC", "LA Clippers", "George, Paul", "Available",
     "Injury/Illness - Right Hamstring; Tightness; evaluated by the medical staff before tip-off"],
    ["", "", "", "", "Westbrook, Russell", "Out", "G League - Two-Way"],
]


def pdf(rows=REPORT, rows_per_page=4) -> bytes:
    # four lines a page: Harris's three-line Reason is cut by the first page break, George's
    # two-line Reason opens page 3 (its first line above the row's other cells)
    return build(rows, "01/16/24 05:00 PM", rows_per_page=rows_per_page)
