"""docker-compose.yml and Dockerfile, checked for structure (no Docker engine runs in CI or here).

What this does not prove: that the image builds, that the containers start and talk to each other.
docs/airflow.md says so; these tests catch the mistakes that are visible in the files themselves.
"""

from __future__ import annotations

import re
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"
AIRFLOW_SERVICES = {
    "airflow-apiserver": "api-server",
    "airflow-scheduler": "scheduler",
    "airflow-dag-processor": "dag-processor",
    "airflow-triggerer": "triggerer",
}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text())


def env_of(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {k: str(v) for k, v in env.items()}


def interpolate(value: str) -> str:
    """Compose's ${VAR:-default} with the defaults (no .env): what a bare `docker compose up` gets."""
    return re.sub(r"\$\{[A-Z0-9_]+:-([^}]*)\}", r"\1", value)


def test_docker_compose_has_every_airflow_3_component_and_both_databases(compose: dict[str, Any]) -> None:
    services = compose["services"]
    assert set(services) >= {"postgres", "warehouse-db", "airflow-init", *AIRFLOW_SERVICES}
    for name, command in AIRFLOW_SERVICES.items():
        assert services[name]["command"] == command, name
        assert "webserver" not in str(services[name]["command"])  # Airflow 2 only
    assert "airflow-worker" not in services  # LocalExecutor: the scheduler runs the tasks
    for db in ("postgres", "warehouse-db"):
        assert services[db]["image"].startswith("postgres:")
        assert "pg_isready" in " ".join(services[db]["healthcheck"]["test"])


def test_docker_compose_airflow_services_use_the_image_built_from_the_dockerfile(compose: dict[str, Any]) -> None:
    images = set()
    for name in [*AIRFLOW_SERVICES, "airflow-init"]:
        service = compose["services"][name]
        assert service["build"] == {"context": ".", "dockerfile": "Dockerfile"}, name
        images.add(service["image"])
    assert len(images) == 1
    assert (ROOT / compose["services"]["airflow-scheduler"]["build"]["dockerfile"]).exists()


def test_docker_compose_dockerfile_extends_the_official_airflow_3_image_with_this_package() -> None:
    text = DOCKERFILE.read_text()
    args = dict(re.findall(r"^ARG (\w+)=(\S+)$", text, flags=re.M))
    assert args["AIRFLOW_VERSION"] == version("apache-airflow"), "the image must run the Airflow the tests ran"
    assert args["AIRFLOW_VERSION"].startswith("3.")
    assert re.search(r"^FROM apache/airflow:\$\{AIRFLOW_VERSION\}-python\$\{PYTHON_VERSION\}$", text, flags=re.M)
    assert re.search(r"^COPY .*\betl\b", text, flags=re.M)
    assert re.search(r"^COPY .*constraints\.txt", text, flags=re.M)
    install = next(line for line in text.splitlines() if "pip install" in line)
    assert "-c constraints.txt" in install and '"apache-airflow==${AIRFLOW_VERSION}"' in install
    for copied in re.findall(r"^COPY (?:--\S+ )*(.+) \S+$", text, flags=re.M):
        for path in copied.split():
            if path != "README.md":  # README.md is written by the project's own task
                assert (ROOT / path).exists(), f"Dockerfile copies {path}, which does not exist"


def test_docker_compose_environment_wires_the_databases_and_the_api_server(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name in [*AIRFLOW_SERVICES, "airflow-init"]:
        env = {k: interpolate(v) for k, v in env_of(services[name]).items()}
        meta = make_url(env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])
        assert meta.host == "postgres" and meta.database == services["postgres"]["environment"]["POSTGRES_DB"]
        assert meta.username == services["postgres"]["environment"]["POSTGRES_USER"]
        warehouse = make_url(env["AIRFLOW_CONN_NEWS_WAREHOUSE"])
        wh = services["warehouse-db"]["environment"]
        assert (warehouse.host, warehouse.database, warehouse.username, warehouse.password) == (
            "warehouse-db", wh["POSTGRES_DB"], wh["POSTGRES_USER"], wh["POSTGRES_PASSWORD"]
        )
        assert env["AIRFLOW__CORE__EXECUTOR"] == "LocalExecutor"
        api = re.match(r"http://([\w-]+):(\d+)/execution/$", env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"])
        assert api and api[1] == "airflow-apiserver"
        assert f"{api[2]}:{api[2]}" in services["airflow-apiserver"]["ports"]
        assert env["AIRFLOW__API_AUTH__JWT_SECRET"], "the api-server and the workers must share a JWT secret"
        assert env["AIRFLOW__CORE__LOAD_EXAMPLES"].lower() == "false"
        assert env["NEWS_ETL_PROCESSES"] == "1"


def test_docker_compose_mounts_dags_landing_and_warehouse_where_the_dags_look(compose: dict[str, Any]) -> None:
    for name in [*AIRFLOW_SERVICES, "airflow-init"]:
        service = compose["services"][name]
        env = env_of(service)
        mounts = {}
        for volume in service["volumes"]:
            source, target, *mode = interpolate(volume).split(":")
            mounts[target] = (source, mode)
        assert mounts[env["AIRFLOW__CORE__DAGS_FOLDER"]][0] == "./dags"
        assert mounts[env["NEWS_ETL_LANDING"]] == ("./landing", ["ro"])  # the DAGs only read landing
        assert mounts[env["NEWS_ETL_WAREHOUSE"]] == ("./warehouse", [])
        assert (ROOT / "dags" / "news_nightly.py").exists()


def test_docker_compose_start_order_and_health(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name in AIRFLOW_SERVICES:
        deps = services[name]["depends_on"]
        assert deps["postgres"]["condition"] == "service_healthy"
        assert deps["warehouse-db"]["condition"] == "service_healthy"
        assert deps["airflow-init"]["condition"] == "service_completed_successfully"
        assert services[name]["healthcheck"]["test"], name
        for dep in deps:
            assert dep in services
    assert "db migrate" in str(services["airflow-init"]["command"]) or env_of(services["airflow-init"]).get("_AIRFLOW_DB_MIGRATE") == "true"


def test_docker_compose_needs_no_unset_variables() -> None:
    text = COMPOSE.read_text()
    bare = [m for m in re.findall(r"(?<!\$)\$\{([^}]+)\}", text) if ":-" not in m]
    assert bare == [], f"variables without a default make `docker compose up` depend on .env: {bare}"
