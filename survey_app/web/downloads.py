"""Send an export to the browser: streamed, as an attachment, with a dated name the server chooses."""
import tempfile
from collections.abc import Callable
from datetime import datetime
from typing import IO

from flask import Response, stream_with_context
from flask_babel import force_locale

from exports.workbook import LONDON, Sheet, write_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv"  # Werkzeug adds "; charset=utf-8"
PDF = "application/pdf"
EXTENSIONS = {"xlsx": XLSX, "csv": CSV, "pdf": PDF}
CHUNK = 64 * 1024


def xlsx_response(sheets: list[Sheet], stem: str) -> Response:
    """`stem` is a fixed, server-side word such as "support-list"; never text from a person."""
    return xlsx_stream(lambda out: write_workbook(sheets, out), stem)


def xlsx_stream(write: Callable[[IO[bytes]], None], stem: str) -> Response:
    """Run `write` into a spooled file (memory up to 8 MB, then disk) and stream it back."""
    return file_stream(write, stem, "xlsx")


def file_stream(write: Callable[[IO[bytes]], None], stem: str, extension: str) -> Response:
    """`xlsx_stream` for any of EXTENSIONS (an .xlsx, a .csv such as finance's import file, or a .pdf)."""
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 (closed by the response when the stream ends)
    with force_locale("en_GB"):  # exports stay in English for finance; people's own words stay as typed
        write(spool)
    size = spool.tell()
    spool.seek(0)

    def chunks():
        with spool:
            while block := spool.read(CHUNK):
                yield block

    filename = f"{stem}-{datetime.now(LONDON):%Y-%m-%d}.{extension}"
    response = Response(stream_with_context(chunks()), mimetype=EXTENSIONS[extension])
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Content-Length"] = str(size)
    response.headers["Cache-Control"] = "no-store"
    return response
