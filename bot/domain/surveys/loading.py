"""Reading survey definitions from YAML (a file in config/surveys/ or the admin textarea),
with every problem told in plain English: which file, which field, what is wrong."""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from bot.domain.surveys.definition import Definition
from bot.errors import InvalidInputError


def _where(location: tuple[int | str, ...], data: object) -> str:
    """A field path people can find in their file: questions[2] (aware).show_if."""
    parts: list[str] = []
    node = data
    for step in location:
        if isinstance(step, int):
            name = node[step].get("id") if _is_list_of_dicts(node, step) else None  # type: ignore[index]
            parts[-1:] = [f"{parts[-1] if parts else ''}[{step + 1}]"]
            if name:
                parts[-1] += f" ({name})"
        else:
            parts.append(str(step))
        node = _child(node, step)
    return ".".join(parts) or "the file"


def _is_list_of_dicts(node: object, index: int) -> bool:
    return (
        isinstance(node, list) and index < len(node) and isinstance(node[index], dict)
    )


def _child(node: object, step: int | str) -> object:
    if isinstance(node, list) and isinstance(step, int) and step < len(node):
        return node[step]
    if isinstance(node, dict):
        return node.get(step)
    return None


def _message(error: ValidationError, data: object) -> list[str]:
    lines = []
    for problem in error.errors():
        where = _where(tuple(problem["loc"]), data)
        text = str(problem["msg"]).removeprefix("Value error, ")
        if problem["type"] == "extra_forbidden":
            text = "is not a setting a survey has (check the spelling)"
        elif problem["type"] == "missing":
            text = "is missing"
        lines.append(f"{where}: {text}")
    return lines


def parse_definition(text: str, source: str = "the survey") -> Definition:
    """A definition from YAML text.

    Raises:
        InvalidInputError: Not YAML, not a mapping, or not a valid survey; the message
            names `source` and each problem's field.
    """
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" near line {mark.line + 1}" if mark else ""
        raise InvalidInputError(
            f"{source}: this is not valid YAML{line}; check the indentation and colons."
        ) from None
    if not isinstance(data, dict):
        raise InvalidInputError(
            f"{source}: a survey file starts with settings such as 'slug:' and 'title:'."
        )
    try:
        return Definition.model_validate(data)
    except ValidationError as exc:
        problems = _message(exc, data)
        raise InvalidInputError(
            f"{source} has {len(problems)} problem{'s' if len(problems) > 1 else ''}:\n"
            + "\n".join(f"- {p}" for p in problems)
        ) from None


def survey_files(path: Path) -> list[Path]:
    """The .yaml/.yml files at a path (a file, or a folder's files sorted by name).

    Raises:
        InvalidInputError: The path does not exist or holds no survey files.
    """
    if path.is_file():
        return [path]
    if not path.is_dir():
        raise InvalidInputError(f"{path}: no such file or folder.")
    files = sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml"))
    if not files:
        raise InvalidInputError(f"{path}: no .yaml survey files in this folder.")
    return files


def read_definition(path: Path) -> Definition:
    """Raises:
    InvalidInputError: As `parse_definition`, or the file cannot be read as UTF-8.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"{path}: cannot be read ({exc}).") from None
    return parse_definition(text, str(path))
