"""`python -m bench.load`: a meeting-day load test against the production server, on SQLite and PostgreSQL.

For each database: a fresh database is migrated and seeded (staff, a group, today's meetings, 2,000 people,
approved recognition lines in a built finance return), and the real app is served by gunicorn in production
mode next to bench/baseline_app.py, both with the same settings.

1. Mixed phase (--seconds): 50 tablets, each with its own door session, sign people in (search, check,
   confirm), register new people, save support needs and answer the whole checklist, while 2 organisers open
   the dashboard and a support plan and 1 finance user downloads the return. Per page: count, errors
   (a status or redirect other than the expected one, or no answer), p50/p95/p99 latency; overall throughput.
2. Ratio phase (--rounds x --round-seconds, alternating): the same 50 threads only POST the door sign-in
   confirm (a real sign-in of the next of 6,000 more people seeded for this, with a fresh one-time token;
   should they all be in, they sign in again, which runs the same statements), then only POST the bare
   baseline's /insert. "Door sign-in throughput" is completed (302 to the support page) confirm POSTs per
   second; the best round of each side is compared. Target: at least 0.7x.
3. Exactly once: every acknowledged submission (sign-in, registration name, support detail, checklist answer,
   one-time token) is looked up in the database; each must be there exactly once, and nothing unacknowledged
   may be there twice. Exits non-zero on a missing or duplicated submission, any error, or a ratio below 0.7.
"""
import argparse
import itertools
import math
import os
import re
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from datetime import timedelta
from urllib.parse import urlsplit

from bench.harness import ROOT, call_bytes, cookies_from, field, served

SECRET = "load-bench-secret-0123456789abcdef0123456789"
PASSWORD = "load bench password"
ORGANISER, FINANCE = "load.organiser@example.org", "load.finance@example.org"
PEOPLE = 2000
ROUND_PEOPLE = 6000        # more people, only for the ratio rounds, so each sign-in there is a first one
PAID_PEOPLE = 400          # people with an approved payment line in the built return
PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/"
TARGET = 0.7
NEW_SURNAME = "Newcomer"   # every person registered during the run, and nobody else
PICK_RE = re.compile(r'name="pick" value="([^"]+)">\s*<button[^>]*>([^<]+)</button>')
CHECKLIST_STEPS = [("achieved", "answer", "4"), ("outcomes", "text", "A plan for easy read letters"),
                   ("feeling", "answer", "5"), ("inclusive", "answer", "4"), ("accessible", "answer", "3"),
                   ("payment_clear", "answer", "yes"), ("change", "text", None), ("here_as", "answer", "carer")]


# ---------------------------------------------------------------------------------------------- set-up

