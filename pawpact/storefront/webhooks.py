"""The warehouse's callbacks, on the platform's host: /webhooks/warehouse/<code>/.

Verified (signature, five-minute clock skew, replay) and stored once per event id
before answering 200; applied by a task (stock to the shared table at once, parcel
news inside the shop the parcel belongs to). A bad signature answers 401 and stores
nothing; a repeated event answers 200 and changes nothing.
"""
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from pawpact.core.errors import DomainError
from pawpact.storefront import tasks
from pawpact.warehouses.models import Warehouse
from pawpact.warehouses.services import event_receive


@csrf_exempt
@require_POST
def warehouse_callback(request, code: str):
    warehouse = get_object_or_404(Warehouse, code=code)
    try:
        with transaction.atomic():
            event, created = event_receive(warehouse=warehouse, method=request.method, path=request.get_full_path(),
                                           body=request.body, headers=request.headers)  # fmt: skip
            if created:
                transaction.on_commit(tasks.warehouse_events_process_task.delay, robust=True)
    except DomainError as error:
        return JsonResponse(error.as_dict(), status=error.http_status)
    return JsonResponse({"event_id": event.event_id, "received": True})
