"""The SQLite photo index: schema, PhotoIndex, the search language."""

from app.core.index.photo_index import PhotoIndex
from app.core.index.query import Query, QuerySyntaxError, compile_query, parse_query
from app.core.camera_names import camera_name
from app.core.index.records import ErrorRecord, PhotoRecord

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


def __getattr__(name: str):
    # Prediction is model.predictor's class, imported only when asked for (numpy).
    if name == "Prediction":
        from app.core.index.records import prediction_type

        return prediction_type()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
