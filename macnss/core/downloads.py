"""How every private file leaves the portal (claim documents, receipts, demo attachments)."""

from django.http import FileResponse, Http404


def attachment_response(field_file, *, filename: str, content_type: str) -> FileResponse:
    """Always a download, never rendered by the browser, never kept by a shared cache."""
    try:
        handle = field_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
