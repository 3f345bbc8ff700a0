"""Match snapshots: a :class:`~policy_match.core.match.MatchResult` kept as Parquet, and
what changed between two of them (what a department reviews after the enterprise library
is refreshed).

Layout of a snapshot file: one row per enterprise, in table order, and one column per policy
(named by the policy id, in rulebook order) holding that pair's verdict, plus a first column
``enterprise`` with the enterprise id. Every verdict column is dictionary-encoded over the
four words ``ineligible, eligible, unknown, inactive``, so Parquet stores it as run-length
encoded 2-bit codes: a snapshot of every pair costs about as much as a list of the eligible
pairs, and any Parquet reader can query it directly
(``SELECT enterprise FROM 'snap.parquet' WHERE "WH-KJ-2024-003" = 'eligible'``).

The schema metadata (key ``policy_match.apps.snapshot``, JSON) holds ``as_of``, the rulebook hash
(:func:`rulebook_hash`: sha256 over the rule files' contents), the table source, the
creation time, the library version and each policy's name, 执行部门 and 适用时间.

:func:`diff` compares two snapshots enterprise by enterprise (by id): per policy, the pairs
that became eligible, stopped being eligible, became unknown, or stopped being unknown.
Each changed pair is in exactly one of those lists, checked in that order (eligible →
unknown is "no longer eligible", with both verdicts kept). A change between ineligible and
inactive (the item left or entered its 适用时间) is not a pair change: it shows as the
policy becoming inactive or active. Enterprises in only one snapshot are listed as added or
removed, policies in only one as added or removed; neither takes part in pair changes.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from policy_match.base.messages import Worded
from policy_match.data.id_index import IdIndex
from policy_match.data.io.cells import inert
from policy_match.dsl.ir import Verdict
from policy_match.engine import bitset

if TYPE_CHECKING:
    from policy_match.core.match import MatchResult
    from policy_match.core.refresh import Changes
    from policy_match.core.rulebook import Rulebook

__all__ = [
    "Change",
    "PairChange",
    "PolicyDiff",
    "PolicyInfo",
    "Snapshot",
    "SnapshotDiff",
    "diff",
    "load_snapshot",
    "render_text",
    "rulebook_hash",
    "save_snapshot",
]

FORMAT = 1
METADATA_KEY = b"policy_match.snapshot"
#: Verdict codes, the dictionary of every verdict column: code i is CODES[i].
CODES: tuple[Verdict, ...] = (Verdict.INELIGIBLE, Verdict.ELIGIBLE, Verdict.UNKNOWN,
                              Verdict.INACTIVE)
INELIGIBLE, ELIGIBLE, UNKNOWN, INACTIVE = range(4)


def rulebook_hash(book: Rulebook) -> str:
    """``sha256:…`` over the rule files' contents (not their paths: moving the folder or
    renaming a file keeps the hash; any edit changes it)."""
    digests = sorted(hashlib.sha256(text.encode("utf-8")).hexdigest()
                     for text in book.sources.values())
    return "sha256:" + hashlib.sha256("\n".join(digests).encode("ascii")).hexdigest()


def _version() -> str:
    try:
        from importlib.metadata import version

        return version("policy_match")
    except Exception:  # pragma: no cover - not installed
        return "unknown"


@dataclass(frozen=True)
class PolicyInfo:
    """What a report says about a policy (kept in the snapshot's metadata)."""

    id: str
    name: str = ""
    department: str | None = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "department": self.department,
                "valid_from": None if self.valid_from is None else self.valid_from.isoformat(),
                "valid_to": None if self.valid_to is None else self.valid_to.isoformat()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PolicyInfo:
        def day(v: Any) -> dt.date | None:
            return None if v is None else dt.date.fromisoformat(v)

        return cls(str(data["id"]), data.get("name") or "", data.get("department"),
                   day(data.get("valid_from")), day(data.get("valid_to")))


@dataclass
class Snapshot:
    """Every (enterprise, policy) verdict of one match, as ``int8`` codes (see ``CODES``)."""

    enterprises: list[str]
    codes: dict[str, np.ndarray]  # policy id -> one code per enterprise
    policies: dict[str, PolicyInfo]
    as_of: dt.date
    rulebook_hash: str = ""
    source: str = ""  # the enterprise table's source
    created: str = ""  # ISO timestamp
    version: str = ""  # policy_match version that wrote it
    path: str = ""  # where it was loaded from
    _index: IdIndex | None = field(default=None, repr=False, compare=False)

    def __repr__(self) -> str:
        return (f"<Snapshot {len(self.enterprises)} enterprises × {len(self.codes)} policies, "
                f"as of {self.as_of}>")

    def __len__(self) -> int:
        return len(self.enterprises)

    @classmethod
    def from_result(cls, result: MatchResult,
                    progress: Callable[[int, int], None] | None = None) -> Snapshot:
        n = len(result.table)
        codes: dict[str, np.ndarray] = {}
        total = len(result.tris)
        for done, (pid, tri) in enumerate(result.tris.items(), 1):
            if progress is not None:
                progress(done, total)
            if tri is None:
                codes[pid] = np.full(n, INACTIVE, dtype=np.int8)
                continue
            column = np.full(n, UNKNOWN, dtype=np.int8)
            column[bitset.unpack(tri.f, n)] = INELIGIBLE
            column[bitset.unpack(tri.t, n)] = ELIGIBLE
            codes[pid] = column
        book = result.book
        policies = {pid: PolicyInfo(pid, p.name, p.department, p.valid_from, p.valid_to)
                    for pid in codes for p in [book.policies[pid]]}
        return cls(list(result.table.ids), codes, policies, result.as_of, rulebook_hash(book),
                   result.table.source,
                   dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), _version())

    # ---- reading --------------------------------------------------------------------------

    @property
    def policy_ids(self) -> list[str]:
        return list(self.codes)

    def index_of(self, enterprise_id: str) -> int:
        """The row of an enterprise id (the first, if the id is duplicated)."""
        if self._index is None:
            self._index = IdIndex(self.enterprises)
        row = self._index.find(enterprise_id)
        if row is None:
            raise KeyError(f"no enterprise {enterprise_id!r} in this snapshot")
        return row

    def _column(self, policy_id: str) -> np.ndarray:
        try:
            return self.codes[policy_id]
        except KeyError:
            raise KeyError(f"no policy {policy_id!r} in this snapshot") from None

    def verdict(self, enterprise_id: str, policy_id: str) -> Verdict:
        return CODES[int(self._column(policy_id)[self.index_of(enterprise_id)])]

    def _with(self, policy_id: str, code: int) -> list[str]:
        return [self.enterprises[i] for i in np.flatnonzero(self._column(policy_id) == code)]

    def eligible(self, policy_id: str) -> list[str]:
        return self._with(policy_id, ELIGIBLE)

    def unknown(self, policy_id: str) -> list[str]:
        return self._with(policy_id, UNKNOWN)

    def ineligible(self, policy_id: str) -> list[str]:
        return self._with(policy_id, INELIGIBLE)

    def active(self, policy_id: str) -> bool:
        """Whether the policy was in its 适用时间 on ``as_of`` (no inactive rows)."""
        column = self._column(policy_id)
        return not (column.size and bool((column == INACTIVE).all()))

    def counts(self) -> dict[str, dict[Verdict, int]]:
        """Per policy: how many enterprises got each verdict (as ``MatchResult.counts``)."""
        out: dict[str, dict[Verdict, int]] = {}
        for pid, column in self.codes.items():
            tally = np.bincount(column, minlength=len(CODES))
            out[pid] = {v: int(tally[i]) for i, v in enumerate(CODES)}
        return out

    # ---- Parquet --------------------------------------------------------------------------

    def metadata(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "as_of": self.as_of.isoformat(),
            "rulebook_hash": self.rulebook_hash,
            "table_source": self.source,
            "created": self.created,
            "policy_match_version": self.version,
            "enterprises": len(self.enterprises),
            "enterprise_column": _enterprise_column(self.codes),
            "verdicts": [v.value for v in CODES],
            "policies": [self.policies.get(pid, PolicyInfo(pid)).to_dict()
                         for pid in self.codes],
        }

    def to_arrow(self) -> Any:
        import pyarrow as pa

        dictionary = pa.array([v.value for v in CODES], pa.string())
        names = [_enterprise_column(self.codes), *self.codes]
        arrays = [pa.array(self.enterprises, pa.string())]
        arrays += [pa.DictionaryArray.from_arrays(pa.array(c, pa.int8()), dictionary)
                   for c in self.codes.values()]
        table = pa.Table.from_arrays(arrays, names=names)
        meta = json.dumps(self.metadata(), ensure_ascii=False).encode("utf-8")
        return table.replace_schema_metadata({METADATA_KEY: meta})

    def save(self, path: str | Path) -> Path:
        import pyarrow.parquet as pq

        out = Path(path)
        pq.write_table(self.to_arrow(), out, compression="zstd")
        return out


