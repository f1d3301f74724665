"""Messages to people: the outbox (outbox.py queues), the sender (sender.py claims and sends) and the ways
out (transports.py: SMTP, GOV.UK Notify). What a message says is made elsewhere and handed to queue()."""
