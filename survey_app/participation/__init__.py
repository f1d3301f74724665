"""Taking part: signing in and registering, one-time form tokens, the door tablet's lock and meeting
cache, the support and suggestion pages the door and personal links share, invitations, and merging
two records of one person."""
