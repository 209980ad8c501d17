"""Reading a spreadsheet's CSV as Excel, CRMs and people write it.

Encodings: UTF-8 with or without a byte-order mark, UTF-16 with one (Excel's "Unicode text"), and
Windows-1252 (Excel on Windows) when the bytes are not UTF-8. Delimiters: comma, semicolon or tab,
whichever the header line uses most (outside quotes); Excel's "sep=;" first line is honoured.
Rows keep the line number they start on in the file, so problems can name it.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from app.core.errors import StakemapError

DELIMITERS = (",", ";", "\t")


@dataclass(frozen=True)
class Table:
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (line number where the row starts, its cells)


def decode(data: bytes) -> str:
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise StakemapError("The file is neither UTF-8 nor Windows-1252 text: save it as CSV UTF-8.") from None


def delimiter_of(line: str) -> str:
    counts = dict.fromkeys(DELIMITERS, 0)
    quoted = False
    for char in line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    return max(DELIMITERS, key=lambda d: (counts[d], -DELIMITERS.index(d)))


def read_table(data: bytes) -> Table:
    """The header and the non-blank rows of a CSV file's bytes."""
    text = decode(data)
    first_line = 1
    head, _, rest = text.partition("\n")
    if head.strip().lower().startswith("sep=") and len(head.strip()) == 5:
        delimiter, text, first_line = head.strip()[4], rest, 2
    else:
        delimiter = delimiter_of(head)
    rows = list(_rows(text, delimiter, first_line))
    if not rows:
        raise StakemapError("The file is empty: it needs a header row naming its columns.")
    (_line, header), *body = rows
    return Table([cell.strip() for cell in header], body)


def _rows(text: str, delimiter: str, first_line: int) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = first_line
    try:
        for cells in reader:
            line, start = start, first_line + reader.line_num
            if any(cell.strip() for cell in cells):
                yield line, cells
    except csv.Error as error:
        raise StakemapError(f"Line {start}: the file is not valid CSV ({error}).") from None
