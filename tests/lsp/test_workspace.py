"""Documents → snapshots: a folder is one rulebook, open texts win over the disk, a load is
made once per version of the texts, and the last clean rulebook outlives a broken edit."""

from __future__ import annotations

import shutil
from pathlib import Path

from policy_match.lsp.workspace import Workspace

ROOT = Path(__file__).resolve().parents[2]


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "book"
    folder.mkdir()
    for name in ("tags.rule", "defines.rule"):
        shutil.copy(ROOT / "rules" / name, folder / name)
    return folder


def test_an_open_document_is_read_with_its_folder(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    doc = str(folder / "new.rule")
    rules = Workspace()
    rules.update(doc, "define 甲 = 营业收入 >= 1\n")
    snap = rules.snapshot(doc)
    assert set(snap.result.files) == {str(folder / "tags.rule"), str(folder / "defines.rule"), doc}
    assert snap.result.rulebook is not None and "甲" in snap.result.rulebook.defines


def test_the_editors_text_wins_over_the_disk(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    defines = str(folder / "defines.rule")
    rules = Workspace()
    rules.update(defines, "define 乙 = 营业收入 >= 1\n")
    book = rules.snapshot(defines).result.rulebook
    assert book is not None and set(book.defines) == {"乙"}


def test_one_load_per_version_and_the_last_clean_book_is_kept(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    doc = str(folder / "new.rule")
    rules = Workspace()
    rules.update(doc, "define 甲 = 营业收入 >= 1\n")
    clean = rules.snapshot(doc)
    assert rules.snapshot(doc) is clean  # same texts: the cached load
    rules.update(doc, "define 甲 = 营业收人 >= 1\n")
    broken = rules.snapshot(doc)
    assert broken is not clean and broken.result.rulebook is None
    assert broken.book is clean.result.rulebook  # hover still words the defines


def test_an_unsaved_buffer_is_checked_alone(tmp_path: Path) -> None:
    rules = Workspace()
    rules.update("untitled:Untitled-1", "tag 甲: number\ndefine 乙 = 甲 >= 1\n")
    snap = rules.snapshot("untitled:Untitled-1")
    assert snap.result.files == ("untitled:Untitled-1",)
    assert snap.result.rulebook is not None
