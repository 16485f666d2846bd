"""Operations that answer a document (a PDF, an uploaded file) accept `Accept` headers
asking for it, and still answer their errors in the one JSON shape."""
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response


class PdfRenderer(BaseRenderer):
    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class OctetStreamRenderer(PdfRenderer):
    media_type = "application/octet-stream"
    format = "bin"


class DocumentDownloadMixin:
    """For an APIView whose success is a file response: negotiation accepts the document's
    type, and an error (a Response) is rendered as JSON whatever was asked for."""

    document_renderers: tuple[type[BaseRenderer], ...] = (PdfRenderer,)

    def get_renderers(self):
        return [JSONRenderer(), *(renderer() for renderer in self.document_renderers)]

    def finalize_response(self, request, response, *args, **kwargs):
        if isinstance(response, Response):
            request.accepted_renderer, request.accepted_media_type = JSONRenderer(), JSONRenderer.media_type
        return super().finalize_response(request, response, *args, **kwargs)
