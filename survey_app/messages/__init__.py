"""Messages to participants (issue 16): what each says (compose), and the outbox that sends them."""
