"""Import AsTeRICS Grid backups (`.grd` / `.grd.json`) into a BoardSet, keeping what maps.

AsTeRICS Grid (the free web AAC app many ARASAAC users keep their boards in) saves a backup as
JSON: `grids[]`, each with `rowCount` and `gridElements[]` placed at `x`/`y` with `width`/
`height`, a per-language `label`, a `colorCategory`, an `image` (an ARASAAC API URL, another URL,
or an embedded data URL) and `actions` (speak, speak a custom text, open another grid, go home,
act on the sentence bar, and web things: radio, YouTube, web pages...). `metadata` names the home
grid and the "global grid" shown above every grid.

What does not map is reported per item and skipped, never a reason to refuse the file:
- spans: our grid has one slot per cell, so a wide or tall element keeps its top-left slot;
- columns: AsTeRICS places keyboards on a fine grid (width 2 or 3 per key); the distinct
  start positions become our columns, so keys stay in their order and rows;
- the sentence bar, word prediction, YouTube player, web radio, web pages, remote control
  (ARE) and clipboard actions have no counterpart here;
- embedded pictures (data URLs) and pictures from other sites are counted, not kept;
- ARASAAC image options (black and white, hair and skin colours) are not kept.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from app.boards.model import (
    MAX_GRID_SIDE,
    MAX_LABEL_CHARS,
    Action,
    Board,
    BoardError,
    BoardSet,
    Category,
    Cell,
    slug,
)
from app.boards.storage import parse_json_limited
from app.core.arasaac import pictogram_id_from_url

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 200 * 1024 * 1024  # backups embed pictures: ARASAAC's own is ~3 MB

# AsTeRICS colour categories (its Fitzgerald-key scheme) -> ours.
COLOUR_CATEGORIES: dict[str, Category] = {
    "CC_PRONOUN_PERSON_NAME": Category.PEOPLE,
    "CC_NOUN": Category.NOUNS,
    "CC_VERB": Category.VERBS,
    "CC_DESCRIPTOR": Category.DESCRIPTORS,
    "CC_ADJECTIVE": Category.DESCRIPTORS,
    "CC_ADVERB": Category.DESCRIPTORS,
    "CC_SOCIAL_EXPRESSIONS": Category.SOCIAL,
    "CC_INTERJECTION": Category.SOCIAL,
    "CC_QUESTION": Category.QUESTIONS,
    "CC_NEGATION": Category.NEGATION,
    "CC_IMPORTANT": Category.NEGATION,  # red in the Fitzgerald key, as negation
    "CC_PLACE": Category.NOUNS,
    "CC_CATEGORY": Category.NOUNS,
    "CC_MISC": Category.MARKERS,
    "CC_OTHERS": Category.MARKERS,
    "CC_ARTICLE": Category.MARKERS,
    "CC_DETERMINER": Category.MARKERS,
    "CC_PREPOSITION": Category.MARKERS,
    "CC_CONJUNCTION": Category.MARKERS,
}

# Sentence-bar actions -> ours. REMOVE_CHAR deletes a letter there; here it deletes a word.
COLLECT_ACTIONS: dict[str, Action] = {
    "COLLECT_ACTION_SPEAK": Action.SPEAK,
    "COLLECT_ACTION_SPEAK_CONTINUOUS": Action.SPEAK,
    "COLLECT_ACTION_SPEAK_CLEAR": Action.SPEAK,
    "COLLECT_ACTION_CLEAR": Action.CLEAR,
    "COLLECT_ACTION_REMOVE_WORD": Action.BACKSPACE,
    "COLLECT_ACTION_REMOVE_CHAR": Action.BACKSPACE,
}

# Labels for control cells that AsTeRICS draws with a picture only (ours need a word).
CONTROL_LABELS: dict[str, dict[Action, str]] = {
    "es": {
        Action.SPEAK: "hablar",
        Action.CLEAR: "borrar todo",
        Action.BACKSPACE: "borrar",
        Action.HOME: "inicio",
    },
    "en": {
        Action.SPEAK: "speak",
        Action.CLEAR: "clear",
        Action.BACKSPACE: "delete",
        Action.HOME: "home board",
    },
}

SKIPPED_TYPES = {
    "ELEMENT_TYPE_COLLECT": "sentence bar (the window has its own)",
    "ELEMENT_TYPE_PREDICTION": "word prediction slot",
    "ELEMENT_TYPE_YT_PLAYER": "YouTube player",
    "ELEMENT_TYPE_LIVE": "live data element",
}

# Actions that do not change what a cell is here (speaking its label is what tapping does).
_SPEAK_ACTIONS = {"GridActionSpeak"}

_API_IMAGE_RE = re.compile(r"^https?://api\.arasaac\.org/(?:api|v1)/pictograms/(\d+)(?:[/?#].*)?$")
_HEX_RE = re.compile(r"^#?([0-9a-fA-F]{6})$")
_DEFAULT_IMAGE_OPTIONS = {"download": "false", "plural": "false", "color": "true"}


@dataclass
class ImportReport:
    """What an import kept and what it could not, per item and counted."""

    source: str
    lang: str = ""
    boards: int = 0
    cells: int = 0
    pictograms: int = 0  # cells with an ARASAAC id from their image
    items: list[tuple[str, str]] = field(default_factory=list)  # (where, what did not map)

    def add(self, where: str, problem: str) -> None:
        self.items.append((where, problem))

    @property
    def counts(self) -> Counter[str]:
        return Counter(problem for _, problem in self.items)

    def lines(self) -> list[str]:
        """What did not map, counted: one short line a kind."""
        return [f"{n} x {problem}" for problem, n in self.counts.most_common()]

    def summary(self) -> str:
        lines = [
            f"{self.source}: {self.boards} boards, {self.cells} cells "
            f"({self.pictograms} with an ARASAAC pictogram), language {self.lang!r}."
        ]
        if self.items:
            lines.append("Not kept or changed:")
            lines += [f"  {n} x {problem}" for problem, n in self.counts.most_common()]
        return "\n".join(lines)


def is_asterics_file(path: Path | str) -> bool:
    """AsTeRICS Grid backups are named *.grd or *.grd.json (plain .json may be OBF)."""
    name = Path(path).name.lower()
    return name.endswith((".grd", ".grd.json"))


def import_asterics_file(
    path: Path | str, lang: str | None = None
) -> tuple[BoardSet, ImportReport]:
    """Read an AsTeRICS Grid backup. `lang`: which of the labels' languages to use (default:
    the one most labels have). Raises BoardError with a clear message when the file is not an
    AsTeRICS Grid backup at all; anything less is skipped and reported."""
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise BoardError(f"{path.name} is {size // 2**20} MB, too big for a board backup.")
        data = path.read_bytes()
    except OSError as exc:
        raise BoardError(f"Cannot read {path.name}: {exc.strerror or exc}.") from None
    doc = parse_json_limited(data, path.name)
    return import_asterics(doc, source=path.name, lang=lang)


def import_asterics(
    doc: Any, source: str = "AsTeRICS Grid backup", lang: str | None = None
) -> tuple[BoardSet, ImportReport]:
    """The same as import_asterics_file, from the parsed JSON."""
    grids, metadata = _grids_and_metadata(doc, source)
    lang = lang or _main_language(grids)
    report = ImportReport(source=source, lang=lang)
    names = {g["id"]: _text(g.get("label"), lang) or f"Board {i + 1}" for i, g in enumerate(grids)}
    board_ids = _board_ids(grids, names)
    home = metadata.get("homeGridId")
    root = board_ids.get(home) if isinstance(home, str) else None
    if root is None:
        root = board_ids[grids[0]["id"]]
        if home:
            report.add("the backup", "home grid missing: the first grid is the home board")
    global_id = metadata.get("globalGridId")
    if metadata.get("globalGridActive") and global_id in board_ids:
        report.add(
            names[global_id], "global grid (shown above every grid): imported as its own board"
        )
    # Backups carry no name of their own: the file's name says what the user called it.
    set_name = re.sub(r"(\.grd)?(\.json)?$", "", source, flags=re.IGNORECASE)
    set_name = set_name or next(names[g] for g, b in board_ids.items() if b == root)
    board_set = BoardSet(name=set_name, lang=lang, root=root)
    for grid in grids:
        board = _board(grid, board_ids, names, lang, report)
        board_set.add_board(board)
    report.boards = len(board_set.boards)
    report.cells = board_set.cell_count()
    report.pictograms = sum(c.pictogram_id is not None for _, c in board_set.iter_cells())
    board_set.validate()
    log.info("Imported %s: %d boards, %d cells", source, report.boards, report.cells)
    return board_set, report


# --- the document ------------------------------------------------------------------------------


def _grids_and_metadata(doc: Any, source: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Backups are {"grids": [...], "metadata": {...}}; older exports are a bare list of grids."""
    if isinstance(doc, list):
        grids, metadata = doc, {}
    elif isinstance(doc, dict) and isinstance(doc.get("grids"), list):
        grids = doc["grids"]
        metadata = doc.get("metadata") if isinstance(doc.get("metadata"), dict) else {}
    else:
        raise BoardError(f"{source} is not an AsTeRICS Grid backup (it has no grids).")
    good = [
        g
        for g in grids
        if isinstance(g, dict) and isinstance(g.get("id"), str) and g.get("modelName") != "MetaData"
    ]
    if not good:
        raise BoardError(f"{source} is not an AsTeRICS Grid backup (it has no grids).")
    return good, metadata


