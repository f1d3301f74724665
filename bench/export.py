"""The finance return export: speed against a bare openpyxl loop in the same run, and peak memory.

Speed: a 100,000-line return through `write_return` (safe text, typed and styled cells, totals
worked out while streaming, fixed-time zip) against a bare openpyxl write-only loop that appends the
same cells as plain values, money as floats. Target: at least 0.8x. Each is run twice, alternately,
and the better run counts.

Memory: 20,000 and 200,000 lines, each in a fresh process, lines from a generator; the peak
resident size must stay under 150 MB and barely grow with the number of lines.

For the record, not a target: the same rows rendered by XlsxWriter in constant_memory mode
(`bench/xlsxwriter_export.py`, same look), timed in the same rounds and measured for memory the same way,
printed as ratios to `write_return`. Skipped when XlsxWriter is not installed (it is in the dev extra).

`python -m bench.export` runs this alone; `make bench` runs it after the web benchmarks.
"""
import io
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEED_LINES = 100_000
MEMORY_LINES = (20_000, 200_000)
SPEED_TARGET = 0.8
MEMORY_LIMIT_MB = 150
MEMORY_GROWTH_MB = 25  # the 200,000-line run may use at most this much more than the 20,000-line one
KINDS = ("payment", "payment", "voucher", "expense", "thanks")
NAMES = ("Łucja Wąsowska", "Ștefan Țăranu", "مريم الحسيني", "Amara Okafor 🙂", "Zoë O'Brien", "Tom Jones")
HEADER_ARGS = dict(number=12, made_by="Bench Staff", made_at=datetime(2027, 7, 1, 9, 30, tzinfo=UTC),
                   period_to=date(2027, 6, 30), cost_code="")


def lines(n: int) -> Iterator:
    """n varied return lines, made one at a time (never a list)."""
    from exports.finance_return import ReturnLine

    start = date(2027, 4, 6)
    for i in range(1, n + 1):
        kind = KINDS[i % 5]
        paid = kind == "payment"
        hours = Decimal(i % 8 + 1) / 2 if paid else None
        rate = 1250 if paid else None
        amount = {"payment": int(hours * rate) if hours else 0, "voucher": 2500, "expense": 340 + i % 900,
                  "thanks": 0}[kind]
        if i % 997 == 0:  # now and then a reversal
            amount = -amount
        yield ReturnLine(
            line_number=i, payee_ref="" if i % 50 == 0 else f"HAL{i % 5000:05d}", name=NAMES[i % 6],
            activity=f"Carers' forum {i % 40}", activity_date=start + timedelta(days=i % 300), kind=kind,
            description=f"Forum session {i}" if i % 7 else "=SUM(A1:A9)", hours=hours, rate_pence=rate,
            amount_pence=amount, taxable=paid, cost_code=("HALTON-ADULTS", "HALTON-YOUTH")[i % 2],
            status="in return", recorded_by="Sam Recorder", approved_by="Alex Approver")


def payees(n: int) -> Iterator:
    from exports.finance_return import PayeeTotal
    for i in range(min(n, 5000)):
        yield PayeeTotal(f"HAL{i:05d}", NAMES[i % 6], 1000 + i, 50_000 + i)


def vouchers(n: int) -> Iterator:
    from exports.finance_return import VoucherEntry
    for i in range(2, n + 1, 5):
        yield VoucherEntry(i, NAMES[i % 6], f"HAL{i % 5000:05d}", "Love2Shop", 2500, f"L2S-{i:07d}",
                           date(2027, 6, 1), i % 3 > 0)


