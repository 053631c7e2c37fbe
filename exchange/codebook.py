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


def codebook_markdown(specs) -> str:
    lines = ["# Codebook", "", f"Multi-valued cells separate values with `{SEPARATOR}`.", ""]
    for spec in specs:
        files = ", ".join(f"`/{spec.name}/export.{ext}`" for ext in spec.formats)
        lines += [f"## {spec.title} ({files})", "", spec.description, ""]
        lines += ["| column | meaning | values | import |", "| --- | --- | --- | --- |"]
        said = import_rules(spec)
        for c in spec.columns:
            lines.append(f"| `{c.name}` | {c.description} | {c.values} | {said[c.name]} |")
        lines.append("")
    return "\n".join(lines)
