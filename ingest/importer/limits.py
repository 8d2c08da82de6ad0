"""What any imported value may be, the same for every importer: a date within the league's
life, free text of bounded length without control characters, a file of bounded size.
A value outside is refused like any other bad value, naming file, row and field.

Free text goes to the warehouse, the batch documents, `/status`, CSV exports and the
terminal: a cap at the door keeps every one of them small and fast."""
from __future__ import annotations

import gzip
import re
import zlib
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd

from shared.timetable import EASTERN

EARLIEST_DATE = date(1946, 11, 1)    # the league's first game (BAA: New York at Toronto)
HORIZON = timedelta(days=730)        # schedules come out months ahead; two years is generous
MAX_NAME = 64      # a player, team or book name, a market key (the longest player name has 24)
MAX_TEXT = 200     # an injury reason, a status, a DNP comment, an arena, a game label
# Uncompressed. Validating a file holds it as a frame of strings plus the checks' work, near
# ten times its size: 64 MiB (sixteen seasons of player logs) peaks around 600 MB.
MAX_FILE_BYTES = 64 * 2**20

# C0 and C1 controls (NUL, ESC, CR, LF, TAB...) and the invisible format characters
# (zero-width, bidirectional overrides, byte-order mark) that make a name look like another
CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff"
                     "\ufff9-\ufffb]")


def latest_date() -> date:
    return datetime.now(EASTERN).date() + HORIZON


def date_range() -> str:
    return f"outside {EARLIEST_DATE}..{latest_date()} (the league's first game to two years from today)"


def date_problem(day) -> str | None:
    """None for a plausible date; else the reason. Takes a date, a datetime or a Timestamp
    (compared by its parts: pandas keeps years Python's date cannot hold)."""
    parts = (day.year, day.month, day.day)
    latest = latest_date()
    if parts < (EARLIEST_DATE.year, EARLIEST_DATE.month, EARLIEST_DATE.day) or \
            parts > (latest.year, latest.month, latest.day):
        return date_range()
    return None


def dates_outside(days: pd.Series) -> pd.Series:
    """True where a parsed date (NaT is left to the caller) is outside the plausible range."""
    return days.notna() & ((days < pd.Timestamp(EARLIEST_DATE)) | (days > pd.Timestamp(latest_date())))


def text_problem(value: str, limit: int) -> str | None:
    """None for acceptable free text; else the reason (the length is checked first, so a huge
    value costs no more than its length)."""
    if len(value) > limit:
        return f"longer than the {limit} characters allowed"
    found = CONTROL.search(value)
    if found:
        return f"contains the control character U+{ord(found.group()):04X}"
    return None


def texts_with_problems(values: pd.Series, limit: int) -> pd.Series:
    """True where text_problem would find one; vectorised for whole columns."""
    return values.str.len().gt(limit) | values.map(lambda v: CONTROL.search(v) is not None).astype(bool)


TOO_BIG = (f"more than the {MAX_FILE_BYTES // 2**20} MiB an import reads from one file: split it "
           "(one file per season)")


def oversize(path: Path) -> str | None:
    """None for a file an import may read whole; else its size, for a problem whose reason is
    TOO_BIG. A .gz is measured as it decompresses, stopping at the cap; one that cannot be
    read is left to the reader to report."""
    if path.suffix != ".gz":
        size = path.stat().st_size
        return None if size <= MAX_FILE_BYTES else f"{size / 2**20:,.0f} MiB"
    total = 0
    try:
        with gzip.open(path, "rb") as fh:
            while chunk := fh.read(2**20):
                total += len(chunk)
                if total > MAX_FILE_BYTES:
                    return f"over {MAX_FILE_BYTES // 2**20} MiB uncompressed"
    except (OSError, EOFError, zlib.error):
        return None
    return None