def missing(n: int) -> Iterator:
    from exports.finance_return import MissingPayee
    for i in range(min(n // 50, 100)):
        yield MissingPayee(f"Person {i}", 1, 1250)


def totals(n: int) -> list:
    """What the database's GROUP BY would give (done before the clock starts)."""
    from exports.finance_return import KindTotal
    groups: dict[tuple, list[int]] = {}
    for line in lines(n):
        group = groups.setdefault((line.kind, line.taxable, line.cost_code), [0, 0])
        group[0] += 1
        group[1] += line.amount_pence
    return [KindTotal(k, t, c, count, pence) for (k, t, c), (count, pence) in sorted(groups.items())]


def export(n: int, out, kind_totals=None) -> None:
    from exports.finance_return import ReturnHeader, write_return
    write_return(ReturnHeader(**HEADER_ARGS), kind_totals if kind_totals is not None else totals(n),
                 lines(n), payees(n), vouchers(n), missing(n), out)


def with_xlsxwriter(n: int, out, kind_totals=None) -> None:
    """The rows `write_return` renders, rendered by XlsxWriter (constant_memory) instead."""
    from bench.xlsxwriter_export import write_sheets
    from exports.finance_return import ReturnHeader, return_sheets
    header = ReturnHeader(**HEADER_ARGS)
    sheets = return_sheets(header, kind_totals if kind_totals is not None else totals(n), lines(n), payees(n),
                           vouchers(n), missing(n))
    write_sheets(sheets, out, created=header.made_at)


def has_xlsxwriter() -> bool:
    try:
        import xlsxwriter  # noqa: F401
    except ImportError:
        return False
    return True


def bare(n: int, out, kind_totals) -> None:
    """The same sheets and cells with openpyxl alone: plain values, money as floats, no styling."""
    from openpyxl import Workbook

    from exports.finance_return import ALL_COLUMNS, KIND_LABELS

    wb = Workbook(write_only=True)
    sheets = {}
    for title, columns in ALL_COLUMNS.items():
        sheets[title] = wb.create_sheet(title)
        sheets[title].append([c.header for c in columns])
    ws = sheets["Summary"]
    for row in (("Return number", 12), ("Made by", "Bench Staff"), ("Made at", datetime(2027, 7, 1, 10, 30)),
                ("Period", "up to 30 June 2027"), ("Cost code", "all cost codes")):
        ws.append(row)
    for group in kind_totals:
        ws.append((group.kind, group.lines, group.amount_pence / 100))
    ws = sheets["Lines"]
    total = 0
    for line in lines(n):
        total += line.amount_pence
        ws.append((12, line.line_number, line.payee_ref, line.name, line.activity, line.activity_date,
                   KIND_LABELS[line.kind], line.description, None if line.hours is None else float(line.hours),
                   None if line.rate_pence is None else line.rate_pence / 100, line.amount_pence / 100,
                   "Yes" if line.taxable else "No", line.cost_code, line.status, line.recorded_by,
                   line.approved_by))
    ws.append(("Total",) + (None,) * 9 + (total / 100,))
    for p in payees(n):
        sheets["By payee"].append((p.payee_ref, p.name, p.return_pence / 100, p.tax_year_pence / 100))
    for v in vouchers(n):
        sheets["Vouchers"].append((v.line_number, v.name, v.payee_ref, v.provider, v.value_pence / 100, v.serial,
                                   v.handed_over_on, "Yes" if v.signed_for else "No"))
    for m in missing(n):
        sheets["Payee set-up needed"].append((m.name, m.lines, m.amount_pence / 100))
    wb.save(out)


def lines_per_second(fn, n: int, kind_totals) -> float:
    out = io.BytesIO()
    start = time.perf_counter()
    fn(n, out, kind_totals)
    return n / (time.perf_counter() - start)


WRITERS = {"openpyxl": export, "xlsxwriter": with_xlsxwriter}


def _child(n: int, writer: str = "openpyxl") -> None:
    """Run in a fresh process: render n lines to a temporary file and print the peak resident MB."""
    import resource
    with tempfile.TemporaryFile() as out:
        WRITERS[writer](n, out)
        out.seek(0, os.SEEK_END)
        size = out.tell()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(f"{peak:.1f} {size}")


def peak_mb(n: int, writer: str = "openpyxl") -> tuple[float, int]:
    code = f"from bench.export import _child; _child({n}, {writer!r})"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    if done.returncode:
        raise RuntimeError(f"the {n:,}-line export failed:\n{done.stderr}")
    peak, size = done.stdout.split()
    return float(peak), int(size)


def run() -> bool:
    """Print the figures; True when every target is met."""
    ok = True
    kind_totals = totals(SPEED_LINES)
    lines_per_second(export, 2000, totals(2000))  # warm up imports and caches
    compare = has_xlsxwriter()
    base = ours = theirs = 0.0
    for _ in range(2):
        base = max(base, lines_per_second(bare, SPEED_LINES, kind_totals))
        ours = max(ours, lines_per_second(export, SPEED_LINES, kind_totals))
        if compare:
            theirs = max(theirs, lines_per_second(with_xlsxwriter, SPEED_LINES, kind_totals))
    ratio = ours / base
    print(f"{'baseline: bare openpyxl write-only':<34} {base:8.0f} lines/s ({SPEED_LINES:,} lines)")
    verdict = "  ok" if ratio >= SPEED_TARGET else f"  BELOW the {SPEED_TARGET}x target"
    print(f"{'finance return (write_return)':<34} {ours:8.0f} lines/s  {ratio:5.2f}x{verdict}")
    ok &= ratio >= SPEED_TARGET

    peaks = {}
    for n in MEMORY_LINES:
        peaks[n], size = peak_mb(n)
        print(f"{f'finance return peak memory, {n:,}':<34} {peaks[n]:8.1f} MB  (file {size / 1e6:.1f} MB)")
    small, big = peaks[MEMORY_LINES[0]], peaks[MEMORY_LINES[-1]]
    if big > MEMORY_LIMIT_MB:
        print(f"  OVER the {MEMORY_LIMIT_MB} MB limit at {MEMORY_LINES[-1]:,} lines")
        ok = False
    if big - small > MEMORY_GROWTH_MB:
        print(f"  memory GROWS with the number of lines: +{big - small:.1f} MB (allowed {MEMORY_GROWTH_MB} MB)")
        ok = False
    if ok:
        print(f"{'finance return export':<34} ok")
    if compare:
        xlsx_speed(ours, theirs, base)
        xlsx_memory(peaks)
    else:
        print("XlsxWriter comparison skipped: XlsxWriter is not installed (pip install -e '.[dev]')")
    return ok


def xlsx_speed(ours: float, theirs: float, base: float) -> None:
    """XlsxWriter against write_return, the same rows in the same rounds: time as a ratio (below 1 is faster)."""
    ours_ms, theirs_ms = SPEED_LINES / ours * 1000, SPEED_LINES / theirs * 1000
    print(f"{'XlsxWriter constant_memory':<34} {theirs:8.0f} lines/s  {theirs / base:5.2f}x bare openpyxl")
    print(f"{'  time, XlsxWriter vs openpyxl':<34} {theirs_ms:8.0f} ms vs {ours_ms:.0f} ms for {SPEED_LINES:,} lines: "
          f"{theirs_ms / ours_ms:.2f}x the time")


def xlsx_memory(ours: dict) -> None:
    for n in MEMORY_LINES:
        theirs, size = peak_mb(n, "xlsxwriter")
        print(f"{f'  peak memory, {n:,}':<34} {theirs:8.1f} MB vs {ours[n]:.1f} MB: {theirs / ours[n]:.2f}x "
              f"(file {size / 1e6:.1f} MB)")


def main() -> int:
    return 0 if run() else 1


if __name__ == "__main__":
    if str(ROOT) not in sys.path:  # run as a script rather than with -m
        sys.path.insert(0, str(ROOT))
    sys.exit(main())
