"""Messages to people (issue 16): what each says (compose.py, in the person's language and format), the
outbox (outbox.py queues), the sender (sender.py claims and sends) and the ways out (transports.py: SMTP,
GOV.UK Notify)."""
