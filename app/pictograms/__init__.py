"""ARASAAC pictograms: HTTP client (`client`) and on-disk offline cache (`cache`). Prefetching
for offline use lives in the application layer (`app.session.prefetch`: it depends on boards)."""

from app.pictograms.cache import PictogramCache, bundled_dirs, default_cache_root
from app.pictograms.client import (
    ATTRIBUTION,
    DEFAULT_API_BASE,
    DEFAULT_STATIC_BASE,
    LICENCE_URL,
    ArasaacBadResponse,
    ArasaacCancelled,
    ArasaacClient,
    ArasaacError,
    ArasaacHTTPError,
    ArasaacNotFound,
    ArasaacOffline,
    ArasaacTimeout,
    ArasaacUnavailable,
    ArasaacUnsupportedLanguage,
    ImageOptions,
    KeywordType,
    Pictogram,
    attribution,
)

__all__ = [
    "ATTRIBUTION",
    "DEFAULT_API_BASE",
    "DEFAULT_STATIC_BASE",
    "LICENCE_URL",
    "ArasaacBadResponse",
    "ArasaacCancelled",
    "ArasaacClient",
    "ArasaacError",
    "ArasaacHTTPError",
    "ArasaacNotFound",
    "ArasaacOffline",
    "ArasaacTimeout",
    "ArasaacUnavailable",
    "ArasaacUnsupportedLanguage",
    "ImageOptions",
    "KeywordType",
    "Pictogram",
    "PictogramCache",
    "attribution",
    "bundled_dirs",
    "default_cache_root",
]
