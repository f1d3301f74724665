"""`make bench`: page throughput against a bare Flask "hello" served the same way, in the same run."""
import os
import subprocess
import sys
import tempfile

from bench.harness import ROOT, served, throughput

# Pages measured now, with the target ratio from DESIGN.md where one applies.
PAGES = [("/login", "staff sign-in page", None)]


def main() -> int:
    with tempfile.TemporaryDirectory() as tmp:
        env = {"DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3", "SECRET_KEY": "b" * 48,
               "BENCH_BASELINE_DB": f"sqlite:///{tmp}/baseline.sqlite3", "LOG_LEVEL": "WARNING"}
        subprocess.run([sys.executable, "-m", "flask", "--app", "survey_app", "db", "upgrade"],
                       cwd=ROOT, env={**os.environ, **env}, check=True, capture_output=True)
        with served("bench.baseline_app:app", env) as port:
            throughput(port, "/hello", requests=200)  # warm up
            base = throughput(port, "/hello")
        print(f"baseline  bare Flask hello            {base['per_second']:8.0f} req/s")
        failed = False
        with served("wsgi:app", env) as port:
            for path, name, target in PAGES:
                throughput(port, path, requests=200)
                got = throughput(port, path)
                ratio = got["per_second"] / base["per_second"]
                verdict = "" if target is None else ("  ok" if ratio >= target else f"  BELOW target {target}x")
                failed |= target is not None and ratio < target
                print(f"{name:<36}  {got['per_second']:8.0f} req/s  {ratio:5.2f}x baseline"
                      f"  errors={got['errors']}{verdict}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
