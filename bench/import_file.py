"""The import file: speed against a bare csv.writer over the same rows in the same run, and peak memory.

Speed: 200,000 import rows (a 200,000-line return where every line is its own payee and codes: the most rows
one return can give) through `write_csv` in the default layout (column picking, exact pounds text, dates in
the layout's format) against a bare `csv.writer` writing the same fields as they come (amount as pence / 100,
dates as they are). Target: at least 0.8x. Each is run twice, alternately, and the better run counts.

Memory: 20,000 and 200,000 rows, each in a fresh process, rows from a generator, CSV and xlsx; the peak
resident size must barely grow with the number of rows.

The rows are made here rather than read from the database: the database's GROUP BY is the same work for
either writer. `python -m bench.import_file` runs this alone; `make bench` runs it after the export bench.
"""
import csv
import io
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEED_ROWS = 200_000
MEMORY_ROWS = (20_000, 200_000)
SPEED_TARGET = 0.8
MEMORY_GROWTH_MB = 25
NAMES = ("Łucja Wąsowska", "Ștefan Țăranu", "مريم الحسيني", "Amara Okafor 🙂", "Zoë O'Brien", "Tom Jones")
DEFAULT_COLUMNS = (
    ("Claim number", "claim_number"), ("Supplier or payroll number", "payee_ref"), ("Payee", "payee_name"),
    ("Ledger code", "ledger_code"), ("Cost code", "cost_code"), ("VAT code", "vat_code"), ("Amount", "amount"),
    ("Date", "return_date"), ("Description", "description"),
)  # survey_app/money/import_file.py DEFAULT_COLUMNS (not imported: no app needed here)
MADE_ON = date(2027, 7, 1)


def rows(n: int) -> Iterator:
    from exports.import_file import ImportRow
    for i in range(1, n + 1):
        pence = -1250 if i % 997 == 0 else 1250 + i % 5000  # now and then a row that a reversal left negative
        yield ImportRow(f"R12-{i:04d}", f"HAL{i:06d}", NAMES[i % 6], "supplier", ("5010", "5020")[i % 2],
                        ("HALTON-ADULTS", "HALTON-YOUTH")[i % 3 % 2], "OS", pence, 12, MADE_ON, date(2027, 6, 30),
                        1 + i % 4, "Co-production recognition, return 12", "2027/28")


def ours(n: int, out) -> None:
    from exports.import_file import write_csv
    write_csv(DEFAULT_COLUMNS, "%d/%m/%Y", rows(n), out)


def bare(n: int, out) -> None:
    text = io.TextIOWrapper(out, encoding="utf-8", newline="")
    writer = csv.writer(text)
    writer.writerow([heading for heading, _ in DEFAULT_COLUMNS])
    for r in rows(n):
        writer.writerow((r.claim_number, r.payee_ref, r.payee_name, r.ledger_code, r.cost_code, r.vat_code,
                         r.amount_pence / 100, r.return_date, r.description))
    text.flush()
    text.detach()


def as_sheet(n: int, out) -> None:
    from exports.import_file import write_xlsx
    write_xlsx(DEFAULT_COLUMNS, "%d/%m/%Y", rows(n), out, created=datetime(2027, 7, 1, 9, 30, tzinfo=UTC))


WRITERS = {"csv": ours, "xlsx": as_sheet}


def rows_per_second(fn, n: int) -> float:
    out = io.BytesIO()
    start = time.perf_counter()
    fn(n, out)
    return n / (time.perf_counter() - start)


def _child(n: int, writer: str) -> None:
    import resource
    with tempfile.TemporaryFile() as out:
        WRITERS[writer](n, out)
        out.seek(0, os.SEEK_END)
        size = out.tell()
    print(f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f} {size}")


def peak_mb(n: int, writer: str) -> tuple[float, int]:
    code = f"from bench.import_file import _child; _child({n}, {writer!r})"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    if done.returncode:
        raise RuntimeError(f"the {n:,}-row import file failed:\n{done.stderr}")
    peak, size = done.stdout.split()
    return float(peak), int(size)


def run() -> bool:
    """Print the figures; True when every target is met."""
    ok = True
    rows_per_second(ours, 2000)  # warm up imports
    base = mine = 0.0
    for _ in range(2):
        base = max(base, rows_per_second(bare, SPEED_ROWS))
        mine = max(mine, rows_per_second(ours, SPEED_ROWS))
    ratio = mine / base
    print(f"{'baseline: bare csv.writer':<34} {base:8.0f} rows/s ({SPEED_ROWS:,} rows)")
    verdict = "  ok" if ratio >= SPEED_TARGET else f"  BELOW the {SPEED_TARGET}x target"
    print(f"{'import file CSV (write_csv)':<34} {mine:8.0f} rows/s  {ratio:5.2f}x{verdict}")
    ok &= ratio >= SPEED_TARGET
    for writer in WRITERS:
        peaks = {}
        for n in MEMORY_ROWS:
            peaks[n], size = peak_mb(n, writer)
            print(f"{f'import file {writer} peak memory, {n:,}':<34} {peaks[n]:8.1f} MB  (file {size / 1e6:.1f} MB)")
        growth = peaks[MEMORY_ROWS[-1]] - peaks[MEMORY_ROWS[0]]
        if growth > MEMORY_GROWTH_MB:
            print(f"  memory GROWS with the number of rows: +{growth:.1f} MB (allowed {MEMORY_GROWTH_MB} MB)")
            ok = False
    if ok:
        print(f"{'import file':<34} ok")
    return ok


def main() -> int:
    return 0 if run() else 1


if __name__ == "__main__":
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    sys.exit(main())
