"""Spreadsheet builders: pure functions from rows to an .xlsx stream. No Flask, no database here."""
