"""Finding an enterprise's row by its id without a dict of a million entries.

A ``dict`` from id to row costs some 100 bytes per enterprise (its slots, and an int object
per row number): 100 MB for a million, held as long as the table. Here each id's hash is
kept in a sorted ``int64`` array with its row next to it (12 bytes per enterprise); a lookup
is a binary search for the hash, then the id itself compared (hashes may collide).
"""

from __future__ import annotations

import numpy as np

from policy_match.data.arrow_ids import Ids


class IdIndex:
    """Rows of ``ids`` by id: :meth:`find` gives the first row holding an id."""

    def __init__(self, ids: Ids) -> None:
        self._ids = ids
        hashes = np.fromiter(map(hash, ids), dtype=np.int64, count=len(ids))
        order = np.argsort(hashes, kind="stable")  # equal hashes keep their rows' order
        self._hashes = hashes[order]
        del hashes
        self._rows = order.astype(np.int32 if len(ids) < 2**31 else np.int64)

    def find(self, enterprise_id: str) -> int | None:
        """The first row whose id is ``enterprise_id``; ``None`` if there is none."""
        try:
            wanted = hash(enterprise_id)
        except TypeError:  # not an id at all (a list, say)
            return None
        at = int(np.searchsorted(self._hashes, wanted, side="left"))
        end = len(self._hashes)
        while at < end and int(self._hashes[at]) == wanted:
            row = int(self._rows[at])
            if self._ids[row] == enterprise_id:
                return row
            at += 1
        return None
