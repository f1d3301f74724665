"""The outbox sender: 10,000 queued emails sent to a local SMTP server (aiosmtpd on loopback, in its own
process) by the app's sender (claim, send, mark sent: one commit a message) and by a bare smtplib loop
(one connection, the same emails built and sent, nothing recorded) in the same run. Target: the app at
least 0.8x the bare loop's rate. Memory (tracemalloc, a second pass) must stay flat: the peak over all
10,000 no more than 1.5x the peak over the first 2,000."""
import smtplib
import socket
import subprocess
import sys
import tempfile
import time
import tracemalloc
from contextlib import contextmanager
from email.message import EmailMessage
from types import SimpleNamespace

from sqlalchemy import insert

MESSAGES = 10_000
TARGET = 0.8
SENDER = "bench@halton.example"


def seed(db, models, now, count):
    db.session.execute(insert(models.Message), [
        {"kind": "one_off", "channel": "email", "to": f"p{i}@example.org", "language": "en", "format": "standard",
         "subject": f"Meeting {i}: what happens next", "body": "Come to the meeting on Tuesday at 10.\n" * 20,
         "html": "", "ics": "", "status": "queued", "attempts": 0, "next_attempt_at": now, "claimed_by": "",
         "failure": "", "provider_ref": "", "dedupe_key": f"bench:{now.timestamp()}:{i}", "created_at": now}
        for i in range(count)])
    db.session.commit()


def bare_loop(port, count) -> float:
    started = time.perf_counter()
    conn = smtplib.SMTP("127.0.0.1", port)
    for i in range(count):
        email = EmailMessage()
        email["From"], email["To"] = SENDER, f"p{i}@example.org"
        email["Subject"] = f"Meeting {i}: what happens next"
        email.set_content("Come to the meeting on Tuesday at 10.\n" * 20)
        conn.send_message(email)
    conn.quit()
    return count / (time.perf_counter() - started)


@contextmanager
def sink_server():
    """aiosmtpd in its own process, as a real mail server would be (in a thread of this process it would
    share the interpreter lock with the sender it measures); it accepts every message and keeps none."""
    from bench.harness import free_port

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
                             "-c", "aiosmtpd.handlers.Sink"])
    try:
        deadline = time.time() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.time() > deadline:
                    raise RuntimeError("the SMTP sink did not start") from None
                time.sleep(0.1)
        yield SimpleNamespace(port=port)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def run() -> bool:
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent))
    from survey_app import create_app, models
    from survey_app.messages import sender
    from survey_app.messages.transports import SMTPTransport
    from survey_app.models.base import utcnow
    from survey_app.web.extensions import db
    with tempfile.TemporaryDirectory() as tmp, sink_server() as server:
        app = create_app({"SECRET_KEY": "b" * 40, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/messages.sqlite3",
                          "LOG_LEVEL": "WARNING"})
        with app.app_context():
            db.create_all()
            seed(db, models, utcnow(), MESSAGES)
            bare_loop(server.port, 200)  # warm up both sides
            started = time.perf_counter()
            tally = sender.send_due(SMTPTransport("127.0.0.1", server.port, sender=SENDER), worker_id="bench")
            app_rate = tally.sent / (time.perf_counter() - started)
            bare_rate = bare_loop(server.port, MESSAGES)
            assert tally.sent == MESSAGES, tally

            seed(db, models, utcnow(), MESSAGES)
            sent, early = [0], [0]

            def sample():
                sent[0] += 1
                if sent[0] == 2_000:
                    early[0] = tracemalloc.get_traced_memory()[1]
                return False

            tracemalloc.start()
            sender.send_due(SMTPTransport("127.0.0.1", server.port, sender=SENDER), worker_id="bench", stop=sample)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
    ratio = app_rate / bare_rate
    flat = peak <= 1.5 * early[0]
    print(f"{'messages: bare smtplib loop':<34} {bare_rate:8.0f} msg/s")
    print(f"{'messages: app sender':<34} {app_rate:8.0f} msg/s  {ratio:5.2f}x"
          + ("  ok" if ratio >= TARGET else f"  BELOW the {TARGET}x target"))
    print(f"{'messages: peak memory':<34} {early[0] / 1e6:6.1f} MB after 2,000, {peak / 1e6:6.1f} MB after "
          f"{MESSAGES:,}" + ("  flat" if flat else "  GROWING"))
    return ratio >= TARGET and flat


if __name__ == "__main__":
    sys.exit(0 if run() else 1)
