"""The league's injury report PDF, read with pdfplumber into the official table (Game Date,
Game Time, Matchup, Team, Player Name, Current Status, Reason) as the report prints it:
game columns on a game's first row, the team on its first row, NOT YET SUBMITTED teams
with no player. The importer carries the blanks down and reads the rows.

Layout (A4 landscape, no ruled cells): the header row is repeated on every page. Cells are
set flush left, so a column starts where its cells' text starts: the leftmost word that
opens a cell (the first on its line, or after a gap wider than a space) between the end
of the previous column's header and the start of its own, whether the headers sit flush
left or centred over their columns; with no such word, at its header.

A row's cells may span several lines: a Reason that wraps (the row's other cells are
centred on its lines), a row cut by a page break that continues at the top of the next
page."""
from __future__ import annotations

import io
import re
import statistics
from dataclasses import dataclass, field

import pandas as pd
import pdfplumber
from pdfminer.psexceptions import PSException
from pdfplumber.utils.exceptions import MalformedPDFException, PdfminerException

from ingest.http import FeedError
from ingest.importer.injuries import OFFICIAL
from shared.teams import tricode

FEED = "injuries"
NOT_SUBMITTED = "NOT YET SUBMITTED"
PLAYER, STATUS, REASON = 4, 5, 6
SAME_LINE = 2.0          # points: words whose tops differ by less sit on one line
CELL_GAP = 0.6          # of the text height: a wider gap between two words on a line starts a new cell
_FOOTER = re.compile(r"^Page \d+ of \d+$")


@dataclass
class Report:
    table: pd.DataFrame                  # the seven official columns, as printed
    pages: list[int]                     # the page each row starts on
    not_submitted: list[str] = field(default_factory=list)   # tricodes of teams that have not reported


@dataclass
class _Line:
    top: float
    cells: list[str]

    @property
    def starts_row(self) -> bool:
        return bool(self.cells[PLAYER] or self.cells[STATUS]) or self.cells[REASON].upper() == NOT_SUBMITTED


@dataclass
class _Row:
    page: int
    top: float
    parts: list[tuple[float, list[str]]]       # (top, cells) of every line of the row

    def cells(self) -> list[str]:
        ordered = sorted(self.parts, key=lambda p: p[0])
        return [" ".join(c[i] for _, c in ordered if c[i]) for i in range(len(OFFICIAL))]


def read(data: bytes, where: str) -> Report:
    """The report's table; a file that is not a readable PDF or not laid out as the report
    is a FeedError naming what is wrong."""
    pages = []
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            for number, page in enumerate(pdf.pages, 1):
                pages.append((number, page.extract_words(x_tolerance=1.5, y_tolerance=SAME_LINE)))
    except (PdfminerException, MalformedPDFException, PSException) as exc:
        raise FeedError(FEED, where, f"not a readable PDF (truncated, or not a PDF: {exc})") from None
    laid_out = [(number, *_page_layout(number, words, where), words) for number, words in pages]
    height = statistics.median([w["bottom"] - w["top"] for _, words in pages for w in words] or [0.0])
    # every page has the same columns: the words that open a cell are gathered over the whole report
    openers = [x for *_, body, _ in laid_out for _, ws in body for x in _cell_openers(ws, height)]
    rows: list[_Row] = []
    for number, labels, body, _ in laid_out:
        edges = _edges(labels, openers)
        _page_rows(number, [_Line(top, _cells(ws, edges)) for top, ws in body], height, rows, where)
    table = pd.DataFrame([r.cells() for r in rows], columns=list(OFFICIAL))
    return Report(table, [r.page for r in rows], _not_submitted(table))


