"""Fetch every pictogram of a board set ahead of time, resumably, with progress.

Used by `pictovoz prefetch --board FILE` (and `make package`, which fills `assets/pictograms/`
for offline installers) and by the app's progress dialog. Cells without a pictogram id are
resolved by search first; the ids are stored in the cells, so saving the board keeps them.
Resuming is free: images and searches already in the cache cost no request.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from app.boards.model import BoardError, BoardSet
from app.boards.obf import import_board_file
from app.boards.storage import load_default_boards, read_board_set, save_board_set
from app.pictograms.cache import PictogramCache
from app.pictograms.client import (
    DEFAULT_API_BASE,
    RESOLUTIONS,
    ArasaacClient,
    ArasaacError,
    ArasaacUnavailable,
    ImageOptions,
)

log = logging.getLogger(__name__)

# (done, total, what is being fetched now)
ProgressCallback = Callable[[int, int, str], None]


@dataclass
class PrefetchReport:
    total: int = 0  # cells that need a pictogram
    downloaded: int = 0  # images fetched now
    cached: int = 0  # images that were already on disk
    resolved: int = 0  # cells whose pictogram id was found by search (and stored in the cell)
    unresolved: list[str] = field(default_factory=list)  # "board/label" with no pictogram found
    failed: list[str] = field(default_factory=list)  # "label: why"
    stopped: str | None = None  # why the run ended early (server unreachable, cancelled)

    @property
    def complete(self) -> bool:
        return self.stopped is None and not self.failed

    def summary(self) -> str:
        parts = [
            f"{self.downloaded} downloaded",
            f"{self.cached} already cached",
            f"{self.resolved} ids resolved by search",
        ]
        if self.unresolved:
            parts.append(f"{len(self.unresolved)} without a pictogram")
        if self.failed:
            parts.append(f"{len(self.failed)} failed")
        text = f"{self.total} pictograms: " + ", ".join(parts) + "."
        if self.stopped:
            text += f" Stopped early: {self.stopped.rstrip('.')}. Run again to resume."
        return text


def prefetch_board_set(
    board_set: BoardSet,
    cache: PictogramCache,
    *,
    variants: Sequence[ImageOptions] = (ImageOptions(),),
    progress: ProgressCallback | None = None,
    cancel: threading.Event | None = None,
) -> PrefetchReport:
    """Resolve and download the pictograms of every board in the set (each id once).

    Cells with a custom picture are skipped. Stops early, saying why, when the server becomes
    unreachable or `cancel` is set; what was fetched stays cached, so a rerun resumes."""
    report = PrefetchReport()
    work = [
        (board, cell)
        for board, cell in board_set.iter_cells()
        if cell.image is None and (cell.label.strip() or cell.pictogram_id is not None)
    ]
    report.total = len(work)
    seen: set[int] = set()
    for done, (board, cell) in enumerate(work):
        if cancel is not None and cancel.is_set():
            report.stopped = "cancelled"
            break
        if progress is not None:
            progress(done, report.total, cell.label)
        if cell.pictogram_id is None:
            if cache.is_offline:
                report.stopped = cache.offline_reason or "pictogram server unreachable"
                break
            found = cache.resolve(cell.search_text, board.lang, cell.keyword_type)
            if found is None:
                if cache.is_offline:
                    report.stopped = cache.offline_reason or "pictogram server unreachable"
                    break
                report.unresolved.append(f"{board.id}/{cell.label}")
                continue
            cell.pictogram_id = found
            report.resolved += 1
        if cell.pictogram_id in seen:
            continue
        seen.add(cell.pictogram_id)
        try:
            for options in variants:
                if cache.cached_image_path(cell.pictogram_id, options) is not None:
                    report.cached += 1
                else:
                    cache.fetch_image(cell.pictogram_id, options)
                    report.downloaded += 1
        except ArasaacUnavailable as exc:
            report.stopped = str(exc)
            break
        except ArasaacError as exc:
            report.failed.append(f"{cell.label} ({cell.pictogram_id}): {exc}")
    else:
        if progress is not None:
            progress(report.total, report.total, "")
    cache.flush()
    return report


# --- command line ------------------------------------------------------------------------------


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add `prefetch` to the app's CLI (`app/cli.py` calls this and dispatches to `run`)."""
    parser = subparsers.add_parser(
        "prefetch",
        help="download the pictograms of a board set for offline use",
        description=(
            "Resolve and download every pictogram of a board set and its sub-boards. "
            "Already cached pictograms are skipped, so an interrupted run resumes."
        ),
    )
    parser.add_argument(
        "--board",
        required=True,
        help="board file (.json, .obf, .obz) or default:es / default:en for the built-in boards",
    )
    parser.add_argument(
        "--dest",
        type=Path,
        help="fill this folder (e.g. assets/pictograms for installers) instead of the user "
        "cache; nothing is evicted from it",
    )
    parser.add_argument("--base-url", default=DEFAULT_API_BASE, help="ARASAAC API base URL")
    parser.add_argument(
        "--resolution", type=int, choices=RESOLUTIONS, default=500, help="image size in pixels"
    )
    parser.add_argument(
        "--timeout", type=float, default=10.0, help="seconds to wait for the server per request"
    )
    parser.add_argument(
        "--save",
        action="store_true",
        help="store the pictogram ids found by search back into the board file (.json only)",
    )
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    """0: everything fetched; 1: some pictograms failed or the run stopped early; 2: bad input."""
    try:
        with _open_boards(args.board) as (board_set, save_path):
            client = ArasaacClient(args.base_url, timeout=(min(args.timeout, 5.0), args.timeout))
            if args.dest:
                cache = PictogramCache(client, Path(args.dest), max_bytes=None)
            else:
                cache = PictogramCache(client)
            try:
                with _progress_reporter() as progress:
                    report = prefetch_board_set(
                        board_set,
                        cache,
                        variants=(ImageOptions(resolution=args.resolution),),
                        progress=progress,
                    )
            finally:
                cache.close()
                client.close()
            if args.save and report.resolved:
                if save_path is None:
                    log.warning("--save only works with a PictoVoz .json board file")
                else:
                    save_board_set(board_set, save_path)
                    log.info("Stored %d pictogram ids in %s", report.resolved, save_path)
    except (BoardError, OSError) as exc:
        log.error("Cannot read the boards: %s", exc)
        return 2
    for line in report.failed:
        log.warning("Failed: %s", line)
    if report.unresolved:
        log.warning("No pictogram found for: %s", ", ".join(report.unresolved))
    sys.stdout.write(report.summary() + "\n")
    return 0 if report.complete else 1


