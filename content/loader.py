"""Load a content pack folder of YAML files, validate it, and report problems as `file:line: message`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from content.checks import LIST_KEYS, Path_, Problem, cross_check, style_warnings
from content.models import Pack

PACKS_DIR = Path(__file__).with_name("packs")
DEFAULT_PACK = PACKS_DIR / "ml-platform-engineer"


class PackError(Exception):
    """A pack failed validation; `problems` says where and why."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class _Source:
    """Merged YAML data with a map from each value's path to the file and line it came from."""

    data: dict[str, Any]
    lines: dict[Path_, tuple[str, int]]

    def where(self, path: Path_) -> tuple[str, int]:
        """The file and line of the nearest known ancestor of `path`."""
        for cut in range(len(path), -1, -1):
            hit = self.lines.get(tuple(path[:cut]))
            if hit:
                return hit
        return ("<pack>", 1)


def _walk(node: yaml.Node, path: Path_, file: str, lines: dict[Path_, tuple[str, int]]) -> Any:
    lines.setdefault(path, (file, node.start_mark.line + 1))
    if isinstance(node, yaml.MappingNode):
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = _scalar(key_node)
            out[key] = _walk(value_node, (*path, key), file, lines)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_walk(item, (*path, i), file, lines) for i, item in enumerate(node.value)]
    return _scalar(node)


# libyaml's parser when PyYAML was built with it; it reports the same line numbers.
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_CONSTRUCTOR = yaml.constructor.SafeConstructor()


def _scalar(node: yaml.Node) -> Any:
    # Build the value from the node itself (its tag was resolved while composing), which is
    # many times faster than serializing the node and parsing it again.
    try:
        return _CONSTRUCTOR.construct_object(node, deep=True)
    finally:
        _CONSTRUCTOR.constructed_objects.clear()


def _read(folder: Path) -> tuple[_Source, list[Problem]]:
    data: dict[str, Any] = {}
    lines: dict[Path_, tuple[str, int]] = {}
    problems: list[Problem] = []
    files = sorted(folder.glob("*.yaml")) + sorted(folder.glob("*.yml"))
    if not files:
        problems.append(Problem(str(folder), 1, "no .yaml files in this folder"))
    for file in files:
        name = str(file)
        try:
            root = yaml.compose(file.read_text(encoding="utf-8"), Loader=_LOADER)
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark
            problems.append(Problem(name, (mark.line + 1) if mark else 1, f"YAML: {exc.problem}"))
            continue
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(name, 1, f"cannot read: {exc}"))
            continue
        if root is None:
            continue
        if not isinstance(root, yaml.MappingNode):
            problems.append(Problem(name, root.start_mark.line + 1, "top level must be a mapping"))
            continue
        local: dict[Path_, tuple[str, int]] = {}
        parsed = _walk(root, (), name, local)
        for key, value in parsed.items():
            if key in LIST_KEYS and isinstance(value, list):
                offset = len(data.get(key, []))
                data.setdefault(key, [])
                data[key].extend(value)
                for path, hit in local.items():
                    if path and path[0] == key:
                        if len(path) >= 2 and isinstance(path[1], int):
                            lines.setdefault((key, path[1] + offset, *path[2:]), hit)
                        else:
                            lines.setdefault(path, hit)
            elif key in data:
                line = local.get((key,), (name, 1))[1]
                problems.append(Problem(name, line, f"'{key}' is already defined in another file"))
            else:
                data[key] = value
                for path, hit in local.items():
                    if path and path[0] == key:
                        lines.setdefault(path, hit)
    return _Source(data, lines), problems


def _validation_problems(src: _Source, exc: ValidationError) -> list[Problem]:
    problems = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        file, line = src.where(loc)
        where = ".".join(str(p) for p in loc)
        problems.append(Problem(file, line, f"{where}: {err['msg']}"))
    return problems


def check_pack_with_warnings(folder: Path) -> tuple[Pack | None, list[Problem], list[Problem]]:
    """Like `check_pack`, plus the style warnings of a valid pack."""
    if not folder.is_dir():
        return None, [Problem(str(folder), 1, "not a folder")], []
    src, problems = _read(folder)
    if problems:
        return None, problems, []
    try:
        pack = Pack.model_validate(src.data)
    except ValidationError as exc:
        return None, _validation_problems(src, exc), []
    problems = cross_check(pack, src)
    if problems:
        return None, problems, []
    return pack, [], style_warnings(pack, src)


def check_pack(folder: Path) -> tuple[Pack | None, list[Problem]]:
    """Validate a pack folder; returns the pack (when valid) and every problem found."""
    pack, problems, _ = check_pack_with_warnings(folder)
    return pack, problems


def load_pack(folder: Path) -> Pack:
    """Load and validate a pack, raising `PackError` with every problem."""
    pack, problems = check_pack(folder)
    if pack is None:
        raise PackError(problems)
    return pack


_CACHE: dict[Path, Pack] = {}


def load_default_pack(folder: Path | None = None) -> Pack:
    """Load the shipped pack (or `folder`) once per process."""
    folder = (folder or DEFAULT_PACK).resolve()
    if folder not in _CACHE:
        _CACHE[folder] = load_pack(folder)
    return _CACHE[folder]
