"""`make bench`: the app's throughput as a ratio to bare baselines served the same way in the same run.

Targets (docs/DESIGN.md): a participant page GET at least 0.3x a bare Flask "hello"; the door sign-in POST
at least 0.7x a bare Flask + SQLAlchemy insert. Exits non-zero when a target is missed.
"""
import os
import secrets
import subprocess
import sys
import tempfile
import time

from bench.harness import ROOT, call, cookies_from, field, served, throughput

SECRET = "bench-secret-key-0123456789abcdef0123456789"
PASSWORD = "bench password 123"
PEOPLE = 3000


def prepare(env: dict) -> int:
    """Migrate an empty database and add an organiser, a meeting with its purpose and agenda, and people to
    sign in."""
    script = f"""
from datetime import timedelta
from survey_app import create_app
from survey_app.access.accounts import create_user
from survey_app.web.extensions import db
from survey_app.models import *
from survey_app.models.base import utcnow
app = create_app()
with app.app_context():
    create_user("bench@halton.example", "Bench", Role.ORGANISER, {PASSWORD!r})
    m = Meeting(group=Group(name="Bench group"), title="Bench meeting", starts_at=utcnow(),
                ends_at=utcnow() + timedelta(hours=2), mode=MeetingMode.IN_PERSON, venue_name="Hall")
    m.purpose = "Plan the next year together: what we talk about, where we meet, and how people take part."
    db.session.add(m)
    db.session.flush()
    for position in range(1, 7):  # a full agenda, as the welcome page shows it (issue 15)
        db.session.add(AgendaItem(meeting_id=m.id, position=position, what=f"Agenda item {{position}}: buses, "
                                  "leaflets, the next meeting's dates and what we heard from the last one",
                                  asked_by=AgendaSource.DOOR))
    for i in range({PEOPLE}):
        p = Person(first_name=f"Bench{{i:05d}}", last_name="Person", contact_method=ContactMethod.EMAIL,
                   information_format=InformationFormat.STANDARD, role=PersonRole.OTHER)
        p.refresh_search_name()
        db.session.add(p)
    db.session.commit()
    print(m.id)
"""
    run_env = {**os.environ, **env}
    subprocess.run([sys.executable, "-m", "flask", "--app", "survey_app", "db", "upgrade"], cwd=ROOT,
                   env=run_env, check=True, capture_output=True)
    out = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=run_env, check=True, capture_output=True)
    return int(out.stdout.decode().strip().splitlines()[-1])


def door_cookie(port: int, meeting_id: int) -> str:
    jar: dict = {}
    _, headers, page = call(port, "GET", "/login")
    cookies_from(headers, jar)
    ck = lambda: "; ".join(f"{k}={v}" for k, v in jar.items())  # noqa: E731
    _, headers, _ = call(port, "POST", "/login", {"csrf_token": field(page, "csrf_token"),
                                                  "email": "bench@halton.example", "password": PASSWORD}, ck())
    cookies_from(headers, jar)
    _, headers, page = call(port, "GET", f"/meetings/{meeting_id}", cookie=ck())
    cookies_from(headers, jar)
    _, headers, _ = call(port, "POST", f"/meetings/{meeting_id}/door-mode",
                         {"csrf_token": field(page, "csrf_token")}, ck())
    cookies_from(headers, jar)
    _, headers, page = call(port, "GET", "/door/sign-in", cookie=ck())  # gives the session its CSRF secret
    cookies_from(headers, jar)
    return ck(), field(page, "csrf_token")


def report(name, got, base, target=None):
    ratio = got["per_second"] / base["per_second"]
    verdict = "" if target is None else ("  ok" if ratio >= target else f"  BELOW the {target}x target")
    print(f"{name:<34} {got['per_second']:8.0f} req/s  {ratio:5.2f}x  errors={got['errors']}{verdict}")
    return target is None or (ratio >= target and got["errors"] == 0)


