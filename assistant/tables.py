"""Plain-text tables and figures, as the CLI, the eval report and the benchmarks print them."""

from __future__ import annotations


def figure(value: float | None, spec: str = ".3f") -> str:
    """A measured value formatted by `spec`; "-" when it was not measured."""
    return "-" if value is None else format(value, spec)


def table(rows: list[list[str]], *, numbers_right: bool = False, indent: str = "") -> list[str]:
    """`rows` as lines of aligned columns two spaces apart: the first column left-aligned, the others too, or
    right-aligned with `numbers_right`. A row of empty cells is an empty line (a gap between blocks)."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        if not any(row):
            lines.append("")
            continue
        cells = [cell.rjust(width) if numbers_right and i else cell.ljust(width)
                 for i, (cell, width) in enumerate(zip(row, widths, strict=True))]
        lines.append((indent + "  ".join(cells)).rstrip())
    return lines