def _enterprise_column(codes: Mapping[str, Any]) -> str:
    """``enterprise``, unless a policy id took that name."""
    name = "enterprise"
    while name in codes:
        name += "_"
    return name


def save_snapshot(result: MatchResult, path: str | Path,
                  progress: Callable[[int, int], None] | None = None) -> Snapshot:
    """Write every verdict of ``result`` to a Parquet snapshot; returns the snapshot.
    ``progress(done, total)``: policies read."""
    snap = Snapshot.from_result(result, progress)
    snap.save(path)
    snap.path = str(path)
    return snap


def _decode(column: Any) -> np.ndarray:
    """Verdict codes from a dictionary (or plain string) column, whatever its dictionary."""
    import pyarrow as pa

    lookup = {v.value: i for i, v in enumerate(CODES)}
    parts: list[np.ndarray] = []
    for chunk in column.chunks:
        if not pa.types.is_dictionary(chunk.type):
            chunk = chunk.dictionary_encode()
        words = chunk.dictionary.to_pylist()
        unknown_words = [w for w in words if w not in lookup]
        if unknown_words:
            raise ValueError(f"not a verdict: {unknown_words[0]!r}")
        mapping = np.array([lookup[w] for w in words] or [0], dtype=np.int8)
        indices = chunk.indices.to_numpy(zero_copy_only=False)
        if chunk.null_count:
            raise ValueError("a verdict is missing")
        parts.append(mapping[indices])
    return np.concatenate(parts) if parts else np.empty(0, dtype=np.int8)


