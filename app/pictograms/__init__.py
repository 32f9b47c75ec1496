"""ARASAAC pictograms: HTTP client (`client`), on-disk offline cache (`cache`) and prefetching
for offline use (`prefetch`, imported on its own: it depends on app.boards)."""

from app.pictograms.cache import PictogramCache, bundled_dirs, default_cache_root
from app.pictograms.client import (
    ATTRIBUTION,
    DEFAULT_API_BASE,
    ArasaacBadResponse,
    ArasaacClient,
    ArasaacError,
    ArasaacHTTPError,
    ArasaacNotFound,
    ArasaacOffline,
    ArasaacUnavailable,
    ImageOptions,
    KeywordType,
    Pictogram,
)

__all__ = [
    "ATTRIBUTION",
    "DEFAULT_API_BASE",
    "ArasaacBadResponse",
    "ArasaacClient",
    "ArasaacError",
    "ArasaacHTTPError",
    "ArasaacNotFound",
    "ArasaacOffline",
    "ArasaacUnavailable",
    "ImageOptions",
    "KeywordType",
    "Pictogram",
    "PictogramCache",
    "bundled_dirs",
    "default_cache_root",
]