def seed(url: str, rounds: int) -> dict:
    """Staff, a group with a rate, today's meeting, one sign-in meeting per ratio round, people, and a
    built finance return, all through the app's own functions. Returns the ids the clients need."""
    from sqlalchemy import insert, select

    from survey_app import create_app
    from survey_app.access.accounts import create_user
    from survey_app.models import (
        Attendance,
        AttendanceStatus,
        ContactMethod,
        Group,
        InformationFormat,
        Meeting,
        MeetingMode,
        PaymentBasis,
        Person,
        PersonRole,
        Rate,
        RecognitionKind,
        Role,
    )
    from survey_app.models.base import london_today, utcnow
    from survey_app.money import recognition as rec
    from survey_app.web.extensions import db

    # The staff passwords use a fast hash so 200 door-mode sign-ins do not dominate the set-up; the server
    # checks whatever method a stored hash names, and no measured page signs anyone in.
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET, "LOG_LEVEL": "WARNING",
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with app.app_context():
        organiser = create_user(ORGANISER, "Load Organiser", Role.ORGANISER, PASSWORD)
        finance = create_user(FINANCE, "Load Finance", Role.FINANCE, PASSWORD)
        group = Group(name="Load group")
        db.session.add(group)
        db.session.flush()
        today = london_today()
        db.session.add(Rate(group=group, applies_from=today - timedelta(days=400), hourly_pence=1500,
                            half_day_pence=4000, day_pence=7500, mileage_pence=45))
        now = utcnow()

        def meeting(title, starts_at):
            m = Meeting(group=group, title=title, starts_at=starts_at, ends_at=starts_at + timedelta(hours=2),
                        mode=MeetingMode.IN_PERSON, venue_name="Hall", checklist_open=True)
            db.session.add(m)
            return m

        # Today's meetings start now (door mode runs on a meeting's day only, so never before midnight);
        # their checklist is open on the tablets.
        today_meeting = meeting("Load meeting", now)
        round_meetings = [meeting(f"Sign-in round {r + 1}", now) for r in range(rounds)]
        past = meeting("Last month's meeting", now - timedelta(days=30))
        people = []
        for i in range(PEOPLE):
            p = Person(first_name=f"Load{i:04d}", last_name="Person", contact_method=ContactMethod.EMAIL,
                       information_format=InformationFormat.STANDARD, role=PersonRole.LIVED_EXPERIENCE,
                       payee_ref=f"SUP-{i:05d}" if i < PAID_PEOPLE else "")
            p.refresh_search_name()
            people.append(p)
        db.session.add_all(people)
        db.session.execute(insert(Person), [
            {"first_name": f"Round{i:04d}", "last_name": "Visitor", "search_name": f"round{i:04d} visitor",
             "contact_method": ContactMethod.EMAIL, "information_format": InformationFormat.STANDARD,
             "role": PersonRole.OTHER} for i in range(ROUND_PEOPLE)])
        db.session.flush()
        visitors = db.session.scalars(select(Person.id).where(Person.last_name == "Visitor").order_by(Person.id)).all()
        lines = []
        for p in people:  # all came last month, so the door's search (the group's people only) finds them
            db.session.add(Attendance(meeting=past, person=p, status=AttendanceStatus.ATTENDED,
                                      signed_in_at=past.starts_at))
        for p in people[:PAID_PEOPLE]:
            lines.append(rec.record(rec.LineInput(person=p, group_id=group.id, activity_on=past.starts_at.date(),
                                                  meeting=past, kind=RecognitionKind.PAYMENT,
                                                  basis=PaymentBasis.HALF_DAY), organiser))
        db.session.flush()
        rec.approve(lines, finance)
        db.session.flush()
        ret = rec.build_return(finance)
        db.session.commit()
        ids = {"meeting": today_meeting.id, "rounds": [m.id for m in round_meetings],
               "people": [(p.id, p.first_name) for p in people], "visitors": [(v, "") for v in visitors],
               "return": ret.number}
        db.engine.dispose()
    return ids


def migrate(env: dict) -> None:
    run_env = {**os.environ, **env}
    subprocess.run([sys.executable, "-m", "flask", "--app", "survey_app", "db", "upgrade"], cwd=ROOT,
                   env=run_env, check=True, capture_output=True)
    # The baseline makes its table on import; do it once here, not in four workers at the same moment.
    subprocess.run([sys.executable, "-c", "import bench.baseline_app"], cwd=ROOT, env=run_env, check=True,
                   capture_output=True)


