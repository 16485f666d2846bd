"""The warehouse fetches a reship's photos here, on the shop's host, with the signed link
it received in the reship request (pawpact.storefront.photo_links); no session, no cookie.
Anything but a valid, unexpired link to a photo of this shop gets an error, never a file."""
from django.http import FileResponse, JsonResponse
from django.views.decorators.http import require_GET

from pawpact.core.clock import default_clock
from pawpact.storefront.models import ReshipPhoto
from pawpact.storefront.photo_links import PhotoLinkRefused, photo_token_read

MESSAGES = {
    "bad_signature": "The link is not valid.",
    "link_expired": "The link has expired; ask the shop to send the reship again.",
    "not_found": "No such photo.",
}


@require_GET
def warehouse_reship_photo(request, token: str):
    try:
        request_uuid, photo_id = photo_token_read(token, now=default_clock.now())
        photo = ReshipPhoto.objects.filter(pk=photo_id, request__uuid=request_uuid).first()
        if photo is None:
            raise PhotoLinkRefused(404, "not_found")
    except PhotoLinkRefused as refused:
        response = JsonResponse({"code": refused.code, "message": MESSAGES[refused.code], "fields": {}},
                                status=refused.status)  # fmt: skip
        response["Cache-Control"] = "no-store"
        return response
    response = FileResponse(photo.image.open("rb"))
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
