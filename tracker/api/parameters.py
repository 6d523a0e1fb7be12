"""The query parameters every API list takes besides its filters, declared once: the
paginator, the renderers, the schema and the check of unknown parameters read them here."""

PAGE = "page"
PAGE_SIZE = "page_size"
CURSOR = "cursor"
FORMAT = "format"

# ``?format=`` values (each a renderer's ``format``): csv and jsonl of a list without ``page``,
# ``cursor`` or ``page_size`` stream the whole list (tracker/api/streaming.py).
FORMATS = ("json", "csv", "jsonl")
STREAMED_FORMATS = ("csv", "jsonl")

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000

LIST_PARAMETERS = frozenset({PAGE, PAGE_SIZE, CURSOR, FORMAT})