@contextmanager
def fresh_database(kind: str):
    """Yield (app database URL, baseline database URL) for a new, empty database; remove it afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as tmp:
            yield f"sqlite:///{tmp}/load.sqlite3", f"sqlite:///{tmp}/baseline.sqlite3"
        return
    import psycopg

    name = f"hub_load_{time.strftime('%Y%m%d_%H%M%S')}_{os.getpid()}"
    with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        url = PG_SERVER + name
        yield url, url
    finally:
        with psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def pg_reachable() -> bool:
    try:
        import psycopg

        psycopg.connect("host=127.0.0.1 port=5432 user=postgres dbname=postgres connect_timeout=3").close()
        return True
    except Exception:  # noqa: BLE001 (any failure means "skip PostgreSQL")
        return False


# ---------------------------------------------------------------------------------------------- clients

class Stats:
    """Latencies and errors per page, shared by every client thread."""

    def __init__(self):
        self.lock = threading.Lock()
        self.times = defaultdict(list)
        self.errors = Counter()

    def add(self, page: str, seconds: float, good: bool):
        with self.lock:
            self.times[page].append(seconds)
            self.errors[page] += not good


class Browser:
    """One device: a cookie jar, and every request timed and checked against what should come back."""

    def __init__(self, port: int, stats: Stats | None = None):
        self.port, self.stats, self.jar, self.csrf = port, stats, {}, ""

    def cookie(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.jar.items())

    def go(self, page: str, method: str, path: str, data: dict | None = None, status: int = 200,
           to: str | None = None) -> str | None:
        """The body if the answer was `status` (and, for a redirect, to `to`); None otherwise.
        A download's body comes back as "" once its bytes have all been read."""
        started = time.perf_counter()
        try:
            got, headers, raw = call_bytes(self.port, method, path, data, self.cookie())
            cookies_from(headers, self.jar)
            kind = {k.lower(): v for k, v in headers}.get("content-type", "")
            body = raw.decode() if kind.startswith("text/") else ""
            location = urlsplit({k.lower(): v for k, v in headers}.get("location", "")).path
            good = got == status and (to is None or location == to)
        except Exception:  # noqa: BLE001 (a refused, reset or timed-out request is an error like a 500)
            good, body = False, None
        if self.stats is not None:
            self.stats.add(page, time.perf_counter() - started, good)
        return body if good else None

    def sign_in_staff(self, email: str) -> bool:
        page = self.go("staff sign-in", "GET", "/login")
        return page is not None and self.go("staff sign-in", "POST", "/login", {
            "csrf_token": field(page, "csrf_token"), "email": email, "password": PASSWORD}, status=302) is not None

    def start_door_mode(self, meeting_id: int) -> bool:
        """What an organiser does on each tablet: sign in, open the meeting, start door mode."""
        if not self.sign_in_staff(ORGANISER):
            return False
        page = self.go("meeting page", "GET", f"/meetings/{meeting_id}")
        if page is None or self.go("door mode start", "POST", f"/meetings/{meeting_id}/door-mode",
                                   {"csrf_token": field(page, "csrf_token")}, status=302, to="/door/") is None:
            return False
        page = self.go("door sign-in page", "GET", "/door/sign-in")
        self.csrf = field(page, "csrf_token") if page else ""
        return bool(self.csrf)


class Acks:
    """What the server acknowledged (and what it was asked but did not acknowledge), per kind."""

    def __init__(self):
        self.lock = threading.Lock()
        self.done = defaultdict(list)
        self.tried = defaultdict(list)

    def record(self, kind: str, marker, acknowledged: bool):
        with self.lock:
            (self.done if acknowledged else self.tried)[kind].append(marker)


def tablet(b: Browser, acks: Acks, people: list, meeting_id: int, stop_at: "float | threading.Event", name: str):
    """One door tablet for the mixed phase: sign someone in, register someone new, answer the checklist.
    Until the time `stop_at`, or until it is set if an Event (bench/offline_sync.py)."""
    n = 0
    queue = list(people)
    while not (stop_at.is_set() if isinstance(stop_at, threading.Event) else time.time() >= stop_at):
        n += 1
        marker = f"{name}-{n}-{secrets.token_hex(4)}"
        try:
            if queue:
                person_id, first_name = queue.pop(0)
                sign_in_person(b, acks, person_id, first_name, f"{marker}-s")
            register_person(b, acks, f"{marker}-r")
            answer_checklist(b, acks, marker)
        except Exception:  # noqa: BLE001 (a page without the expected form; counted, and the tablet goes on)
            b.stats.add("unreadable page", 0.0, False)


def support_needs(b: Browser, acks: Acks, marker: str):
    page = b.go("support page GET", "GET", "/door/support")
    if page is None:
        return
    detail = f"need-{marker}"
    token = field(page, "form_token")
    ok = b.go("support POST", "POST", "/door/support", {
        "csrf_token": b.csrf, "form_token": token, "need_step_free": "y", "need_other": "y",
        "other_detail": detail, "food_detail": "", "remember": "no"}, status=302, to="/door/thanks") is not None
    acks.record("support", detail, ok)
    acks.record("token", token, ok)
    if ok:
        b.go("thank-you page", "GET", "/door/thanks")


