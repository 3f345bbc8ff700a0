"""Staff bearer tokens: which department a token speaks for.

The tokens file (``--tokens FILE``) is either a JSON object ``{"token": "区财政局", ...}`` or
plain text, one token per line followed by its department, separated by white space
(``#`` starts a comment)::

    # token                             department
    3f9c1d0b6e2a47f8a1c5e9d2b7f04c61    区科学技术局
    a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5    *

The department ``*`` stands for every department (the service hall's staff, who answer for
all items). A department is the 执行部门 written in the rules. Tokens are compared in
constant time; a token shorter than 16 characters is refused when the file is read, so a
guessable token never guards enterprise data.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Mapping
from pathlib import Path

__all__ = ["ALL_DEPARTMENTS", "MIN_TOKEN_LENGTH", "Tokens", "TokensError"]

ALL_DEPARTMENTS = "*"
MIN_TOKEN_LENGTH = 16


class TokensError(ValueError):
    """The tokens file cannot be used (what is wrong, and where)."""


class Tokens:
    """Bearer token → department."""

    def __init__(self, mapping: Mapping[str, str] | None = None) -> None:
        self._by_token = dict(mapping or {})
        for token, department in self._by_token.items():
            if len(token) < MIN_TOKEN_LENGTH:
                raise TokensError(f"a token must have at least {MIN_TOKEN_LENGTH} characters "
                                  f"(the one for {department!r} has {len(token)})")
            if not department.strip():
                raise TokensError("every token names a department")

    @classmethod
    def read(cls, path: str | Path) -> Tokens:
        file = Path(path)
        try:
            text = file.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise TokensError(f"{file}: cannot read the tokens file: {exc}") from None
        if text.lstrip().startswith("{"):
            return cls(_from_json(file, text))
        return cls(_from_lines(file, text))

    @classmethod
    def of(cls, source: str | Path | Mapping[str, str] | Tokens | None) -> Tokens:
        """Tokens from a path, a mapping, or nothing (no staff access at all)."""
        if source is None:
            return cls()
        if isinstance(source, Tokens):
            return source
        if isinstance(source, Mapping):
            return cls(source)
        return cls.read(source)

    def __len__(self) -> int:
        return len(self._by_token)

    def department_for(self, token: str | None) -> str | None:
        """The department ``token`` speaks for, or None for no token or an unknown one."""
        if not token:
            return None
        given = token.encode("utf-8")
        found: str | None = None
        for known, department in self._by_token.items():  # every one compared: no timing hint
            if hmac.compare_digest(known.encode("utf-8"), given):
                found = department
        return found

    @staticmethod
    def may_see(department: str, item_department: str | None) -> bool:
        """Whether a token of ``department`` may see data of an item run by
        ``item_department`` (its 执行部门)."""
        return department == ALL_DEPARTMENTS or department == (item_department or "")


def _from_json(file: Path, text: str) -> dict[str, str]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TokensError(f"{file}: not JSON: {exc}") from None
    if not isinstance(data, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
        raise TokensError(f'{file}: a JSON tokens file is one object {{"token": "department"}}')
    return data


def _from_lines(file: Path, text: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        content = line.split("#", 1)[0].strip()
        if not content:
            continue
        parts = content.split(None, 1)
        if len(parts) != 2:
            raise TokensError(f"{file}:{number}: write the token, a space, then the department")
        token, department = parts[0], parts[1].strip()
        if token in found:
            raise TokensError(f"{file}:{number}: this token is given twice")
        found[token] = department
    return found