def load_snapshot(path: str | Path) -> Snapshot:
    """Read a snapshot written by :func:`save_snapshot`; ``ValueError`` if it is not one."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise ValueError(f"{path}: not a Parquet file: {exc}") from None
    raw = (table.schema.metadata or {}).get(METADATA_KEY)
    if raw is None:
        raise ValueError(f"{path}: not a policy-match snapshot (no {METADATA_KEY.decode()} "
                         "metadata; write one with `policy-match snapshot`)")
    meta = json.loads(raw)
    if meta.get("format") != FORMAT:
        raise ValueError(f"{path}: snapshot format {meta.get('format')} is not supported "
                         f"(this version reads format {FORMAT})")
    key = meta["enterprise_column"]
    infos = [PolicyInfo.from_dict(p) for p in meta["policies"]]
    try:
        enterprises = [str(e) for e in table.column(key).to_pylist()]
        codes = {p.id: _decode(table.column(p.id)) for p in infos}
    except (KeyError, ValueError) as exc:
        raise ValueError(f"{path}: damaged snapshot: {exc}") from None
    return Snapshot(enterprises, codes, {p.id: p for p in infos},
                    dt.date.fromisoformat(meta["as_of"]), meta.get("rulebook_hash", ""),
                    meta.get("table_source", ""), meta.get("created", ""),
                    meta.get("policy_match_version", ""), str(path))


# ---- diff -----------------------------------------------------------------------------------


class Change(Worded):
    BECAME_ELIGIBLE = "became_eligible"
    NO_LONGER_ELIGIBLE = "no_longer_eligible"
    NOW_UNKNOWN = "now_unknown"
    NO_LONGER_UNKNOWN = "no_longer_unknown"


@dataclass(frozen=True)
class PairChange:
    enterprise: str
    policy: str
    change: Change
    old: Verdict
    new: Verdict


@dataclass
class PolicyDiff:
    info: PolicyInfo
    old_counts: dict[Verdict, int]  # over the whole old snapshot
    new_counts: dict[Verdict, int]  # over the whole new snapshot
    changes: dict[Change, list[PairChange]]
    was_active: bool = True
    is_active: bool = True

    @property
    def policy(self) -> str:
        return self.info.id

    @property
    def changed(self) -> bool:
        return any(self.changes.values()) or self.was_active != self.is_active

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.info.to_dict(),
            "was_active": self.was_active, "is_active": self.is_active,
            "old_counts": {v.value: n for v, n in self.old_counts.items()},
            "new_counts": {v.value: n for v, n in self.new_counts.items()},
            "changes": {c.value: [{"enterprise": p.enterprise, "old": p.old.value,
                                   "new": p.new.value} for p in pairs]
                        for c, pairs in self.changes.items()},
        }


def _side(snap: Snapshot) -> dict[str, Any]:
    return {"path": snap.path, "as_of": snap.as_of.isoformat(),
            "rulebook_hash": snap.rulebook_hash, "table_source": snap.source,
            "created": snap.created, "enterprises": len(snap.enterprises),
            "policies": len(snap.codes)}


@dataclass
class SnapshotDiff:
    old: Snapshot
    new: Snapshot
    policies: list[PolicyDiff]  # policies in both, in the new snapshot's order
    added_enterprises: list[str]
    removed_enterprises: list[str]
    added_policies: list[PolicyInfo]
    removed_policies: list[PolicyInfo]
    notes: list[str]

    def pairs(self) -> Iterator[PairChange]:
        for p in self.policies:
            for pairs in p.changes.values():
                yield from pairs

    def counts(self) -> dict[Change, int]:
        out = dict.fromkeys(Change, 0)
        for p in self.policies:
            for change, pairs in p.changes.items():
                out[change] += len(pairs)
        return out

    @property
    def empty(self) -> bool:
        return not (self.added_enterprises or self.removed_enterprises or self.added_policies
                    or self.removed_policies or any(p.changed for p in self.policies))

    def to_dict(self) -> dict[str, Any]:
        return {
            "old": _side(self.old), "new": _side(self.new), "notes": self.notes,
            "counts": {c.value: n for c, n in self.counts().items()},
            "added_enterprises": self.added_enterprises,
            "removed_enterprises": self.removed_enterprises,
            "added_policies": [p.to_dict() for p in self.added_policies],
            "removed_policies": [p.to_dict() for p in self.removed_policies],
            "policies": [p.to_dict() for p in self.policies if p.changed],
        }

    CSV_FIELDS = ("change", "policy", "policy_name", "department", "enterprise", "old", "new")

    def csv_rows(self) -> Iterator[dict[str, str]]:
        """One row per changed pair, then enterprises and policies added or removed
        (``change`` says which; the fields that do not apply are empty)."""
        for p in self.policies:
            for pairs in p.changes.values():
                for pair in pairs:
                    yield {"change": pair.change.value, "policy": p.policy,
                           "policy_name": p.info.name, "department": p.info.department or "",
                           "enterprise": pair.enterprise, "old": pair.old.value,
                           "new": pair.new.value}
        for word, ids in (("enterprise_added", self.added_enterprises),
                          ("enterprise_removed", self.removed_enterprises)):
            for eid in ids:
                yield {"change": word, "policy": "", "policy_name": "", "department": "",
                       "enterprise": eid, "old": "", "new": ""}
        for word, infos in (("policy_added", self.added_policies),
                            ("policy_removed", self.removed_policies)):
            for info in infos:
                yield {"change": word, "policy": info.id, "policy_name": info.name,
                       "department": info.department or "", "enterprise": "", "old": "",
                       "new": ""}

    def to_csv(self) -> str:
        """The CSV text of :meth:`csv_rows`; a cell that would start a formula in a
        spreadsheet gets a leading ``'`` (:func:`policy_match.data.io.cells.inert`)."""
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=self.CSV_FIELDS, lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: inert(v) for k, v in row.items()} for row in self.csv_rows())
        return out.getvalue()


