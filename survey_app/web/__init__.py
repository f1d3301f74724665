"""Plumbing every blueprint uses: configuration, the database and extensions, error pages, headers,
languages, formatting, downloads and charts. No business rules, no models (see tests/test_layout.py)."""
