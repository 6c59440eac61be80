import sqlalchemy as sa


def test_pg_fixture_gives_a_real_postgresql(pg_url: str) -> None:
    engine = sa.create_engine(pg_url)
    with engine.connect() as conn:
        version = conn.execute(sa.text("SHOW server_version")).scalar_one()
    engine.dispose()
    assert int(version.split(".")[0]) >= 13
