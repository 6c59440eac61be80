"""When: publication dates of articles and dates of statements, with where each came from."""

from etl.when.published import SOURCES, DateContext, date_article, publication_date

__all__ = ["SOURCES", "DateContext", "date_article", "publication_date"]
