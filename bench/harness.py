"""Serve an app with gunicorn on a loopback port and drive it with a bounded threaded client."""
import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def served(target: str, env: dict | None = None, workers: int = 2, threads: int = 1):
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--threads", str(threads),
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning", target],
        cwd=ROOT, env={**os.environ, **(env or {})})
    try:
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f"{target} did not start")
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def throughput(port: int, path: str, requests: int = 1500, threads: int = 8, seconds: float = 30.0) -> dict:
    """GET `path` `requests` times from `threads` threads (or until `seconds` pass); requests per second."""
    done, errors, lock = [0], [0], threading.Lock()
    stop_at = time.time() + seconds

    def worker(n):
        for _ in range(n):
            if time.time() > stop_at:
                return
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            try:
                conn.request("GET", path)
                resp = conn.getresponse()
                resp.read()
                ok = resp.status == 200
            except OSError:
                ok = False
            finally:
                conn.close()
            with lock:
                done[0] += ok
                errors[0] += not ok

    start = time.perf_counter()
    pool = [threading.Thread(target=worker, args=(requests // threads,)) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - start
    return {"requests": done[0], "errors": errors[0], "per_second": done[0] / elapsed}
