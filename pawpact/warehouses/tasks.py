"""Thin entry points: a warehouse's catalog import runs in a worker while the console shows its
progress; each linked warehouse receives its committed demand daily, and within minutes
when it changes (the due pushes: scheduled after the change, swept every few minutes)."""
import logging

from pawpact.core.tasks import public_task
from pawpact.warehouses.errors import WarehouseRefused, WarehouseUnavailable
from pawpact.warehouses import forecast
from pawpact.warehouses.models import CatalogImport, Warehouse
from pawpact.warehouses.services import catalog_import_run

logger = logging.getLogger(__name__)


@public_task("warehouses.catalog_import")
def catalog_import_task(run_id: int) -> None:
    run = CatalogImport.objects.select_related("warehouse").filter(pk=run_id).first()
    if run is not None and run.finished_at is None:
        catalog_import_run(run=run)


@public_task("warehouses.forecast_push")
def forecast_push_task() -> int:
    sent = 0
    for warehouse in Warehouse.objects.filter(links__isnull=False).distinct():
        try:
            sent += forecast.forecast_push(warehouse=warehouse)
        except (WarehouseUnavailable, WarehouseRefused) as error:
            logger.warning("Forecast for %s not delivered: %s", warehouse.code, error.message)
    return sent


@public_task("warehouses.forecast_push_due")
def forecast_push_due_task() -> int:
    return forecast.forecast_push_due()
