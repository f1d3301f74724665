"""Spreadsheet builders: pure functions from rows to an .xlsx stream. No Flask request, no database here.

One rule for every export, so each has exactly one place that makes its rows:

1. Rows: one function named `<export>_rows` in a rule package turns domain data into the plain records
   that exports/<export>.py declares (dataclasses, no models, words already in the chosen language):
   `insight.results_rows.results_rows`, `money.return_data.return_rows`, `insight.support_plan.support_rows`,
   `privacy.subject_access.subject_access_rows`.
2. Sheets: exports/<export>.py lays those records out (`*_sheets`: columns, headings, totals, notes), and
   exports/workbook.py writes the sheets as a workbook (`write_workbook`; a finance return, `write_return`).
3. A view or CLI command only calls the two (and records who downloaded what) and streams the result
   (survey_app/web/downloads.py).
"""
