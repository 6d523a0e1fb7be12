"""Text bound for a spreadsheet: the one guard against formula injection (OWASP "CSV
injection"), used by every CSV the site writes for people to open (page downloads, the API's
CSV) and by whatever reads spreadsheets back (imports detect formulas with it)."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(text: str) -> bool:
    """A cell a spreadsheet program would evaluate rather than show."""
    return text.startswith(FORMULA_STARTS)


def spreadsheet_safe(text: str) -> str:
    """Text that a spreadsheet would run as a formula (``=HYPERLINK(...)`` typed into a
    narrative) gets a leading apostrophe, which spreadsheets show as text. The open-data zip
    keeps values exactly as published (it is data, not a document to open)."""
    return "'" + text if looks_like_formula(text) else text


def from_spreadsheet(text: str) -> str:
    """The inverse of :func:`spreadsheet_safe` for a cell read back from a CSV: the apostrophe
    the export put before formula-like text is taken off again (round trip)."""
    return text[1:] if text.startswith("'") and looks_like_formula(text[1:]) else text