def _first_rows(ids: list[str]) -> tuple[np.ndarray, np.ndarray, int]:
    """Unique ids (sorted) with the row of each one's first occurrence, and the number of
    rows dropped as repeats."""
    arr = np.asarray(ids, dtype=object).astype(str) if ids else np.empty(0, dtype=str)
    unique, first = np.unique(arr, return_index=True)
    return unique, first, len(ids) - len(unique)


def _candidates(changes: Changes | None, n_rows: np.ndarray) -> np.ndarray | None:
    """Which matched pairs (by their new row) may differ, when a refresh says so: the rows
    whose values changed or were added, and those a date move changed; ``None`` (every
    pair) when a policy was added, edited or removed, or without a refresh."""
    if changes is None or changes.policies_touched():
        return None
    return np.flatnonzero(np.isin(n_rows, changes.rows_to_check()))


def diff(old: Snapshot, new: Snapshot, changes: Changes | None = None) -> SnapshotDiff:
    """What changed from ``old`` to ``new``, enterprise by enterprise (matched by id).

    ``changes``: when ``new`` is the snapshot of a daily refresh, ``book.match(table,
    previous=r)``, and ``old`` the snapshot of ``r``, the refresh's ``result.changes``: then
    only the rows it says may differ are compared pair by pair — the same report, in time
    that follows the changed rows instead of the whole table (every row when a policy was
    added, edited or removed)."""
    notes: list[str] = []
    if old.rulebook_hash != new.rulebook_hash:
        notes.append("the rulebook changed between the snapshots: some changes may come "
                     "from rule edits, not from the enterprise data")
    if old.as_of != new.as_of:
        notes.append(f"the evaluation dates differ ({old.as_of} → {new.as_of}): conditions "
                     "on dates (成立年限, 适用时间) may change verdicts by themselves")
    old_ids, old_rows, old_dups = _first_rows(old.enterprises)
    new_ids, new_rows, new_dups = _first_rows(new.enterprises)
    for label, dups in (("old", old_dups), ("new", new_dups)):
        if dups:
            notes.append(f"{dups} repeated enterprise id(s) in the {label} snapshot: only the "
                         "first row of each is compared")
    positional = sum(e.startswith("#") for e in new.enterprises[:1000]) + sum(
        e.startswith("#") for e in old.enterprises[:1000])
    if positional:
        notes.append("some rows have no key and are identified by row number (#N): they "
                     "are compared by position, which a refreshed table need not keep")

    _, in_old, in_new = np.intersect1d(old_ids, new_ids, assume_unique=True,
                                       return_indices=True)
    o_rows, n_rows = old_rows[in_old], new_rows[in_new]
    order = np.argsort(n_rows, kind="stable")  # report in the new table's order
    o_rows, n_rows = o_rows[order], n_rows[order]
    kept_old = np.zeros(len(old_ids), dtype=bool)
    kept_old[in_old] = True
    kept_new = np.zeros(len(new_ids), dtype=bool)
    kept_new[in_new] = True
    added = [new.enterprises[i] for i in np.sort(new_rows[~kept_new])]
    removed = [old.enterprises[i] for i in np.sort(old_rows[~kept_old])]

    candidates = _candidates(changes, n_rows)
    if candidates is not None:  # every other pair is the same on both sides
        o_rows, n_rows = o_rows[candidates], n_rows[candidates]
    old_counts, new_counts = old.counts(), new.counts()
    policies: list[PolicyDiff] = []
    for pid in new.codes:
        if pid not in old.codes:
            continue
        was, now = old.codes[pid][o_rows], new.codes[pid][n_rows]
        masks = {
            Change.BECAME_ELIGIBLE: (now == ELIGIBLE) & (was != ELIGIBLE),
            Change.NO_LONGER_ELIGIBLE: (was == ELIGIBLE) & (now != ELIGIBLE),
            Change.NOW_UNKNOWN: (now == UNKNOWN) & (was != UNKNOWN) & (was != ELIGIBLE),
            Change.NO_LONGER_UNKNOWN: (was == UNKNOWN) & (now != UNKNOWN) & (now != ELIGIBLE),
        }
        pairs = {
            change: [PairChange(new.enterprises[n_rows[k]], pid, change,
                                CODES[int(was[k])], CODES[int(now[k])])
                     for k in np.flatnonzero(mask)]
            for change, mask in masks.items()
        }
        info = new.policies.get(pid) or old.policies.get(pid) or PolicyInfo(pid)
        policies.append(PolicyDiff(info, old_counts[pid], new_counts[pid], pairs,
                                   old.active(pid), new.active(pid)))
    added_policies = [new.policies.get(p, PolicyInfo(p)) for p in new.codes
                      if p not in old.codes]
    removed_policies = [old.policies.get(p, PolicyInfo(p)) for p in old.codes
                        if p not in new.codes]
    if added_policies or removed_policies:
        notes.append("policies added or removed between the snapshots are listed, not "
                     "compared pair by pair")
    return SnapshotDiff(old, new, policies, added, removed, added_policies, removed_policies,
                        notes)


