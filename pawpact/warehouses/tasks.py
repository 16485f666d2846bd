"""Thin entry points: a warehouse's catalog import runs in a worker while the console shows its progress."""
from pawpact.core.tasks import public_task
from pawpact.warehouses.models import CatalogImport
from pawpact.warehouses.services import catalog_import_run


@public_task("warehouses.catalog_import")
def catalog_import_task(run_id: int) -> None:
    run = CatalogImport.objects.select_related("warehouse").filter(pk=run_id).first()
    if run is not None and run.finished_at is None:
        catalog_import_run(run=run)
