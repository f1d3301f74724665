"""The ways a message leaves the hub: an SMTP server (email), or GOV.UK Notify (email, text message and
letter) when NOTIFY_API_KEY is set.

A transport is used for one batch: `with transport: transport.send(message)` for each message. send()
returns the provider's reference for the message, or raises TemporaryFailure (try again later: the server
is busy or down, a 4xx SMTP reply, HTTP 429 or 5xx) or PermanentFailure (it will never go: a 5xx SMTP reply,
HTTP 400 or 403). A failure's reason never holds the message's content."""
import smtplib
import ssl
from email import policy
from email.headerregistry import HeaderRegistry
from email.message import EmailMessage
from email.utils import make_msgid

from ..models import Message, MessageChannel

NOTIFY_BASE_URL = "https://api.notifications.service.gov.uk"


class _KeptHeaderClasses(HeaderRegistry):
    """The standard header registry, keeping the class it makes for each header name: the standard one makes
    a new class every time a header is set or counted, which is a large part of the cost of building an
    email. The classes (and so the headers) are the same."""

    def __init__(self):
        super().__init__()
        self._made = {}

    def __getitem__(self, name):
        key = name.lower()
        made = self._made.get(key)
        if made is None:
            made = self._made[key] = super().__getitem__(name)
        return made


EMAIL_POLICY = policy.default.clone(header_factory=_KeptHeaderClasses())


class TemporaryFailure(Exception):
    """Try again later; str() is the reason."""


class PermanentFailure(Exception):
    """It will never go; str() is the reason."""


class Transport:
    channels: frozenset = frozenset()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        pass

    def send(self, message: Message) -> str:
        raise NotImplementedError


def _reason(code: int, text) -> str:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    return f"The mail server answered {code}: {' '.join(str(text).split())}"[:500]


