"""`pictovoz-train`: the training pipeline's command line.

Each stage is a module with `register(subparsers)`, which adds its sub-command and sets
`func(args) -> exit code`; a new stage (train, merge, evaluate) is one more entry in
`COMMANDS`.
"""

from __future__ import annotations

import argparse
import logging
from collections.abc import Callable, Sequence

from training import corpus, evaluate, export, finetune, pack

COMMANDS: tuple[Callable[[argparse._SubParsersAction], None], ...] = (
    corpus.register,
    pack.register,
    finetune.register,
    export.register,
    evaluate.register,
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pictovoz-train",
        description="Build PictoVoz's training corpus, fine-tune, merge and evaluate the model.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for register in COMMANDS:
        register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(levelname)s %(name)s: %(message)s",
    )
    return args.func(args)


if __name__ == "__main__":
    raise SystemExit(main())
