"""Export board sets to Open Board Format: one board as `.obf`, the whole set as `.obz`.

Export keeps labels, vocalizations, colours, grid order, pictures and links; what OBF has no
field for (keywords, Fitzgerald category, ARASAAC id, marker action) travels in `ext_pictovoz_*`
fields, so our own boards come back unchanged. A cell's own picture (`Cell.image`) travels as
a file in the package (or a data URL in a single `.obf`); an ARASAAC pictogram travels as its
static URL, with the bytes when the caller has them.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from app.boards.model import Board, BoardSet, Cell, slug
from app.boards.obf_format import (
    ACTION_TO_OBF,
    ARASAAC_LICENSE,
    EXT,
    OBF_FORMAT,
    darker,
    file_id,
    rgb_string,
)
from app.boards.pictures import CONTENT_TYPES, picture_path
from app.core.arasaac import static_url
from app.core.files import atomic_write_bytes, atomic_write_text

log = logging.getLogger(__name__)

PictogramImage = Callable[[int], bytes | None]


@dataclass
class _ImageRef:
    id: str
    zip_path: str
    data: bytes | None
    content_type: str
    url: str | None = None
    pictogram_id: int | None = None


class _Exporter:
    def __init__(
        self,
        board_set: BoardSet,
        base_dir: Path | None,
        pictogram_image: PictogramImage | None,
    ) -> None:
        self.board_set = board_set
        self.base_dir = base_dir
        self.pictogram_image = pictogram_image
        self.images: dict[str, _ImageRef] = {}
        self.zip_paths: set[str] = set()

    def _unique_zip_path(self, name: str) -> str:
        stem, dot, ext = name.rpartition(".")
        candidate, n = f"images/{name}", 2
        while candidate in self.zip_paths:  # two folders may hold pictures of the same name
            candidate, n = f"images/{stem or ext}-{n}{dot}{ext if stem else ''}", n + 1
        self.zip_paths.add(candidate)
        return candidate

    def image_for(self, cell: Cell) -> _ImageRef | None:
        if cell.image and self.base_dir is not None:
            key = f"file:{cell.image}"
            if key not in self.images:
                path = picture_path(self.base_dir, cell.image)
                if path is None:
                    log.warning(
                        "Image %s of cell %r is missing; exported without it", cell.image, cell.id
                    )
                else:
                    name = PurePosixPath(cell.image).name
                    self.images[key] = _ImageRef(
                        id=f"file-{slug(name) or len(self.images)}",
                        zip_path=self._unique_zip_path(name),
                        data=path.read_bytes(),
                        content_type=CONTENT_TYPES.get(path.suffix.lower(), "image/png"),
                    )
            if key in self.images:
                return self.images[key]
        if cell.pictogram_id is not None:
            key = f"arasaac:{cell.pictogram_id}"
            if key not in self.images:
                data = self.pictogram_image(cell.pictogram_id) if self.pictogram_image else None
                self.images[key] = _ImageRef(
                    id=f"arasaac-{cell.pictogram_id}",
                    zip_path=self._unique_zip_path(f"arasaac-{cell.pictogram_id}.png"),
                    data=data,
                    content_type="image/png",
                    url=static_url(cell.pictogram_id),
                    pictogram_id=cell.pictogram_id,
                )
            return self.images[key]
        return None

    def board(self, board: Board, board_paths: dict[str, str] | None) -> dict[str, Any]:
        """The `.obf` document of `board`; `board_paths` (board id -> path in the package) is
        None for a single `.obf`."""
        used: dict[str, _ImageRef] = {}
        buttons = []
        for cell in board.filled():
            button: dict[str, Any] = {
                "id": cell.id,
                "label": cell.label,
                "background_color": rgb_string(cell.background),
                "border_color": rgb_string(cell.border_color or darker(cell.background)),
                f"{EXT}category": cell.category.value,
            }
            if cell.vocalization is not None:
                button["vocalization"] = cell.vocalization
            if cell.keywords is not None:
                button[f"{EXT}keywords"] = list(cell.keywords)
            if cell.pictogram_id is not None:
                button[f"{EXT}pictogram_id"] = cell.pictogram_id
            if cell.color is not None:
                button[f"{EXT}color"] = cell.color
            if cell.border_color is not None:
                button[f"{EXT}border_color"] = cell.border_color
            if cell.action is not None:
                button[f"{EXT}action"] = cell.action.value
                if cell.action in ACTION_TO_OBF:
                    button["action"] = ACTION_TO_OBF[cell.action]
            if cell.link is not None:
                target = self.board_set.boards.get(cell.link)
                load: dict[str, Any] = {"id": cell.link, "name": target.name if target else ""}
                if board_paths is not None and cell.link in board_paths:
                    load["path"] = board_paths[cell.link]
                button["load_board"] = load
            image = self.image_for(cell)
            if image is not None:
                button["image_id"] = image.id
                used[image.id] = image
            buttons.append(button)
        order = [
            [
                None if c is None else c.id
                for c in board.cells[r * board.columns : (r + 1) * board.columns]
            ]
            for r in range(board.rows)
        ]
        in_package = board_paths is not None
        return {
            "format": OBF_FORMAT,
            "id": board.id,
            "locale": board.lang,
            "name": board.name,
            "buttons": buttons,
            "grid": {"rows": board.rows, "columns": board.columns, "order": order},
            "images": [self._image_json(ref, in_package) for ref in used.values()],
            "sounds": [],
        }

    def _image_json(self, ref: _ImageRef, in_package: bool) -> dict[str, Any]:
        data: dict[str, Any] = {"id": ref.id, "content_type": ref.content_type}
        if ref.url:
            data["url"] = ref.url
        if ref.data is not None:
            if in_package:
                data["path"] = ref.zip_path
            else:
                encoded = base64.b64encode(ref.data).decode("ascii")
                data["data"] = f"data:{ref.content_type};base64,{encoded}"
        if ref.pictogram_id is not None:
            data[f"{EXT}pictogram_id"] = ref.pictogram_id
            data["license"] = dict(ARASAAC_LICENSE)
        return data


def export_obf(
    board_set: BoardSet,
    board_id: str,
    path: Path,
    *,
    base_dir: Path | None = None,
    pictogram_image: PictogramImage | None = None,
) -> None:
    """Write one board as `.obf`. Images are embedded as data URLs when available (custom images
    from `base_dir`; ARASAAC ones from `pictogram_image`), else linked to static.arasaac.org."""
    board_set.validate()
    board = board_set.board(board_id)
    doc = _Exporter(board_set, base_dir, pictogram_image).board(board, None)
    atomic_write_text(Path(path), json.dumps(doc, ensure_ascii=False, indent=1))


def export_obz(
    board_set: BoardSet,
    path: Path,
    *,
    base_dir: Path | None = None,
    pictogram_image: PictogramImage | None = None,
) -> None:
    """Write the whole board set as `.obz` (manifest.json, boards/*.obf, images/*)."""
    board_set.validate()
    exporter = _Exporter(board_set, base_dir, pictogram_image)
    board_paths: dict[str, str] = {}
    for board_id in board_set.boards:
        # Ids from other apps can slug alike ("a_b", "a-b"): number the later ones.
        stem, n = file_id(board_id), 2
        zip_path = f"boards/{stem}.obf"
        while zip_path in board_paths.values():
            zip_path, n = f"boards/{stem}-{n}.obf", n + 1
        board_paths[board_id] = zip_path
    docs = {
        board_paths[board.id]: exporter.board(board, board_paths)
        for board in board_set.boards.values()
    }
    images_paths = {
        ref.id: ref.zip_path for ref in exporter.images.values() if ref.data is not None
    }
    manifest = {
        "format": OBF_FORMAT,
        "root": board_paths[board_set.root],
        "paths": {"boards": board_paths, "images": images_paths, "sounds": {}},
        f"{EXT}name": board_set.name,
        f"{EXT}lang": board_set.lang,
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
        for zip_path, doc in docs.items():
            zf.writestr(zip_path, json.dumps(doc, ensure_ascii=False))
        for ref in exporter.images.values():
            if ref.data is not None:
                # PNGs are already compressed; storing them saves time for nothing lost.
                zf.writestr(ref.zip_path, ref.data, compress_type=zipfile.ZIP_STORED)
    atomic_write_bytes(Path(path), buffer.getvalue())
