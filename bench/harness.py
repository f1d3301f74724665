"""Serve an app with gunicorn on a loopback port and drive it with a bounded threaded client."""
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode

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


def call(port: int, method: str, path: str, data: dict | None = None, cookie: str = ""):
    """One request; returns (status, headers dict, body text)."""
    status, headers, body = call_bytes(port, method, path, data, cookie)
    return status, headers, body.decode()


def cookies_from(headers, jar: dict) -> dict:
    for name, value in headers:
        if name.lower() == "set-cookie":
            key, _, rest = value.partition("=")
            jar[key] = rest.split(";", 1)[0]
    return jar


def field(page: str, name: str) -> str:
    return re.search(rf'name="{name}"[^>]*value="([^"]*)"', page).group(1)


def throughput(port: int, path: str, requests: int = 1500, threads: int = 8, seconds: float = 30.0,
               method: str = "GET", data=None, cookie: str = "", ok=(200,)) -> dict:
    """`requests` requests from `threads` threads (or until `seconds` pass); requests per second.
    `data`, if given, is called with the request number to make each POST body."""
    done, errors, lock = [0], [0], threading.Lock()
    counter = iter(range(requests))
    stop_at = time.time() + seconds

    def worker():
        while time.time() < stop_at:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            try:
                status, _, _ = call(port, method, path, data(i) if data else None, cookie)
                good = status in ok
            except OSError:
                good = False
            with lock:
                done[0] += good
                errors[0] += not good

    start = time.perf_counter()
    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - start
    return {"requests": done[0], "errors": errors[0], "per_second": done[0] / elapsed}


def call_bytes(port: int, method: str, path: str, data: dict | None = None, cookie: str = "",
               timeout: float = 30, json_body=None, headers: dict | None = None):
    """One request; returns (status, headers, body bytes): a download is not text. `data` is sent as a form,
    `json_body` as JSON."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {**({"Cookie": cookie} if cookie else {}), **(headers or {})}
    body = None
    if data is not None:
        body = urlencode(data)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif json_body is not None:
        body = json.dumps(json_body)
        headers["Content-Type"] = "application/json"
    try:
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        return resp.status, resp.getheaders(), resp.read()
    finally:
        conn.close()
