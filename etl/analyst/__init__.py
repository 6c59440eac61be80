"""The analyst's tools over the Parquet warehouse: SQL (DuckDB), quote exports, the run report."""
