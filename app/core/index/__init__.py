"""The SQLite photo index: schema, PhotoIndex, the search language."""

from app.core.index.photo_index import PhotoIndex
from app.core.index.query import Query, QuerySyntaxError, compile_query, parse_query
from app.core.index.records import ErrorRecord, PhotoRecord, Prediction, camera_name

__all__ = [
    "ErrorRecord",
    "PhotoIndex",
    "PhotoRecord",
    "Prediction",
    "Query",
    "QuerySyntaxError",
    "camera_name",
    "compile_query",
    "parse_query",
]
