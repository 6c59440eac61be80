"""news-etl: batch ETL for news corpora."""
__version__ = "0.1.0"