def _page_layout(number: int, words: list[dict], where: str):
    """The header's label extents and the lines below it (footer left out)."""
    lines = _lines(words)
    header = next((n for n, (_, ws) in enumerate(lines) if _labels(ws) is not None), None)
    if header is None:
        raise FeedError(FEED, where, f"page {number}: no header row ({', '.join(OFFICIAL)}): "
                                     "not the injury report's layout")
    body = [(top, ws) for top, ws in lines[header + 1:] if not _FOOTER.match(" ".join(w["text"] for w in ws))]
    return _labels(lines[header][1]), body


def _page_rows(number: int, body: list[_Line], height: float, rows: list[_Row], where: str) -> None:
    first_on_page = len(rows)
    for line in body:
        if line.starts_row:
            rows.append(_Row(number, line.top, [(line.top, line.cells)]))
    page_rows = rows[first_on_page:]
    for line in body:
        if line.starts_row:
            continue
        above = [r for r in page_rows if r.top < line.top]
        below = [r for r in page_rows if r.top > line.top]
        gap_above = line.top - above[-1].top if above else None
        gap_below = below[0].top - line.top if below else None
        if gap_below is not None and (gap_above is None and gap_below < height
                                      or gap_above is not None and gap_below < gap_above):
            owner = below[0]          # the first line of a wrapped cell, centred above its row
        elif above:
            owner = above[-1]         # a wrapped cell's next line
        elif first_on_page:
            owner = rows[first_on_page - 1]     # a row cut by the page break continues here
        else:
            raise FeedError(FEED, where, f"page {number}: {' '.join(c for c in line.cells if c)!r} comes "
                                         "before any player row")
        owner.parts.append((line.top + (1000.0 * number if owner.page != number else 0.0), line.cells))


def _lines(words: list[dict]) -> list[tuple[float, list[dict]]]:
    lines: list[tuple[float, list[dict]]] = []
    for word in sorted(words, key=lambda w: (w["top"], w["x0"])):
        if lines and word["top"] - lines[-1][0] < SAME_LINE:
            lines[-1][1].append(word)
        else:
            lines.append((word["top"], [word]))
    return [(top, sorted(ws, key=lambda w: w["x0"])) for top, ws in lines]


def _labels(words: list[dict]) -> list[tuple[float, float]] | None:
    """(start, end) of each of the seven labels when ``words`` is the header row, else None."""
    texts, found, at = [w["text"] for w in words], [], 0
    for label in OFFICIAL:
        parts = label.split()
        while at < len(texts) and texts[at:at + len(parts)] != parts:
            at += 1
        if at >= len(texts):
            return None
        found.append((words[at]["x0"], words[at + len(parts) - 1]["x1"]))
        at += len(parts)
    return found


def _cell_openers(words: list[dict], height: float) -> list[float]:
    """Left edges of the words on a line that open a cell: the first, and any after a gap
    wider than a space."""
    return [w["x0"] for n, w in enumerate(words) if n == 0 or w["x0"] - words[n - 1]["x1"] > CELL_GAP * height]


def _edges(labels: list[tuple[float, float]], openers: list[float]) -> list[float]:
    """Left edge of each column: the leftmost cell opener between the previous label's end and
    this label's start; the label's start when there is none."""
    edges = [float("-inf")]
    for (_, previous_end), (start, _) in zip(labels[:-1], labels[1:], strict=True):
        inside = [x for x in openers if previous_end < x <= start + 1]
        edges.append(min(inside) - 1 if inside else start - 2)
    return edges


def _cells(words: list[dict], edges: list[float]) -> list[str]:
    """The words of one line in their columns, joined."""
    cells: list[list[str]] = [[] for _ in edges]
    for word in words:
        column = max(i for i, edge in enumerate(edges) if word["x0"] >= edge)
        cells[column].append(word["text"])
    return [" ".join(c) for c in cells]


def _not_submitted(table: pd.DataFrame) -> list[str]:
    teams = table["Team"].where(table["Team"] != "").ffill()
    late = teams[(table["Player Name"] == "") & (table["Reason"].str.upper() == NOT_SUBMITTED)]
    return sorted({tricode(t) or t for t in late.dropna()})
