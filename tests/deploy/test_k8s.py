"""deploy/k8s: every manifest valid against the Kubernetes schemas (kubernetes-validate,
offline), the same commands as deploy/Procfile, probes on the real health endpoints."""
import shlex
from pathlib import Path

import kubernetes_validate
import pytest
import yaml

from tests.deploy.test_deploy import procfile

K8S = Path(__file__).resolve().parents[2] / "deploy" / "k8s"
VERSION = "1.30.0"


def documents() -> list[dict]:
    docs = []
    for path in sorted(K8S.glob("*.yaml")):
        docs += [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
    return docs


def find(kind: str, name: str) -> dict:
    return next(d for d in documents() if d["kind"] == kind and d["metadata"]["name"] == name)


def containers(doc: dict, init: bool = False) -> list[dict]:
    spec = doc["spec"]["template"]["spec"]
    return spec.get("initContainers" if init else "containers", [])


@pytest.mark.parametrize("doc", documents(), ids=lambda d: f"{d['kind']}/{d['metadata']['name']}")
def test_every_manifest_is_valid_against_the_kubernetes_schema(doc):
    kubernetes_validate.validate(doc, VERSION, strict=True)


def test_an_invalid_manifest_is_refused():
    broken = find("Deployment", "pawpact-web")
    broken = {**broken, "spec": {**broken["spec"], "replicas": "three"}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, VERSION, strict=True)


def test_all_the_parts_are_there():
    kinds = {(d["kind"], d["metadata"]["name"]) for d in documents()}
    assert {
        ("Deployment", "pawpact-web"), ("Deployment", "pawpact-worker"), ("Deployment", "pawpact-beat"),
        ("Deployment", "pgbouncer"), ("Deployment", "pawpact-warehouse"), ("Job", "pawpact-migrate"),
        ("HorizontalPodAutoscaler", "pawpact-worker"), ("Service", "pgbouncer"), ("Service", "pawpact-web"),
    } <= kinds  # fmt: skip


@pytest.mark.parametrize("name", ["web", "worker", "beat"])
def test_process_commands_are_the_procfile_commands(name):
    command = containers(find("Deployment", f"pawpact-{name}"))[0]["command"]
    expected = shlex.split(procfile()[name].replace("${PAWPACT_STATE_DIR:-/tmp}", "/tmp"))
    assert command == expected


def test_migrations_run_as_a_job_over_a_direct_connection_before_the_processes_start():
    job = containers(find("Job", "pawpact-migrate"))[0]
    assert job["command"][:3] == shlex.split(procfile()["release"])
    env = {e["name"]: e for e in job["env"]}
    assert env["DATABASE_URL"]["valueFrom"]["secretKeyRef"]["key"] == "DATABASE_DIRECT_URL"
    assert env["DATABASE_TRANSACTION_POOLING"]["value"] == "0"
    for name in ("pawpact-web", "pawpact-worker", "pawpact-beat"):
        (wait,) = containers(find("Deployment", name), init=True)
        assert wait["command"][:3] == ["python", "manage.py", "migrations_wait"]


def test_web_probes_are_the_health_endpoints_and_rollout_keeps_capacity():
    web = find("Deployment", "pawpact-web")
    container = containers(web)[0]
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert web["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0


def test_workers_scale_on_queue_length_and_beat_is_single():
    (metric,) = find("HorizontalPodAutoscaler", "pawpact-worker")["spec"]["metrics"]
    assert metric["type"] == "External" and metric["external"]["metric"]["name"] == "pawpact_celery_queue_length"
    beat = find("Deployment", "pawpact-beat")
    assert beat["spec"]["replicas"] == 1 and beat["spec"]["strategy"]["type"] == "Recreate"
    assert not any(d["kind"] == "HorizontalPodAutoscaler" and d["spec"]["scaleTargetRef"]["name"] == "pawpact-beat"
                   for d in documents())  # fmt: skip


def test_pgbouncer_pools_transactions_and_the_processes_use_it():
    env = {e["name"]: e.get("value") for e in containers(find("Deployment", "pgbouncer"))[0]["env"]}
    assert env["POOL_MODE"] == "transaction"
    assert find("ConfigMap", "pawpact-config")["data"]["DATABASE_TRANSACTION_POOLING"] == "1"