def sign_in_person(b: Browser, acks: Acks, person_id: int, first_name: str, marker: str):
    if b.go("welcome page", "GET", "/door/") is None or b.go("sign-in page", "GET", "/door/sign-in") is None:
        return
    page = b.go("sign-in search POST", "POST", "/door/sign-in", {"csrf_token": b.csrf, "name": first_name})
    picks = [pick for pick, shown in PICK_RE.findall(page or "") if shown.startswith(first_name)]
    if not picks:
        if page is not None:
            b.stats.add("sign-in search POST (no match)", 0.0, False)
        return
    page = b.go("sign-in check POST", "POST", "/door/sign-in/check", {"csrf_token": b.csrf, "pick": picks[0]})
    if page is None:
        return
    token = field(page, "form_token")
    ok = b.go("sign-in confirm POST", "POST", "/door/sign-in/confirm", {
        "csrf_token": b.csrf, "pick": picks[0], "form_token": token}, status=302, to="/door/support") is not None
    acks.record("sign-in", person_id, ok)
    acks.record("token", token, ok)
    if ok:
        support_needs(b, acks, marker)


REGISTER_PAGES = ("name", "role", "contact", "detail", "format", "consent")


def register_person(b: Browser, acks: Acks, marker: str):
    """"I'm new here": one question a page (the answers kept in the visit), then Save on "Check your answers"."""
    first = f"New-{marker}"
    answers = {"first_name": first, "last_name": NEW_SURNAME, "role": "carer", "contact_method": "email",
               "email": f"{marker}@example.org", "information_format": "easy_read", "consent": "y"}
    for number, step in enumerate(REGISTER_PAGES):
        page = b.go("registration page", "GET", f"/door/new/{step}")
        after = REGISTER_PAGES[number + 1] if number + 1 < len(REGISTER_PAGES) else "check"
        if page is None or b.go("registration page POST", "POST", f"/door/new/{step}", {
                "csrf_token": b.csrf, "form_token": field(page, "form_token"), **answers},
                status=302, to=f"/door/new/{after}") is None:
            acks.record("registration", first, False)
            return
    page = b.go("registration check page", "GET", "/door/new/check")
    if page is None:
        acks.record("registration", first, False)
        return
    token = field(page, "form_token")
    ok = b.go("registration POST", "POST", "/door/new/check", {"csrf_token": b.csrf, "form_token": token},
              status=302, to="/door/thank-you-choice") is not None
    acks.record("registration", first, ok)
    acks.record("token", token, ok)
    if not ok:
        return
    page = b.go("thank-you choice page", "GET", "/door/thank-you-choice")  # the redirect a browser follows
    if page is None or b.go("thank-you choice POST", "POST", "/door/thank-you-choice",
                            {"csrf_token": b.csrf, "form_token": field(page, "form_token"),
                             "preference": "voucher"}, status=302, to="/door/about-you") is None:
        return
    # The optional equality form (issue 18) is offered next; this newcomer skips it, as most will.
    page = b.go("equality offer page", "GET", "/door/about-you")
    if page is not None and b.go("equality offer skip POST", "POST", "/door/about-you",
                                 {"csrf_token": b.csrf, "form_token": field(page, "form_token"), "skip": "1"},
                                 status=302, to="/door/support") is not None:
        support_needs(b, acks, marker)


def answer_checklist(b: Browser, acks: Acks, marker: str):
    page = b.go("checklist first page", "GET", "/door/checklist")
    if page is None:
        return
    token = field(page, "form_token")
    carried = {"csrf_token": b.csrf, "form_token": token}
    change = f"chk-{marker}"
    for number, (name, how, value) in enumerate(CHECKLIST_STEPS, start=1):
        data = dict(carried)
        if how == "answer":
            data["answer"] = value
        else:
            data[name], data["next"] = value or change, "1"
        carried[name] = value or change
        last = number == len(CHECKLIST_STEPS)
        if last:
            ok = b.go("checklist send POST", "POST", f"/door/checklist/{number}", data, status=302,
                      to="/door/thanks") is not None
            acks.record("checklist", change, ok)
            acks.record("token", token, ok)
            if ok:
                b.go("thank-you page", "GET", "/door/thanks")
        elif b.go("checklist step POST", "POST", f"/door/checklist/{number}", data) is None:
            return


def organiser(b: Browser, meeting_id: int, stop_at: float):
    while time.time() < stop_at:
        b.go("organiser dashboard", "GET", "/dashboard")
        b.go("support plan", "GET", f"/meetings/{meeting_id}/support")


