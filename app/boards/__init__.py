"""Boards: the model (`model`), safe storage (`storage`), Open Board Format import and export
(`obf`), AsTeRICS Grid import (`asterics`), and the default Spanish and English boards
(`defaults/*.json`). Undo lives with editing, in `app.session`."""

from app.boards.model import (
    CATEGORY_COLOURS,
    Action,
    Board,
    BoardError,
    BoardSet,
    Category,
    Cell,
)
from app.boards.storage import (
    BoardFileError,
    LoadResult,
    NewerVersionError,
    load_board_set,
    load_default_boards,
    open_user_boards,
    save_board_set,
    user_boards_path,
)

__all__ = [
    "CATEGORY_COLOURS",
    "Action",
    "Board",
    "BoardError",
    "BoardFileError",
    "BoardSet",
    "Category",
    "Cell",
    "LoadResult",
    "NewerVersionError",
    "load_board_set",
    "load_default_boards",
    "open_user_boards",
    "save_board_set",
    "user_boards_path",
]
