"""Text cells a spreadsheet would run as a formula, made inert before they go into a CSV.

Excel, LibreOffice and Google Sheets read a cell that begins with ``=``, ``+``, ``-`` or
``@`` as a formula (``=HYPERLINK(...)``, ``+cmd|' /C calc'!A0``), and some skip a leading
tab or carriage return first. Player names come from box-score files and book names from
odds files, so they can begin with any of these. OWASP's advice, followed here: prefix such
a text cell with a single quote, which spreadsheets show as text. Only text is touched: a
negative edge in a numeric column is a number and stays one. The warehouse and the JSON
API keep the text verbatim; this is for files meant to be opened in a spreadsheet."""
from __future__ import annotations

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value):
    """A text value that would start a formula, quoted; anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def text_cells(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every text cell passed through ``cell``; numeric, boolean and date
    columns are left as they are."""
    out = frame.copy()
    for name in out.columns:
        column = out[name]
        if pd.api.types.is_object_dtype(column.dtype) or pd.api.types.is_string_dtype(column.dtype):
            out[name] = column.map(cell, na_action="ignore")
    return out