def finance(b: Browser, number: int, stop_at: float):
    while time.time() < stop_at:
        b.go("finance return download", "GET", f"/finance/returns/{number}/download")


def in_threads(targets: list) -> float:
    """Run (function, args) pairs in threads; seconds from first start to last finish."""
    pool = [threading.Thread(target=fn, args=args) for fn, args in targets]
    started = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return time.perf_counter() - started


def door_tablets(port: int, meeting_id: int, count: int) -> list[Browser]:
    """Door mode started on each tablet one after another, as an organiser does: fifty staff sign-ins at
    once would meet the server's cap on simultaneous password checks (503, try again) by design."""
    tablets = [Browser(port) for _ in range(count)]
    for b in tablets:
        b.start_door_mode(meeting_id)
    ready = [b for b in tablets if b.csrf]
    if len(ready) < count:
        raise RuntimeError(f"only {len(ready)} of {count} tablets could start door mode")
    return ready


# ---------------------------------------------------------------------------------------------- phases

def confirm_only(tablets: list[Browser], people: list, meeting_id: int, seconds: float, acks: Acks) -> dict:
    """Every tablet only POSTs the sign-in confirm, each for the next person, with a fresh one-time token.
    The pick is sealed and the token signed here with the app's key, as the search and check pages would."""
    from forms.tokens import form_token_signer, visit_tag
    from survey_app.participation import seal

    tokens = form_token_signer(SECRET)
    no_visit = visit_tag(None)
    lock, queue, done, errors = threading.Lock(), itertools.cycle(people), [0], [0]
    stop_at = time.time() + seconds

    def run(b: Browser):
        # Every confirm is sent with the tablet's cookie from before anyone signed in on it (no visit yet), so
        # the token is for no visit, as the check page would have issued it; a sign-in starts a new visit.
        before = dict(b.jar)
        while time.time() < stop_at:
            with lock:
                person = next(queue)  # after everyone, people sign in again: the same statements, a new token
            b.jar.clear()
            b.jar.update(before)
            token = tokens.sign(secrets.token_urlsafe(12) + no_visit).decode()
            pick = seal.seal({"p": person[0], "m": meeting_id, "t": int(time.time())}, secret_key=SECRET)
            ok = b.go("", "POST", "/door/sign-in/confirm", {
                "csrf_token": b.csrf, "pick": pick, "form_token": token},
                status=302, to="/door/support") is not None
            acks.record(f"round {meeting_id}", person[0], ok)
            acks.record("token", token, ok)
            with lock:
                done[0] += ok
                errors[0] += not ok

    elapsed = in_threads([(run, (b,)) for b in tablets])
    return {"per_second": done[0] / elapsed, "requests": done[0], "errors": errors[0],
            "repeats": max(0, done[0] + errors[0] - len(people))}


def insert_only(port: int, threads: int, seconds: float) -> dict:
    lock, done, errors, counter = threading.Lock(), [0], [0], iter(range(10**9))
    stop_at = time.time() + seconds

    def run():
        b = Browser(port)
        while time.time() < stop_at:
            with lock:
                i = next(counter)
            ok = b.go("", "POST", "/insert", {"name": f"n{i}"}) is not None
            with lock:
                done[0] += ok
                errors[0] += not ok

    elapsed = in_threads([(run, ()) for _ in range(threads)])
    return {"per_second": done[0] / elapsed, "requests": done[0], "errors": errors[0]}


def percentile(sorted_values: list[float], p: float) -> float:
    return sorted_values[max(0, math.ceil(p / 100 * len(sorted_values)) - 1)]


def print_table(stats: Stats, elapsed: float):
    print(f"  {'page':<30} {'count':>6} {'errors':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8}")
    total = 0
    for page in sorted(stats.times):
        values = sorted(stats.times[page])
        total += len(values)
        print(f"  {page:<30} {len(values):>6} {stats.errors[page]:>6} " + " ".join(
            f"{percentile(values, p) * 1000:8.1f}" for p in (50, 95, 99)))
    print(f"  all pages: {total} requests in {elapsed:.1f} s = {total / elapsed:.0f} req/s, "
          f"{sum(stats.errors.values())} errors")


# ---------------------------------------------------------------------------------------------- the check