def _main_language(grids: list[dict[str, Any]]) -> str:
    counts: Counter[str] = Counter()
    for grid in grids:
        for element in _elements(grid):
            label = element.get("label")
            if isinstance(label, dict):
                counts.update(k for k, v in label.items() if isinstance(v, str) and v.strip())
    return counts.most_common(1)[0][0] if counts else "en"


def _text(value: Any, lang: str) -> str:
    """A per-language text ({"es": ..., "en": ...}) in `lang`, else "" (plain strings too)."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict):
        text = value.get(lang)
        return text.strip() if isinstance(text, str) else ""
    return ""


def _other_language_text(value: Any) -> str:
    if isinstance(value, dict):
        return next((v.strip() for v in value.values() if isinstance(v, str) and v.strip()), "")
    return ""


def _board_ids(grids: list[dict[str, Any]], names: dict[str, str]) -> dict[str, str]:
    ids: dict[str, str] = {}
    taken: set[str] = set()
    for grid in grids:
        base = slug(names[grid["id"]]) or "board"
        candidate, n = base, 2
        while candidate in taken:
            candidate, n = f"{base}-{n}", n + 1
        taken.add(candidate)
        ids[grid["id"]] = candidate
    return ids


def _elements(grid: dict[str, Any]) -> list[dict[str, Any]]:
    elements = grid.get("gridElements")
    return [e for e in elements if isinstance(e, dict)] if isinstance(elements, list) else []


def _int(value: Any, default: int) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else default


# --- one grid ----------------------------------------------------------------------------------


def _board(
    grid: dict[str, Any],
    board_ids: dict[str, str],
    names: dict[str, str],
    lang: str,
    report: ImportReport,
) -> Board:
    name = names[grid["id"]]
    elements = _elements(grid)
    # Every element's start, kept or not, defines the columns and rows, so gaps stay gaps.
    xs = sorted({max(0, _int(e.get("x"), 0)) for e in elements}) or [0]
    ys = sorted({max(0, _int(e.get("y"), 0)) for e in elements}) or [0]
    columns, rows = len(xs), len(ys)
    reflow = columns > MAX_GRID_SIDE or rows > MAX_GRID_SIDE
    if reflow:
        report.add(name, f"more than {MAX_GRID_SIDE} columns or rows: cells reflowed in order")
        columns = min(columns, MAX_GRID_SIDE)
        rows = min(MAX_GRID_SIDE, -(-len(elements) // columns))
    board = Board(id=board_ids[grid["id"]], name=name, rows=rows, columns=columns, lang=lang)
    column_of = {x: i for i, x in enumerate(xs)}
    row_of = {y: i for i, y in enumerate(ys)}
    ordered = sorted(elements, key=lambda e: (_int(e.get("y"), 0), _int(e.get("x"), 0)))
    for element in ordered:
        where = f"{name} ({_int(element.get('x'), 0)},{_int(element.get('y'), 0)})"
        cell = _cell(element, board, board_ids, names, lang, report, where)
        if cell is None:
            continue
        width, height = _int(element.get("width"), 1), _int(element.get("height"), 1)
        if width > 1 or height > 1:
            report.add(f"{where} {cell.label!r}", "spans several slots: kept in its first slot")
        slot = None
        if not reflow:
            slot = (
                row_of[max(0, _int(element.get("y"), 0))] * columns
                + column_of[max(0, _int(element.get("x"), 0))]
            )
        if slot is None or board.cells[slot] is not None:
            free = next((i for i, c in enumerate(board.cells) if c is None), None)
            if free is None and board.rows < MAX_GRID_SIDE:
                board.rows += 1  # one more row rather than losing the cell
                board.cells.extend([None] * board.columns)
                free = len(board.cells) - board.columns
            if free is None:
                report.add(f"{where} {cell.label!r}", "no free slot left on the board: skipped")
                continue
            if not reflow:
                report.add(f"{where} {cell.label!r}", "overlaps another cell: moved to a free slot")
            slot = free
        board.cells[slot] = cell
    return board


def _cell(
    element: dict[str, Any],
    board: Board,
    board_ids: dict[str, str],
    names: dict[str, str],
    lang: str,
    report: ImportReport,
    where: str,
) -> Cell | None:
    kind = element.get("type", "ELEMENT_TYPE_NORMAL")
    if kind != "ELEMENT_TYPE_NORMAL":
        report.add(where, f"{SKIPPED_TYPES.get(kind, f'element type {kind}')}: skipped")
        return None
    label = _text(element.get("label"), lang)
    if not label:
        label = _other_language_text(element.get("label"))
        if label:
            report.add(f"{where} {label!r}", f"label only in another language than {lang!r}")
    if element.get("hidden") is True:
        report.add(f"{where} {label!r}", "hidden element: skipped")
        return None
    link, action, vocalization, dropped = _actions(element, board_ids, lang)
    shown = f"{where} {label!r}" if label else where
    for what in dropped:
        report.add(shown, what)
    pictogram_id = _image(element.get("image"), report, shown)
    if not label:
        if link is not None:
            target = next((g for g, b in board_ids.items() if b == link), None)
            label = names.get(target or "", "")
        elif action is not None:
            label = CONTROL_LABELS.get(lang, CONTROL_LABELS["en"])[action]
    if not label and pictogram_id is None:
        raw = element.get("label")
        if isinstance(raw, dict) and any(
            isinstance(v, str) and v and not v.strip() for v in raw.values()
        ):
            report.add(where, "blank label (a keyboard's space key): skipped")
        elif dropped or _has_picture(element.get("image")):
            report.add(where, "nothing left to show (no label, no ARASAAC picture): skipped")
        # else: an empty slot, which AsTeRICS stores as an element with nothing in it
        return None
    if len(label) > MAX_LABEL_CHARS:
        report.add(shown, f"label over {MAX_LABEL_CHARS} characters: shortened, said in full")
        vocalization = vocalization or label
        label = label[: MAX_LABEL_CHARS - 1].rstrip() + "…"
    category = COLOUR_CATEGORIES.get(str(element.get("colorCategory")), Category.NOUNS)
    colour_category = element.get("colorCategory")
    if colour_category and colour_category not in COLOUR_CATEGORIES:
        report.add(shown, f"colour category {colour_category}: shown as a noun")
    if action is not None and action is not Action.MARKER:
        category = Category.CONTROLS
    color = _colour(element.get("backgroundColor"))
    return Cell(
        id=board.new_cell_id(label or f"cell-{element.get('x', 0)}-{element.get('y', 0)}"),
        label=label,
        pictogram_id=pictogram_id,
        category=category,
        link=link,
        action=action if link is None else None,
        vocalization=vocalization,
        color=color,
    )


def _actions(
    element: dict[str, Any], board_ids: dict[str, str], lang: str
) -> tuple[str | None, Action | None, str | None, list[str]]:
    """(link, action, vocalization, what was dropped) from an element's actions."""
    link: str | None = None
    action: Action | None = None
    vocalization: str | None = None
    dropped: list[str] = []
    actions = element.get("actions")
    for item in actions if isinstance(actions, list) else []:
        if not isinstance(item, dict):
            continue
        model = item.get("modelName")
        if model in _SPEAK_ACTIONS:
            continue
        if model == "GridActionSpeakCustom":
            vocalization = _text(item.get("speakText"), lang) or vocalization
        elif model == "GridActionNavigate":
            nav = item.get("navType") or "navigateToGrid"
            target = item.get("toGridId")
            if nav == "navigateToHomeGrid":
                action = Action.HOME
            elif nav == "navigateToLastOpenedGrid":
                action = Action.HOME
                dropped.append("'back to the last grid': goes to the home board instead")
            elif nav == "navigateToGrid" and target in board_ids:
                link = board_ids[target]
            elif nav == "navigateToGrid":
                dropped.append("opens a grid that is not in the backup: link dropped")
            else:
                dropped.append(f"navigation {nav}: dropped")
        elif model == "GridActionCollectElement":
            mapped = COLLECT_ACTIONS.get(str(item.get("action")))
            if mapped is None:
                dropped.append(f"sentence-bar action {item.get('action')}: dropped")
            else:
                action = mapped
                if item.get("action") == "COLLECT_ACTION_REMOVE_CHAR":
                    dropped.append("'delete letter' deletes a word here")
        else:
            dropped.append(f"action {model}: dropped")
    return link, action, vocalization, dropped


