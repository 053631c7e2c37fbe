"""The codebook as files: every export's columns, their meaning, values and whether they are
imported, from the same definitions as the exports (the page, /codebook.md, /codebook.csv and the
dataset package's copies)."""

import csv
import io

from exchange.formats import SEPARATOR

CSV_HEADER = ["export", "column", "description", "values", "imported"]


def codebook_csv(specs) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for spec in specs:
        for c in spec.columns:
            writer.writerow([spec.name, c.name, c.description, c.values, str(c.imported).lower()])
    return out.getvalue()


def codebook_markdown(specs) -> str:
    lines = ["# Codebook", "", f"Multi-valued cells separate values with `{SEPARATOR}`.", ""]
    for spec in specs:
        files = ", ".join(f"`/{spec.name}/export.{ext}`" for ext in spec.formats)
        lines += [f"## {spec.title} ({files})", "", spec.description, ""]
        lines += ["| column | meaning | values | imported |", "| --- | --- | --- | --- |"]
        for c in spec.columns:
            imported = "yes" if c.imported else "no (derived)"
            lines.append(f"| `{c.name}` | {c.description} | {c.values} | {imported} |")
        lines.append("")
    return "\n".join(lines)
