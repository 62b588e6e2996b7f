"""Bin locations from a CSV file (`sku`, `barcode`, `bin`; other columns ignored): imported
whole or not at all, a bad line named; exported the same way; looked up for slips, pick lists
and pack mode."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from slipstation.app.core import Core
from slipstation.errors import UsageError
from slipstation.fileio import write_private
from slipstation.store.bins import Bin, BinStore

MAX_BYTES = 20 * 1024 * 1024  # a bins file of a few hundred thousand SKUs
COLUMNS = ("sku", "barcode", "bin")


def _too_big() -> UsageError:
    return UsageError(f"The bins file is larger than {MAX_BYTES // (1024 * 1024)} MB; nothing "
                      "was imported.")


def parse_bins_csv(data: bytes) -> list[Bin]:
    """The bins of a CSV file, or a UsageError naming the first bad line (nothing is kept)."""
    if len(data) > MAX_BYTES:
        raise _too_big()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise UsageError(f"The bins file is not UTF-8 text (line {line}); nothing was "
                         "imported.") from None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header = next(reader, None)
    names = [(name or "").strip().lower() for name in header or []]
    if "sku" not in names or "bin" not in names:
        raise UsageError("The bins file needs a header line with the columns sku and bin "
                         "(barcode optional); nothing was imported.")
    at = {name: names.index(name) for name in COLUMNS if name in names}
    bins: list[Bin] = []
    seen: dict[str, int] = {}
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            cells = {name: (row[index].strip() if index < len(row) else "")
                     for name, index in at.items()}
            sku, shelf = cells.get("sku", ""), cells.get("bin", "")
            if not sku or not shelf:
                raise UsageError(f"Line {line} of the bins file has no "
                                 f"{'sku' if not sku else 'bin'}; nothing was imported.")
            if sku in seen:
                raise UsageError(f"Line {line} of the bins file repeats SKU {sku!r} (first on "
                                 f"line {seen[sku]}); nothing was imported.")
            if any(len(value) > 200 for value in cells.values()):
                raise UsageError(f"Line {line} of the bins file has a value longer than 200 "
                                 "characters; nothing was imported.")
            seen[sku] = line
            bins.append(Bin(sku, cells.get("barcode", ""), shelf))
    except csv.Error as exc:
        raise UsageError(f"Line {reader.line_num} of the bins file is not valid CSV ({exc}); "
                         "nothing was imported.") from None
    return bins


class BinsService:
    def __init__(self, core: Core) -> None:
        self._core = core

    def import_csv(self, path: Path) -> int:
        """Replace the bins with the file's; returns how many were imported."""
        try:
            if path.stat().st_size > MAX_BYTES:  # refused before it is read into memory
                raise _too_big()
            data = path.read_bytes()
        except OSError as exc:
            raise UsageError(f"Cannot read the bins file {path} ({exc.strerror or exc}).") \
                from None
        bins = parse_bins_csv(data)
        count = BinStore(self._core.db).replace_all(bins)
        self._core.audit.record("bins.import", bins=count)
        return count

    def export_csv(self, path: Path) -> int:
        bins = BinStore(self._core.db).all()
        out = io.StringIO(newline="")
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows((b.sku, b.barcode, b.bin) for b in bins)
        write_private(path, out.getvalue().encode("utf-8"))
        return len(bins)

    def for_skus(self, skus: list[str]) -> dict[str, str]:
        return BinStore(self._core.db).for_skus(skus)

    def count(self) -> int:
        return BinStore(self._core.db).count()