class SMTPTransport(Transport):
    """Email through an SMTP server; one connection for the whole batch, opened on the first message."""

    channels = frozenset({MessageChannel.EMAIL})

    def __init__(self, host: str, port: int = 25, tls: str = "none", user: str = "", password: str = "",
                 sender: str = "", timeout: float = 30):
        if tls not in ("none", "starttls", "ssl"):
            raise ValueError(f"MAIL_TLS must be none, starttls or ssl, not {tls!r}")
        self.host, self.port, self.tls, self.user, self.password = host, port, tls, user, password
        self.sender, self.timeout = sender, timeout
        # The From header parsed once (parsing headers is most of the cost of building an email).
        self._from = EMAIL_POLICY.header_factory("From", sender)
        self._domain = sender.rpartition("@")[2] or None
        self.conn: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        if self.conn is not None:
            return self.conn
        try:
            if self.tls == "ssl":
                conn = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout,
                                        context=ssl.create_default_context())
            else:
                conn = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
                if self.tls == "starttls":
                    conn.starttls(context=ssl.create_default_context())
            if self.user:
                conn.login(self.user, self.password)
        except smtplib.SMTPAuthenticationError as e:
            raise TemporaryFailure(_reason(e.smtp_code, e.smtp_error)) from None
        except (OSError, smtplib.SMTPException) as e:
            raise TemporaryFailure(f"Could not reach the mail server {self.host}:{self.port}: "
                                   f"{type(e).__name__}") from None
        self.conn = conn
        return conn

    def close(self) -> None:
        if self.conn is not None:
            try:
                self.conn.quit()
            except (OSError, smtplib.SMTPException):
                self.conn.close()
            self.conn = None

    def _drop(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def email_for(self, message: Message) -> EmailMessage:
        email = EmailMessage(policy=EMAIL_POLICY)
        email["From"] = self._from
        email["To"] = message.to
        email["Subject"] = message.subject
        email["Message-ID"] = make_msgid(domain=self._domain)
        email["Content-Language"] = message.language
        email.set_content(message.body)
        if message.html:
            email.add_alternative(message.html, subtype="html")
        if message.ics:
            email.add_attachment(message.ics.encode("utf-8"), maintype="text", subtype="calendar",
                                 filename="meeting.ics", params={"method": "PUBLISH"})
        return email

    def send(self, message: Message) -> str:
        if message.channel not in self.channels:
            raise PermanentFailure(f"No way to send a {message.channel.value} message: "
                                   "set NOTIFY_API_KEY to send text messages and letters.")
        email = self.email_for(message)
        conn = self._connect()
        try:
            conn.send_message(email)
        except smtplib.SMTPRecipientsRefused as e:
            code, text = next(iter(e.recipients.values()))
            self._reset()
            raise (TemporaryFailure if 400 <= code < 500 else PermanentFailure)(_reason(code, text)) from None
        except smtplib.SMTPResponseException as e:
            self._reset()
            raise (TemporaryFailure if 400 <= e.smtp_code < 500 else PermanentFailure)(
                _reason(e.smtp_code, e.smtp_error)) from None
        except (OSError, smtplib.SMTPException) as e:
            self._drop()  # the connection is gone: the next message opens a new one
            raise TemporaryFailure(f"The mail server connection failed: {type(e).__name__}") from None
        return email["Message-ID"].strip("<>")[:100]

    def _reset(self) -> None:
        try:
            self.conn.rset()
        except (OSError, smtplib.SMTPException):
            self._drop()


class NotifyTransport(Transport):
    """GOV.UK Notify through its official client. Each channel has one template whose personalisation is
    ((subject)) and ((body)); a letter's `to` is the postal address, one line each, postcode last."""

    channels = frozenset({MessageChannel.EMAIL, MessageChannel.TEXT, MessageChannel.LETTER})

    def __init__(self, api_key: str, templates: dict, base_url: str = NOTIFY_BASE_URL, timeout: float = 30):
        from notifications_python_client import NotificationsAPIClient

        self.client = NotificationsAPIClient(api_key, base_url=base_url or NOTIFY_BASE_URL, timeout=timeout)
        self.templates = templates

    def send(self, message: Message) -> str:
        from notifications_python_client.errors import APIError

        template = self.templates.get(message.channel)
        if not template:
            raise PermanentFailure(f"No Notify template is set for {message.channel.value} messages.")
        personalisation = {"subject": message.subject, "body": message.body}
        reference = f"hub-message-{message.id}"
        try:
            if message.channel is MessageChannel.EMAIL:
                answer = self.client.send_email_notification(message.to, template, personalisation, reference)
            elif message.channel is MessageChannel.TEXT:
                answer = self.client.send_sms_notification(message.to, template, personalisation, reference)
            else:
                lines = [line.strip() for line in message.to.splitlines() if line.strip()]
                if len(lines) < 3 or len(lines) > 7:
                    raise PermanentFailure("A letter needs an address of 3 to 7 lines, with the postcode last.")
                address = {f"address_line_{i}": line for i, line in enumerate(lines, start=1)}
                answer = self.client.send_letter_notification(template, personalisation | address, reference)
        except APIError as e:
            status = e.status_code
            reason = f"Notify answered {status}: {_notify_message(e)}"[:500]
            raise (TemporaryFailure if status == 429 or status >= 500 else PermanentFailure)(reason) from None
        return str(answer.get("id", ""))[:100]


def _notify_message(error) -> str:
    try:
        found = error.message
    except Exception:  # noqa: BLE001 (a body that is not Notify's JSON)
        return "no reason given"
    if isinstance(found, list):
        return "; ".join(str(item.get("message", item)) if isinstance(item, dict) else str(item) for item in found)
    return " ".join(str(found).split())


def transport_from(config) -> Transport:
    """GOV.UK Notify when NOTIFY_API_KEY is set, else the SMTP server in the MAIL_ settings."""
    if config.get("NOTIFY_API_KEY"):
        return NotifyTransport(config["NOTIFY_API_KEY"], {
            MessageChannel.EMAIL: config.get("NOTIFY_EMAIL_TEMPLATE", ""),
            MessageChannel.TEXT: config.get("NOTIFY_TEXT_TEMPLATE", ""),
            MessageChannel.LETTER: config.get("NOTIFY_LETTER_TEMPLATE", ""),
        }, base_url=config.get("NOTIFY_BASE_URL") or NOTIFY_BASE_URL)
    return SMTPTransport(config.get("MAIL_HOST", "localhost"), int(config.get("MAIL_PORT", 25)),
                         config.get("MAIL_TLS", "none"), config.get("MAIL_USER", ""),
                         config.get("MAIL_PASSWORD", ""), config.get("MAIL_SENDER", ""))
