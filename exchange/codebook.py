"""The codebook as files: every export's columns, their meaning, values and whether they are
imported, from the same definitions as the exports (the page, /codebook.md, /codebook.csv and the
dataset package's copies)."""

import csv
import io

from exchange.formats import SEPARATOR
from exchange.importer import TABLES, rules

# `imported` (true/false) stays for the files' readers; `import_rule` says how, in words, from the
# importer's own definitions (exchange.importer.rules).
CSV_HEADER = ["export", "column", "description", "values", "imported", "import_rule"]


def import_rules(spec) -> dict[str, str]:
    """How the importer reads each column of an export (or that the table is not imported)."""
    if spec.name in TABLES:
        return rules(spec.name)
    return {c.name: "no (this export is not imported)" for c in spec.columns}


def codebook_csv(specs) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for spec in specs:
        said = import_rules(spec)
        for c in spec.columns:
            writer.writerow(
                [spec.name, c.name, c.description, c.values, str(c.imported).lower(), said[c.name]]
            )
    return out.getvalue()


# The conventions of every file, as the codebook page (templates/codebook.html) states them.
CONVENTIONS = [
    f"- Multi-valued cells separate values with `{SEPARATOR}`. Lists of ids (`source_ids`) are "
    "JSON lists of whole numbers in every file: `[12, 40]`, and `[]` for none.",
    '- The header quotes every column name (`"code","title",…`), so that tools that guess a '
    "file's dialect, such as csvkit, find the comma.",
    "- Order: rows come in the list's sort order, the same on every database. Unknown values (no "
    "date, an unknown figure, empty text) come last, sorting up or down. Text is compared by "
    "Unicode code point with only A-Z taken as a-z. Rows equal in every sort key come in the "
    "order of their id.",
    "- Types: `pandas.read_csv(file)` without options reads whole numbers and decimal degrees as "
    "numbers (as decimals where a column has empty cells), true or false as booleans (as text "
    "where a column has empty cells), dates, times, text and id lists as text; a column empty in "
    "every row of a file is read as empty numbers. Coordinates are given as stored, to at most 7 "
    "decimal places, without trailing zeros.",
    "- GeoJSON: one feature per incident, with the incident's code as its `id`.",
]


def codebook_markdown(specs) -> str:
    lines = ["# Codebook", "", *CONVENTIONS, ""]
    for spec in specs:
        files = ", ".join(f"`/{spec.name}/export.{ext}`" for ext in spec.formats)
        lines += [f"## {spec.title} ({files})", "", spec.description, ""]
        lines += ["| column | meaning | values | import |", "| --- | --- | --- | --- |"]
        said = import_rules(spec)
        for c in spec.columns:
            lines.append(f"| `{c.name}` | {c.description} | {c.values} | {said[c.name]} |")
        lines.append("")
    return "\n".join(lines)
