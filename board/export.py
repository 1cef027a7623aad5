"""The board's tables as CSV files a spreadsheet opens as they are: UTF-8 with a byte-order
mark (so that Excel and WPS read Chinese headers), and every cell a spreadsheet would take
for a formula made plain text."""
import csv
import io

BOM = "\ufeff"
_FORMULA = ("=", "+", "-", "@", "\t", "\r")  # what makes a spreadsheet compute a cell (OWASP's list)


def cell(value):
    """``value`` as a safe cell: None empty, a number as it is, a text that starts like a
    formula behind a ``'`` (which the spreadsheet shows as text, and hides)."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = str(value)
    return "'" + text if text.startswith(_FORMULA) else text


def csv_bytes(header, rows):
    """``rows`` (sequences, in ``header``'s order) as a CSV file's bytes, with the BOM."""
    out = io.StringIO()
    out.write(BOM)
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow([cell(h) for h in header])
    for row in rows:
        w.writerow([cell(v) for v in row])
    return out.getvalue().encode("utf-8")
