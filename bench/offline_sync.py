"""`python -m bench.offline_sync`: the door tablet's offline queue sent when the network comes back (issue 19),
while the server carries the 50-tablet meeting-day load of bench/load.py, on SQLite and PostgreSQL.

Set-up as bench/load.py (a fresh database, its seed, gunicorn in production mode next to the bare baseline), plus
people only this bench signs in. The 50 tablets of the mixed phase run the whole time. Meanwhile one more tablet,
in door mode, fetches its pack (POST /door/offline/pack) and sends a queue of 200 items (100 sign-ins, 50
suggestions, 50 checklists, interleaved) as door-offline.js does: in order, 50 to a POST /door/offline/sync, one
POST after another. Timed from the first POST to the last answer, for each of --rounds queues. Target (issue 19):
under 10 s. Beside it, in the same moment, 200 bare Flask + SQLAlchemy inserts POSTed one after another to the
baseline, and the ratio.

Exactly once, after the load stops: every queue is sent again (a retry after lost answers) and must get the same
answers, and the database must hold each sign-in, suggestion and checklist of every queue exactly once.
Exits non-zero on a missed target, an item not saved, or anything missing or duplicated.
"""
import argparse
import json
import sys
import threading
import time

from bench.harness import call_bytes, served
from bench.load import (
    SECRET,
    Acks,
    Browser,
    Stats,
    door_tablets,
    fresh_database,
    in_threads,
    migrate,
    on_each_database,
    seed,
    tablet,
)

ITEMS = 200
BATCH = 50        # the server's MAX_ITEMS, as door-offline.js sends
TARGET_SECONDS = 10.0
OFFLINE_PEOPLE = 400  # signed in only by this bench's queues (100 a round)
ANSWERS = {"achieved": "4", "outcomes": "", "feeling": "5", "inclusive": "4", "accessible": "3",
           "payment_clear": "yes", "change": "", "here_as": "carer"}


def seed_offline_people(url: str, meeting_id: int) -> None:
    """People who came last month (so the door may find them) and whom no load tablet signs in."""
    from sqlalchemy import select

    from survey_app import create_app
    from survey_app.models import (
        Attendance,
        AttendanceStatus,
        ContactMethod,
        InformationFormat,
        Meeting,
        Person,
        PersonRole,
    )
    from survey_app.web.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET, "LOG_LEVEL": "WARNING"})
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        past = db.session.scalars(select(Meeting).where(Meeting.group_id == meeting.group_id,
                                                        Meeting.id != meeting_id)
                                  .order_by(Meeting.starts_at)).first()
        for i in range(OFFLINE_PEOPLE):
            p = Person(first_name=f"Offline{i:04d}", last_name="Queue", contact_method=ContactMethod.EMAIL,
                       information_format=InformationFormat.STANDARD, role=PersonRole.LIVED_EXPERIENCE)
            p.refresh_search_name()
            db.session.add(p)
            db.session.add(Attendance(meeting=past, person=p, status=AttendanceStatus.ATTENDED,
                                      signed_in_at=past.starts_at))
        db.session.commit()
        db.engine.dispose()


def fetch_pack(b: Browser) -> tuple[dict, float]:
    started = time.perf_counter()
    status, headers, body = call_bytes(b.port, "POST", "/door/offline/pack", cookie=b.cookie(),
                                       headers={"X-CSRFToken": b.csrf})
    if status != 200:
        raise RuntimeError(f"pack: {status} {body[:200]!r}")
    return json.loads(body), time.perf_counter() - started


