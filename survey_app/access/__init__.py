"""Who may reach what, and how often: staff accounts and sessions, role markers, sign-in throttling,
rate limits for public links, and the cap on simultaneous password checks."""