# ---- text report ------------------------------------------------------------------------------


def render_text(result: SnapshotDiff, limit: int | None = 20) -> str:
    """The diff for a person: per 执行部门 and policy, the changed enterprises (at most
    ``limit`` per list; ``None`` for all)."""

    def head(label: str, snap: Snapshot) -> str:
        where = snap.path or "(snapshot)"
        return (f"{label}: {where} — as of {snap.as_of}, {len(snap.enterprises):,} enterprises, "
                f"{len(snap.codes)} policies, rulebook {snap.rulebook_hash[:19]}"
                + (f", from {snap.source}" if snap.source else ""))

    def listed(ids: list[str]) -> list[str]:
        shown = ids if limit is None else ids[:limit]
        out = [f"      {i}" for i in shown]
        if len(shown) < len(ids):
            out.append(f"      … and {len(ids) - len(shown):,} more")
        return out

    lines = [head("old", result.old), head("new", result.new)]
    lines += [f"note: {n}" for n in result.notes]
    lines.append("")
    if result.empty:
        lines.append("no changes")
        return "\n".join(lines)
    totals = result.counts()
    lines.append(
        "pairs: " + "，".join(f"{c.zh} {totals[c]:,}" for c in Change)
        + f"；enterprises: +{len(result.added_enterprises):,} added, "
          f"-{len(result.removed_enterprises):,} removed")
    for title, ids in (("enterprises added (新增企业)", result.added_enterprises),
                       ("enterprises removed (移除企业)", result.removed_enterprises)):
        if ids:
            lines += ["", f"  {title}: {len(ids):,}", *listed(ids)]
    for title, infos in (("policies added (新增事项)", result.added_policies),
                         ("policies removed (移除事项)", result.removed_policies)):
        if infos:
            lines += ["", f"  {title}:"]
            lines += [f"      {i.id} {i.name}" + (f"（{i.department}）" if i.department else "")
                      for i in infos]
    by_department: dict[str, list[PolicyDiff]] = {}
    for p in result.policies:
        if p.changed:
            by_department.setdefault(p.info.department or "（未填执行部门）", []).append(p)
    for department in sorted(by_department):
        lines += ["", department]
        for p in by_department[department]:
            summary = "，".join(f"{c.zh} {len(p.changes[c]):,}" for c in Change if p.changes[c])
            if p.was_active != p.is_active:
                summary = ("进入适用时间" if p.is_active else "已不在适用时间") + (
                    f"；{summary}" if summary else "")
            lines.append(f"  {p.policy} {p.info.name}：{summary}")
            for change in Change:
                pairs = p.changes[change]
                if not pairs:
                    continue
                lines.append(f"    {change.zh} ({change.value}): {len(pairs):,}")
                shown = pairs if limit is None else pairs[:limit]
                lines += [f"      {x.enterprise}  {x.old.zh} → {x.new.zh}" for x in shown]
                if len(shown) < len(pairs):
                    lines.append(f"      … and {len(pairs) - len(shown):,} more")
    return "\n".join(lines)
