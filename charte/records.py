"""A published version as a record the legal team can keep or show: a self-contained HTML file
(styles inlined, no script, no external asset), the same as PDF, or the version's JSON
content (what its SHA-256 covers). Each states the version number, dates and digest."""

from .pages import record_html

RECORD_FORMATS = {
    "html": ("text/html; charset=utf-8", "html"),
    "pdf": ("application/pdf", "pdf"),
    "json": ("application/json", "json"),
}


def record_bytes(version, fmt, lang="fr"):
    """The record of ``version`` in ``fmt`` ("html", "pdf" or "json"); HTML and PDF in ``lang``.
    Needs a request context (the pages' links are made with ``url_for``)."""
    if fmt == "json":
        return version.content.encode("utf-8")
    html = record_html(version, lang)
    if fmt == "html":
        return html.encode("utf-8")
    # Imported here: WeasyPrint loads Pango when imported, which only records need.
    from weasyprint import HTML

    return HTML(string=html).write_pdf()


def record_filename(version, fmt, lang="fr"):
    suffix = "" if fmt == "json" else f"-{lang}"
    return f"cookie-policy-v{version.number}{suffix}.{RECORD_FORMATS[fmt][1]}"