def exactly_once(url: str, acks: Acks, ids: dict) -> list[str]:
    """Compare what was acknowledged with what the database holds. Returns the differences."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    with engine.connect() as conn:
        rows = lambda sql, **kw: conn.execute(text(sql), kw).all()  # noqa: E731
        held = {
            "registration": Counter(r[0] for r in rows("SELECT first_name FROM person WHERE last_name = :s",
                                                       s=NEW_SURNAME)),
            "support": Counter(r[0] for r in rows(
                "SELECT detail FROM access_need WHERE detail LIKE 'need-%' AND ended_at IS NULL")),
            "checklist": Counter(r[0] for r in rows(
                'SELECT "change" FROM checklist_response WHERE "change" LIKE \'chk-%\'')),
            "token": Counter(r[0] for r in rows("SELECT token FROM form_token")),
            "sign-in": Counter(r[0] for r in rows(
                "SELECT person_id FROM attendance WHERE meeting_id = :m AND status = 'attended'", m=ids["meeting"])),
        }
        for meeting_id in ids["rounds"]:
            held[f"round {meeting_id}"] = Counter(r[0] for r in rows(
                "SELECT person_id FROM attendance WHERE meeting_id = :m AND status = 'attended'", m=meeting_id))
        # Everyone registered at the door is signed in to the meeting as well.
        unsigned = rows("SELECT p.first_name FROM person p LEFT JOIN attendance a ON a.person_id = p.id "
                        "AND a.meeting_id = :m WHERE p.last_name = :s AND a.id IS NULL",
                        m=ids["meeting"], s=NEW_SURNAME)
    engine.dispose()
    problems = [f"registered but not signed in: {len(unsigned)}"] if unsigned else []
    for kind, counter in held.items():
        acknowledged = Counter(acks.done.get(kind, []))
        tried = set(acks.tried.get(kind, []))
        missing = [m for m in acknowledged if counter[m] == 0]
        # A person may be signed in again (a new token each time) in the ratio rounds; that is allowed.
        repeated_acks = [] if kind.startswith("round") else [m for m, c in acknowledged.items() if c > 1]
        twice = [m for m, c in counter.items() if c > 1]
        # Attendance also holds the people registered at the door; only markers are checked for strays.
        unasked = [] if kind == "sign-in" else [m for m in counter if m not in acknowledged and m not in tried]
        extra = [m for m in counter if m not in acknowledged and m in tried]
        for label, items in (("acknowledged but missing", missing), ("acknowledged twice", repeated_acks),
                             ("in the database more than once", twice), ("written but never sent", unasked)):
            if items:
                problems.append(f"{kind}: {len(items)} {label}, e.g. {items[:3]}")
        if extra:
            print(f"  note: {kind}: {len(extra)} unacknowledged (failed) submissions were written once")
    return problems


# ---------------------------------------------------------------------------------------------- one database

def run_database(kind: str, args) -> bool:
    print(f"\n== {kind}: {args.tablets} tablets, 2 organisers, 1 finance; gunicorn {args.workers} workers x "
          f"{args.threads} thread(s), production mode")
    ok = True
    with fresh_database(kind) as (url, baseline_url):
        env = {"DATABASE_URL": url, "BENCH_BASELINE_DB": baseline_url, "SECRET_KEY": SECRET,
               "HUB_ENV": "production", "PUBLIC_BASE_URL": "https://hub.example", "LOG_LEVEL": "WARNING",
               # All 50 tablets search from this one address, far more than a venue's would.
               "DOOR_SEARCHES_PER_ADDRESS": "1000000"}
        started = time.perf_counter()
        migrate(env)
        ids = seed(url, args.rounds)
        print(f"  set-up: migrated and seeded {PEOPLE:,} people (+{ROUND_PEOPLE:,} for the ratio rounds), "
              f"a return of {PAID_PEOPLE} lines "
              f"in {time.perf_counter() - started:.1f} s")
        acks = Acks()
        with served("bench.baseline_app:app", env, workers=args.workers, threads=args.threads) as base, \
                served("wsgi:app", env, workers=args.workers, threads=args.threads) as port:
            # Mixed phase.
            setup_stats = Stats()
            tablets = door_tablets(port, ids["meeting"], args.tablets)
            staff = [Browser(port, setup_stats) for _ in range(3)]
            if not all(b.sign_in_staff(email) for b, email in zip(staff, (ORGANISER, ORGANISER, FINANCE))):
                raise RuntimeError("staff could not sign in")
            stats = Stats()
            for b in [*tablets, *staff]:
                b.stats = stats
            share = len(ids["people"]) // args.tablets
            stop_at = time.time() + args.seconds
            targets = [(tablet, (b, acks, ids["people"][i * share:(i + 1) * share], ids["meeting"], stop_at,
                                 f"{kind}-t{i}")) for i, b in enumerate(tablets)]
            targets += [(organiser, (staff[0], ids["meeting"], stop_at)),
                        (organiser, (staff[1], ids["meeting"], stop_at)),
                        (finance, (staff[2], ids["return"], stop_at))]
            elapsed = in_threads(targets)
            print(f"  mixed phase ({args.seconds:.0f} s): "
                  + ", ".join(f"{len(acks.done[k])} {k}s" for k in ("sign-in", "registration", "support", "checklist")))
            print_table(stats, elapsed)
            ok &= sum(stats.errors.values()) == 0

            # Ratio phase: door sign-in confirm POSTs against the bare insert, alternately.
            round_tablets = [door_tablets(port, meeting_id, args.tablets) for meeting_id in ids["rounds"]]
            sign_ins, inserts = [], []
            for r, meeting_id in enumerate(ids["rounds"]):
                sign_ins.append(confirm_only(round_tablets[r], ids["visitors"], meeting_id, args.round_seconds, acks))
                inserts.append(insert_only(base, args.tablets, args.round_seconds))
            best_sign_in = max(sign_ins, key=lambda r: r["per_second"])
            best_insert = max(inserts, key=lambda r: r["per_second"])
            ratio = best_sign_in["per_second"] / best_insert["per_second"]
            errors = sum(r["errors"] for r in sign_ins + inserts)
            verdict = "PASS" if ratio >= TARGET else "BELOW TARGET"
            print(f"  door sign-in confirm POST: {best_sign_in['per_second']:.0f}/s; bare Flask+SQLAlchemy insert: "
                  f"{best_insert['per_second']:.0f}/s (best of {args.rounds} x {args.round_seconds:.0f} s each, "
                  f"{args.tablets} threads; rounds: "
                  + " ".join(f"{s['per_second']:.0f}/{i['per_second']:.0f}" for s, i in zip(sign_ins, inserts)) + ")")
            print(f"  ratio {ratio:.2f}x (target {TARGET}x): {verdict}; errors {errors}"
                  + (f"; {sum(r['repeats'] for r in sign_ins)} were repeat sign-ins of someone already in"
                     if any(r["repeats"] for r in sign_ins) else ""))
            ok &= ratio >= TARGET and errors == 0
        problems = exactly_once(url, acks, ids)
        if problems:
            print("  exactly once: FAILED")
            for line in problems:
                print(f"    {line}")
        else:
            checked = sum(len(v) for v in acks.done.values())
            print(f"  exactly once: OK ({checked} acknowledged submissions checked)")
        ok &= not problems
    return ok


def on_each_database(args, run_database) -> bool:
    """run_database(kind, args) for SQLite and PostgreSQL, as --db asks (PostgreSQL skipped if not running)."""
    ok = True
    if args.db in ("sqlite", "both"):
        ok &= run_database("sqlite", args)
    if args.db in ("postgresql", "both"):
        if pg_reachable():
            ok &= run_database("postgresql", args)
        else:
            print("\n== postgresql: skipped, no server at 127.0.0.1:5432")
    return ok


def run(argv: list[str] | None = None) -> bool:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20, help="length of the mixed phase, per database")
    parser.add_argument("--rounds", type=int, default=3, help="sign-in/insert rounds, alternating")
    parser.add_argument("--round-seconds", type=float, default=5, help="length of each round")
    parser.add_argument("--tablets", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers, for the app and the baseline")
    parser.add_argument("--threads", type=int, default=1, help="gunicorn threads a worker")
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args(argv)
    return on_each_database(args, run_database)


if __name__ == "__main__":
    sys.exit(0 if run() else 1)
