"""`pictovoz models list|download|add|use|remove`: the model manager on the command line."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from app.generation.hub import download_model
from app.generation.models import (
    ModelInfo,
    ModelManagerError,
    add_local_model,
    list_models,
    remove_model,
    use_model,
)
from app.generation.prompts import PromptStyle


def human_size(n: int | None) -> str:
    if n is None:
        return "-"
    size = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


# --- command line --------------------------------------------------------------------------------
def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add `models` to the app's CLI (`app/cli.py::_register_optional` calls this)."""
    parser = subparsers.add_parser(
        "models",
        help="list, download, add and choose GGUF models",
        description="Models beyond the embedded one: download a GGUF from the Hugging Face Hub "
        "or add one from disk, then `use` it. `use default` goes back to the built-in model.",
    )
    sub = parser.add_subparsers(dest="models_command", required=True)
    sub.add_parser("list", help="the models the app can run, with sizes and prompt styles")

    styles = [s.value for s in PromptStyle]
    dl = sub.add_parser("download", help="download a GGUF from the Hugging Face Hub")
    dl.add_argument("repo_id", help="e.g. bartowski/Qwen2.5-1.5B-Instruct-GGUF")
    dl.add_argument("filename", help="the .gguf file in that repository")
    dl.add_argument("--revision", default="main", help="branch, tag or commit (default main)")
    dl.add_argument("--sha256", help="also check the file against this sha256")
    dl.add_argument("--name", help="name to use it by (default: the file name)")
    dl.add_argument("--style", choices=styles, help="prompt style (default: guessed)")
    dl.add_argument("--endpoint", help="a Hub mirror (default: $HF_ENDPOINT or huggingface.co)")
    dl.add_argument("--use", action="store_true", help="also make the app use it")

    add = sub.add_parser("add", help="add a GGUF file from disk")
    add.add_argument("path", type=Path)
    add.add_argument("--copy", action="store_true", help="copy it into the models folder")
    add.add_argument("--name", help="name to use it by (default: the file name)")
    add.add_argument("--style", choices=styles, help="prompt style (default: guessed)")
    add.add_argument("--sha256", help="check the file against this sha256 first")
    add.add_argument("--use", action="store_true", help="also make the app use it")

    use = sub.add_parser("use", help="make the app run a model (`default`: the built-in one)")
    use.add_argument("name")

    rm = sub.add_parser("remove", help="forget a model (and delete it if it was downloaded)")
    rm.add_argument("name")
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    """0: done; 1: the operation failed (the message says why)."""
    out = sys.stdout
    try:
        if args.models_command == "list":
            _write_table(list_models(), out)
            return 0
        if args.models_command == "use":
            settings = use_model(args.name)
            out.write(f"Using {args.name}: {settings.model_path or 'the built-in model'}\n")
            return 0
        if args.models_command == "remove":
            entry = remove_model(args.name)
            out.write(f"Removed {entry.name}" + (f" ({entry.path})\n" if entry.owned else "\n"))
            return 0
        style = PromptStyle(args.style) if args.style else None
        if args.models_command == "download":
            entry = download_model(
                args.repo_id,
                args.filename,
                revision=args.revision,
                sha256=args.sha256,
                name=args.name,
                style=style,
                endpoint=args.endpoint,
            )
        else:
            entry = add_local_model(
                args.path, name=args.name, copy=args.copy, style=style, sha256=args.sha256
            )
        out.write(
            f"Added {entry.name}: {entry.path} ({human_size(entry.size)}, {entry.style} prompt)\n"
        )
        if args.use:
            use_model(entry.name)
            out.write(f"Using {entry.name}\n")
        return 0
    except ModelManagerError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1


def _write_table(rows: list[ModelInfo], out: Any) -> None:
    width = max(len(r.name) for r in rows)
    for r in rows:
        mark = "*" if r.in_use else " "
        where = str(r.path) if r.path else "-"
        note = f"  ({r.note})" if r.note else ""
        out.write(
            f"{mark} {r.name:<{width}}  {human_size(r.size):>9}  {r.style:<9}  {r.source:<8}  "
            f"{where}{note}\n"
        )
    out.write("* = in use. `pictovoz models use NAME` chooses another.\n")