def queue_for(pack: dict, round_no: int) -> list[dict]:
    """200 items in the order a door queue makes them: a sign-in, then a suggestion or a checklist."""
    refs = {p["name"]: p["ref"] for p in pack["people"]}
    tokens = iter(pack["tokens"])
    items = []
    for n in range(ITEMS // 2):
        name = f"Offline{round_no * 100 + n:04d} Q."
        items.append({"kind": "sign_in", "person": {"ref": refs[name]}, "data": {}})
        if n % 2 == 0:
            items.append({"kind": "suggest", "data": {"what": f"Offline idea {round_no}-{n}", "why": "", "name": ""}})
        else:
            items.append({"kind": "checklist", "data": {**ANSWERS, "outcomes": f"offline {round_no}-{n}"}})
    return [{**one, "token": next(tokens), "position": i} for i, one in enumerate(items)]


def send(b: Browser, pack: dict, items: list[dict]) -> list[dict]:
    results = []
    for start in range(0, len(items), BATCH):
        status, _, body = call_bytes(b.port, "POST", "/door/offline/sync", cookie=b.cookie(),
                                     json_body={"items": items[start:start + BATCH]},
                                     headers={"X-CSRFToken": pack["csrf"]}, timeout=60)
        if status != 200:
            raise RuntimeError(f"sync: {status} {body[:200]!r}")
        results += json.loads(body)["results"]
    return results


def bare_inserts(port: int, count: int) -> float:
    b = Browser(port)
    started = time.perf_counter()
    for i in range(count):
        if b.go("", "POST", "/insert", {"name": f"offline-bench-{i}-{time.time_ns()}"}) is None:
            raise RuntimeError("baseline insert failed")
    return time.perf_counter() - started


def counted(url: str, meeting_id: int, rounds: int) -> list[str]:
    """What the database holds of the queues: each exactly once."""
    from sqlalchemy import func, select

    from survey_app import create_app
    from survey_app.models import Attendance, ChecklistResponse, Person, Suggestion
    from survey_app.web.extensions import db

    problems = []
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": SECRET, "LOG_LEVEL": "WARNING"})
    with app.app_context():
        signed = dict(db.session.execute(
            select(Person.first_name, func.count(Attendance.id)).join(Attendance, Attendance.person_id == Person.id)
            .where(Attendance.meeting_id == meeting_id, Person.last_name == "Queue")
            .group_by(Person.first_name)).all())
        ideas = dict(db.session.execute(select(Suggestion.what, func.count()).where(
            Suggestion.what.like("Offline idea %")).group_by(Suggestion.what)).all())
        checklists = dict(db.session.execute(select(ChecklistResponse.outcomes, func.count()).where(
            ChecklistResponse.outcomes.like("offline %")).group_by(ChecklistResponse.outcomes)).all())
        db.engine.dispose()
    for r in range(rounds):
        for n in range(ITEMS // 2):
            name = f"Offline{r * 100 + n:04d}"
            if signed.get(name) != 1:
                problems.append(f"sign-in of {name}: {signed.get(name, 0)} times")
            key, found = ((f"Offline idea {r}-{n}", ideas) if n % 2 == 0 else (f"offline {r}-{n}", checklists))
            if found.get(key) != 1:
                problems.append(f"{key!r}: {found.get(key, 0)} times")
    return problems


def run_database(kind: str, args) -> bool:
    print(f"\n== {kind}: {args.rounds} queues of {ITEMS} items sent while {args.tablets} tablets carry the "
          f"meeting-day load; gunicorn {args.workers} workers, production mode")
    ok = True
    with fresh_database(kind) as (url, baseline_url):
        env = {"DATABASE_URL": url, "BENCH_BASELINE_DB": baseline_url, "SECRET_KEY": SECRET,
               "HUB_ENV": "production", "PUBLIC_BASE_URL": "https://hub.example", "LOG_LEVEL": "WARNING",
               "DOOR_SEARCHES_PER_ADDRESS": "1000000"}
        migrate(env)
        ids = seed(url, 0)
        seed_offline_people(url, ids["meeting"])
        with served("bench.baseline_app:app", env, workers=args.workers) as base, \
                served("wsgi:app", env, workers=args.workers) as port:
            tablets = door_tablets(port, ids["meeting"], args.tablets + 1)
            offline_tablet, tablets = tablets[0], tablets[1:]
            stats, acks, stop = Stats(), Acks(), threading.Event()
            for b in tablets:
                b.stats = stats
            share = len(ids["people"]) // args.tablets
            load = threading.Thread(target=in_threads, args=([
                (tablet, (b, acks, ids["people"][i * share:(i + 1) * share], ids["meeting"], stop, f"{kind}-t{i}"))
                for i, b in enumerate(tablets)],))
            load.daemon = True
            load.start()
            time.sleep(args.warm_up)
            queues, timings = [], []
            try:
                for r in range(args.rounds):
                    pack, pack_seconds = fetch_pack(offline_tablet)
                    items = queue_for(pack, r)
                    started = time.perf_counter()
                    results = send(offline_tablet, pack, items)
                    sync_seconds = time.perf_counter() - started
                    base_seconds = bare_inserts(base, ITEMS)
                    saved = sum(res["outcome"] == "saved" for res in results)
                    timings.append((sync_seconds, base_seconds, pack_seconds, saved))
                    queues.append((pack, items, results))
            finally:
                served_requests = sum(len(v) for v in stats.times.values())
                stop.set()
                load.join(timeout=120)
            for r, (sync_seconds, base_seconds, pack_seconds, saved) in enumerate(timings):
                good = sync_seconds < TARGET_SECONDS and saved == ITEMS
                print(f"  queue {r + 1}: {ITEMS} items synced in {sync_seconds:.2f} s (target {TARGET_SECONDS:.0f} s; "
                      f"{saved} saved); {ITEMS} bare inserts one after another {base_seconds:.2f} s, ratio "
                      f"{sync_seconds / base_seconds:.1f}x; pack ({len(queues[r][0]['people'])} names, "
                      f"{len(queues[r][0]['tokens'])} tokens) {pack_seconds * 1000:.0f} ms: "
                      f"{'PASS' if good else 'FAILED'}")
                ok &= good
            errors = sum(stats.errors.values())
            print(f"  load alongside: {served_requests} tablet requests, {errors} errors"
                  + "".join(f"; {page}: {n}" for page, n in stats.errors.items() if n))
            ok &= errors == 0
            again = [send(offline_tablet, pack, items) == results for pack, items, results in queues]
            print(f"  sent again: {'same answers' if all(again) else 'DIFFERENT answers'}")
            ok &= all(again)
        problems = counted(url, ids["meeting"], len(queues))
        print(f"  exactly once: {'OK' if not problems else 'FAILED'} ({len(queues) * ITEMS} items checked)")
        for line in problems[:20]:
            print(f"    {line}")
        ok &= not problems
    return ok


def run(argv: list[str] | None = None) -> bool:
    parser = argparse.ArgumentParser(prog="python -m bench.offline_sync", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="queues of 200 items, one after another")
    parser.add_argument("--warm-up", type=float, default=5, help="seconds of load before the first queue")
    parser.add_argument("--tablets", type=int, default=50)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers, for the app and the baseline")
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args(argv)
    return on_each_database(args, run_database)


if __name__ == "__main__":
    sys.exit(0 if run() else 1)