@contextmanager
def _open_boards(spec: str) -> Iterator[tuple[BoardSet, Path | None]]:
    if spec.startswith("default:"):
        yield load_default_boards(spec.split(":", 1)[1]), None
        return
    path = Path(spec)
    if path.suffix.lower() in (".obf", ".obz"):
        # Imported pictures go to a throwaway folder: only the pictograms matter here.
        with tempfile.TemporaryDirectory(prefix="pictovoz-prefetch-") as tmp:
            yield import_board_file(path, Path(tmp)).board_set, None
        return
    yield read_board_set(path), path


@contextmanager
def _progress_reporter() -> Iterator[ProgressCallback]:
    """A tqdm bar when tqdm is installed, else a log line every 10%."""
    try:
        from tqdm import tqdm
    except ImportError:
        step = {"next": 0}

        def log_progress(done: int, total: int, label: str) -> None:
            if total and (done >= step["next"] or done == total):
                log.info("Prefetch %d/%d %s", done, total, label)
                step["next"] = done + max(1, total // 10)

        yield log_progress
        return
    bar = tqdm(total=0, unit="picto", desc="Pictograms", leave=True)

    def tqdm_progress(done: int, total: int, label: str) -> None:
        if bar.total != total:
            bar.total = total
            bar.refresh()
        bar.n = done
        bar.set_postfix_str(label[:20], refresh=True)

    try:
        yield tqdm_progress
    finally:
        bar.close()