def _image(image: Any, report: ImportReport, where: str) -> int | None:
    """The ARASAAC id of an element's picture; other pictures are reported, not kept."""
    if not isinstance(image, dict):
        return None
    url = image.get("url")
    if isinstance(url, str) and url.strip():
        url = url.strip()
        match = _API_IMAGE_RE.match(url)
        pictogram_id = int(match.group(1)) if match else pictogram_id_from_url(url)
        if pictogram_id is None or pictogram_id <= 0:
            report.add(where, "picture from the web (not ARASAAC): not kept")
            return None
        options = {k: v[-1] for k, v in parse_qs(urlsplit(url).query).items()}
        changed = sorted(
            f"{k}={v}" for k, v in options.items() if _DEFAULT_IMAGE_OPTIONS.get(k) != v
        )
        if changed:
            report.add(where, f"ARASAAC picture option {', '.join(changed)}: not kept")
        return pictogram_id
    data = image.get("data")
    if isinstance(data, str) and data.startswith("data:"):
        report.add(where, "embedded picture (data URL): not kept")
    return None


def _has_picture(image: Any) -> bool:
    return isinstance(image, dict) and any(
        isinstance(image.get(k), str) and image[k].strip() for k in ("url", "data")
    )


def _colour(value: Any) -> str | None:
    if isinstance(value, str):
        match = _HEX_RE.match(value.strip())
        if match:
            return "#" + match.group(1).lower()
    return None
