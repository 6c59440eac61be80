"""Warehouse: the table contract (one place), the Parquet writer and the SQL loader."""
