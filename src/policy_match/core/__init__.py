"""The public API's objects: a loaded, checked rulebook and what it computes."""
