"""`flask --app survey_app messages send [--forever] [--interval 30]`: queue the reminders and "You said, we
did" messages that are due (survey_app/messages/schedule.py), then send the queued messages
(survey_app/messages/sender.py). `flask --app survey_app messages queue-due` only queues."""
import signal
import time

import click
from flask.cli import AppGroup

from ..messages import schedule, sender

messages_cli = AppGroup("messages", help="Sending the messages in the outbox.")


@messages_cli.command("send")
@click.option("--forever", is_flag=True, help="Keep running: look for due messages every --interval seconds.")
@click.option("--interval", default=30, show_default=True, type=click.IntRange(min=1),
              help="Seconds between looks when running --forever.")
def send(forever, interval):
    """Queue what is due, send every due message once and print what happened (for cron), or keep doing so
    (--forever; SIGTERM or Ctrl-C stops it after the message being sent)."""
    stopping = [False]

    def stop(_signum=None, _frame=None):
        stopping[0] = True

    if forever:
        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
    worker_id = sender.worker_name()
    while True:
        queued = schedule.queue_due()
        if queued.reminders + queued.action_updates:  # said only when something was
            click.echo(queued.sentence())
        tally = sender.send_due(worker_id=worker_id, stop=lambda: stopping[0])
        if not forever or tally.sent + tally.failed + tally.retry:
            click.echo(tally.sentence())
        if not forever:
            return
        waited = 0.0
        while not stopping[0] and waited < interval:
            time.sleep(0.2)
            waited += 0.2
        if stopping[0]:
            return


@messages_cli.command("queue-due")
def queue_due():
    """Queue the reminders and "You said, we did" messages that are due, without sending, and say how many."""
    click.echo(schedule.queue_due().sentence())
