"""`python -m bench.login_flood`: does a public page stay quick while the sign-in form is flooded?

The real app is served by gunicorn in production mode (HUB_ENV=production, 4 sync workers as docs/deployment.md
("Deploying for real") says, PROXY_HOPS=1, real scrypt, default LOGIN_PASSWORD_SLOTS) on a fresh SQLite
database. One client times the staff sign-in page (GET /login) one request after another:

1. unloaded, for --seconds;
2. while 8 clients (in another process) POST /login as fast as they can, each with its own session and
   CSRF token and a random email every time, from random addresses (a different X-Forwarded-For each time:
   a flood spread over many addresses, which no per-address limit stops, so only the password-check slots
   protect the server);
3. the same from one address (the per-address limit soon refuses it before any hashing).

Reports the page's p50/p95 in each phase and what the floods were answered. Target: the page's p95 under
flood stays under 3x its unloaded p95 in the same run; exits non-zero when missed or when any request
fails (a status other than 200 for the page, or anything but 400/429/503 for a flood).
"""
import argparse
import multiprocessing
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import Counter

from bench.harness import ROOT, call, cookies_from, field, served

SECRET = "login-flood-bench-secret-0123456789abcdef"
TARGET = 3.0
FLOOD_CLIENTS = 8
PAGE = "/login"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def time_page(port: int, seconds: float) -> tuple[list[float], Counter]:
    """GET the page one after another for `seconds`: latencies (ms) and statuses."""
    latencies, statuses = [], Counter()
    stop = time.monotonic() + seconds
    while time.monotonic() < stop:
        started = time.perf_counter()
        try:
            status, _, _ = call(port, "GET", PAGE)
        except OSError:
            status = "no answer"
        latencies.append((time.perf_counter() - started) * 1000)
        statuses[status] += 1
    return latencies, statuses


def _flooder(port: int, seconds: float, spread: bool, results) -> None:
    """One flooding client: a session and CSRF token, then POST random emails until the time is up."""
    jar: dict = {}
    _, headers, page = call(port, "GET", "/login")
    cookies_from(headers, jar)
    cookie = "; ".join(f"{k}={v}" for k, v in jar.items())
    token, seen = field(page, "csrf_token"), Counter()
    stop = time.monotonic() + seconds
    import http.client
    from urllib.parse import urlencode

    while time.monotonic() < stop:
        body = urlencode({"csrf_token": token, "email": f"{random.getrandbits(48):x}@example.org",
                          "password": "guess-" + os.urandom(6).hex()})
        address = (f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}" if spread
                   else "192.0.2.1")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            conn.request("POST", "/login", body=body, headers={
                "Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded", "X-Forwarded-For": address})
            response = conn.getresponse()
            response.read()
            seen[response.status] += 1
        except OSError:
            seen["no answer"] += 1
        finally:
            conn.close()
    results.put(dict(seen))


def _flood_process(port: int, seconds: float, spread: bool, results) -> None:
    import threading

    threads = [threading.Thread(target=_flooder, args=(port, seconds, spread, results)) for _ in range(FLOOD_CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def flooded(port: int, seconds: float, spread: bool) -> tuple[list[float], Counter, Counter]:
    """Time the page while the flood runs (in another process, so its threads do not share our GIL)."""
    results = multiprocessing.get_context("fork").Queue()
    proc = multiprocessing.get_context("fork").Process(target=_flood_process,
                                                       args=(port, seconds + 1.5, spread, results))
    proc.start()
    time.sleep(1.0)  # let the flood get going
    latencies, statuses = time_page(port, seconds)
    floods = Counter()
    for _ in range(FLOOD_CLIENTS):
        floods.update(results.get(timeout=60))
    proc.join(timeout=30)
    return latencies, statuses, floods


def line(name: str, latencies: list[float], statuses: Counter) -> str:
    return (f"{name:<44} p50 {percentile(latencies, 50):6.1f} ms  p95 {percentile(latencies, 95):6.1f} ms  "
            f"({len(latencies)} requests, statuses {dict(statuses)})")


def run(argv: list[str]) -> bool:
    parser = argparse.ArgumentParser(prog="python -m bench.login_flood", description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=8.0, help="length of each phase (default 8)")
    args = parser.parse_args(argv)
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        env = {"HUB_ENV": "production", "SECRET_KEY": SECRET, "PUBLIC_BASE_URL": "https://hub.example",
               "DATABASE_URL": f"sqlite:///{tmp}/flood.sqlite3", "PROXY_HOPS": "1", "LOG_LEVEL": "WARNING"}
        subprocess.run([sys.executable, "-m", "flask", "--app", "survey_app", "db", "upgrade"], cwd=ROOT,
                       env={**os.environ, **env}, check=True, capture_output=True)
        print(f"\nLogin flood: gunicorn, 4 sync workers, production mode, real scrypt; {FLOOD_CLIENTS} clients "
              f"POST /login with random emails while one client times GET {PAGE}")
        with served("wsgi:app", env, workers=4) as port:
            time_page(port, 1.0)  # warm up every worker
            quiet, quiet_statuses = time_page(port, args.seconds)
            print(line(f"GET {PAGE}, unloaded", quiet, quiet_statuses))
            base = percentile(quiet, 95)
            ok &= set(quiet_statuses) == {200}
            for spread, name in ((True, "many addresses"), (False, "one address")):
                latencies, statuses, floods = flooded(port, args.seconds, spread)
                ratio = percentile(latencies, 95) / base
                good = ratio < TARGET and set(statuses) == {200} and set(floods) <= {400, 429, 503}
                verdict = "ok" if good else f"MISSED (target under {TARGET:g}x, every page 200)"
                print(line(f"GET {PAGE}, login flood from {name}", latencies, statuses))
                print(f"{'':<44} p95 {ratio:.2f}x unloaded  {verdict}; flood answers {dict(floods)}")
                ok &= good
    return ok


if __name__ == "__main__":
    sys.exit(0 if run(sys.argv[1:]) else 1)
