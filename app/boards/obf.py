"""Open Board Format (`.obf` one board, `.obz` a package): the public names in one place.

The work is split by job: `obf_format` (names, actions, colours), `obf_export`, `obf_import`
(keeps what maps, reports the rest per item), `untrusted` (size-limited reads, limited JSON,
bounded zips) and `pictures` (header checks, content-addressed picture files).
"""

from app.boards.obf_export import PictogramImage, export_obf, export_obz
from app.boards.obf_format import (
    ARASAAC_LICENSE,
    EXT,
    OBF_FORMAT,
    ObfError,
    guess_category,
    parse_colour,
    rgb_string,
)
from app.boards.obf_import import (
    ImportResult,
    Skip,
    Skipped,
    import_board_file,
    import_obf,
    import_obz,
)

__all__ = [
    "ARASAAC_LICENSE",
    "EXT",
    "OBF_FORMAT",
    "ImportResult",
    "ObfError",
    "PictogramImage",
    "Skip",
    "Skipped",
    "export_obf",
    "export_obz",
    "guess_category",
    "import_board_file",
    "import_obf",
    "import_obz",
    "parse_colour",
    "rgb_string",
]