ROUNDS = 3  # each side measured this many times, alternately; the best of each is compared


def best(*runs) -> dict:
    return max(runs, key=lambda r: r["per_second"])


def main() -> int:
    from forms.tokens import form_token_signer, visit_tag
    from survey_app.participation import seal

    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        env = {"DATABASE_URL": f"sqlite:///{tmp}/bench.sqlite3", "SECRET_KEY": SECRET,
               "BENCH_BASELINE_DB": f"sqlite:///{tmp}/baseline.sqlite3", "LOG_LEVEL": "WARNING"}
        meeting_id = prepare(env)
        # Both servers run at once and are measured in turns, so a noisy moment on the machine hits
        # both sides rather than one.
        with served("bench.baseline_app:app", env) as base, served("wsgi:app", env) as app_port:
            cookie, csrf = door_cookie(app_port, meeting_id)
            tokens = form_token_signer(SECRET)  # one-time tokens as the confirm page would have issued them
            pages = (("/door/", "door welcome page GET", cookie, 0.3),
                     ("/door/sign-in", "door sign-in page GET", cookie, 0.3),
                     ("/door/new/name", "door registration page GET", cookie, 0.3),
                     ("/login", "staff sign-in page GET", "", None))
            throughput(base, "/hello", requests=300)
            throughput(app_port, "/door/", requests=300, cookie=cookie)
            hello, results = [], {path: [] for path, *_ in pages}
            inserts, sign_ins, next_person = [], [], [0]

            def sign_in_body(_i):
                next_person[0] += 1
                pick = seal.seal({"p": next_person[0], "m": meeting_id, "t": int(time.time())}, secret_key=SECRET)
                return {"csrf_token": csrf, "pick": pick,
                        # the bench's cookie never starts a visit: its tokens are for "no visit"
                        "form_token": tokens.sign(secrets.token_urlsafe(12) + visit_tag(None)).decode()}

            for _ in range(ROUNDS):
                hello.append(throughput(base, "/hello", requests=1000))
                for path, _name, page_cookie, _target in pages:
                    results[path].append(throughput(app_port, path, requests=1000, cookie=page_cookie))
                inserts.append(throughput(base, "/insert", method="POST", requests=PEOPLE // ROUNDS,
                                          data=lambda i: {"name": f"n{i}"}))
                sign_ins.append(throughput(app_port, "/door/sign-in/confirm", method="POST", cookie=cookie, ok=(302,),
                                           requests=PEOPLE // ROUNDS, data=sign_in_body))
            hello_best, insert_best = best(*hello), best(*inserts)
            print(f"{'baseline: bare Flask hello':<34} {hello_best['per_second']:8.0f} req/s (best of {ROUNDS})")
            print(f"{'baseline: bare Flask+SQLAlchemy insert':<34} {insert_best['per_second']:8.0f} req/s")
            for path, name, _cookie, target in pages:
                ok &= report(name, best(*results[path]), hello_best, target)
            ok &= report("door sign-in POST (vs insert)", best(*sign_ins), insert_best, 0.7)
    from bench.export import run as export_bench

    ok &= export_bench()
    from bench.import_file import run as import_file_bench

    ok &= import_file_bench()
    from bench.dashboard import run as dashboard_bench

    ok &= dashboard_bench()
    from bench.load import run as load_bench

    ok &= load_bench([])
    from bench.offline_sync import run as offline_sync_bench

    ok &= offline_sync_bench([])
    from bench.door_offline_page import run as door_offline_page_bench

    ok &= door_offline_page_bench([])
    from bench.login_flood import run as login_flood_bench

    ok &= login_flood_bench([])
    from bench.messages import run as messages_bench

    ok &= messages_bench()
    from bench.charter_report import run as charter_report_bench

    ok &= charter_report_bench()

    from bench.charter_report_pdf import run as charter_report_pdf_bench

    ok &= charter_report_pdf_bench()
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
