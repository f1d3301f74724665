"""Personal data kept safe and accountable: the audit trail and its search, audited changes,
erasure, retention, subject access and backups."""
