"""The shop template's script stays within what Citus schema-based sharding distributes:
with `citus.enable_schema_based_sharding` on, the schema that provisioning creates becomes
a distributed schema and every table of the script a table of it, which holds only while
the script touches its own schema (no key into public or another shop) and uses
statements Citus propagates. No Citus binaries here: this checks the script itself."""
import re
from pathlib import Path

import yaml
from django.conf import settings

from pawpact.tenants.template import template_ddl

ROOT = Path(__file__).resolve().parents[2]
ALLOWED = ("CREATE TABLE", "CREATE SEQUENCE", "ALTER SEQUENCE", "ALTER TABLE", "INSERT INTO",
           "SELECT pg_catalog.setval", "CREATE INDEX", "CREATE UNIQUE INDEX")  # fmt: skip
# Citus refuses these inside a distributed schema (or they would tie it to another node).
REFUSED = re.compile(r"\b(INHERITS|SET SCHEMA|CREATE TRIGGER|CREATE (OR REPLACE )?FUNCTION|CREATE EXTENSION|UNLOGGED)\b")


def _statements() -> list[str]:
    return [s.strip() for s in template_ddl().split(";\n") if s.strip()]


def test_every_statement_is_one_citus_distributes_within_a_schema(db):
    statements = _statements()

    assert statements
    assert [s[:60] for s in statements if not s.startswith(ALLOWED)] == []
    assert [s[:80] for s in statements if REFUSED.search(s)] == []


def test_the_script_names_no_schema_but_its_own(db):
    template = settings.PAWPACT_TEMPLATE_SCHEMA
    schemas = set(re.findall(r'"([A-Za-z0-9_]+)"\."[A-Za-z0-9_]+"', template_ddl()))

    # pg_catalog: setval and regclass casts only. A key into public would need a reference table.
    assert schemas <= {template, "pg_catalog"}, schemas - {template, "pg_catalog"}
    assert "REFERENCES \"public\"" not in template_ddl()


def test_the_citus_compose_has_a_coordinator_with_schema_sharding_and_two_workers():
    services = yaml.safe_load((ROOT / "deploy" / "citus" / "compose.yaml").read_text())["services"]

    assert {"coordinator", "worker1", "worker2"} <= set(services)
    assert all(services[name]["image"].startswith("citusdata/citus:") for name in ("coordinator", "worker1", "worker2"))
    assert "citus.enable_schema_based_sharding=on" in services["coordinator"]["command"]
    registration = " ".join(services["register"]["command"])
    assert "citus_add_node('worker1'" in registration and "citus_add_node('worker2'" in registration
