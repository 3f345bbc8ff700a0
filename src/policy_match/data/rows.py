"""A table's ids and rows for bulk work: the ids as Arrow and numpy arrays, a row read
lazily, a fingerprint per row (what :class:`~policy_match.data.table.EnterpriseTable` offers
beyond parsing; each built once, on first use)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import numpy as np

from policy_match.data.arrow_ids import ArrowIds, Ids
from policy_match.engine.columns import Columns

if TYPE_CHECKING:
    import pyarrow as pa


class RowAccess:
    """Mixed into the table: needs ``columns`` and ``ids``."""

    columns: Columns
    ids: Ids  # a list, or the key column's Arrow array (:mod:`.arrow_ids`)

    def _cached(self, name: str) -> Any:
        return self.__dict__.get(name)

    def row_view(self, i: int) -> Mapping[str, Any]:
        """Row ``i`` as a mapping converting each value on first read (a rule reads few)."""
        return self.columns.row_view(i)

    def id_array(self) -> pa.Array:
        """The enterprise ids as an Arrow string array (``take`` and compute kernels read
        it without a Python object per id)."""
        found = self._cached("_id_array")
        if found is None:
            import pyarrow as pa

            found = self.__dict__["_id_array"] = (
                self.ids.arrow() if isinstance(self.ids, ArrowIds)
                else pa.array(self.ids, type=pa.string()))
        return found

    def id_objects(self) -> np.ndarray:
        """The enterprise ids as a numpy object array: ``ids[rows]`` is a gather of
        references, not a Python loop."""
        found = self._cached("_id_objects")
        if found is None:
            found = self.__dict__["_id_objects"] = np.fromiter(self.ids, dtype=object,
                                                                count=len(self.ids))
        return found

    def row_fingerprints(self) -> np.ndarray:
        """A ``uint64`` per row that changes when any parsed value of the row changes
        (:mod:`policy_match.data.fingerprint`; column-wise)."""
        found = self._cached("_fingerprints")
        if found is None:
            from policy_match.data.fingerprint import row_fingerprints

            found = self.__dict__["_fingerprints"] = row_fingerprints(self.columns)
        return found
