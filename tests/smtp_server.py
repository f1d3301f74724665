"""A real SMTP server on loopback (aiosmtpd) that keeps what it is sent, for the message tests and the bench.

    with smtp_server() as smtp:        # smtp.port; smtp.messages: email.message.EmailMessage, in order
        smtp.answer = "451 Try later"  # the next DATA commands get this reply instead of 250 (None: accept)
"""
import email
import email.policy
import socket
import threading
from contextlib import contextmanager

from aiosmtpd.controller import Controller


class KeepingHandler:
    def __init__(self, keep: bool = True):
        self.messages = []
        self.envelopes = []
        self.answer: str | None = None
        self.keep = keep
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        if self.answer:
            return self.answer
        with self.lock:
            self.count += 1
            if self.keep:
                self.envelopes.append(envelope)
                self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 Message accepted"


@contextmanager
def smtp_server(keep: bool = True):
    handler = KeepingHandler(keep)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        handler.port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=handler.port)
    controller.start()
    try:
        yield handler
    finally:
        controller.stop()
