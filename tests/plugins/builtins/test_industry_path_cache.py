"""The remembered ancestors of a code (:func:`ancestors`) are the computed ones."""

from hypothesis import given
from hypothesis import strategies as st

from policy_match.plugins.builtins.industry import (
    INDUSTRY,
    PATH_CACHE_SIZE,
    ancestors,
    ancestors_uncached,
)

standard_codes = list(INDUSTRY.codes())
# codes `lookup` accepts beyond the table: 2011-edition 中类/小类 under a real 大类
accepted_codes = st.builds(lambda division, rest: division + rest,
                           st.sampled_from([c for c in standard_codes if len(c) == 3]),
                           st.text("0123456789", min_size=0, max_size=2))


def test_every_code_of_the_standard_twice() -> None:
    for code in standard_codes + standard_codes:  # the second round is answered remembered
        assert ancestors(code) == ancestors_uncached(code)
        assert INDUSTRY.path(code) == ancestors_uncached(code)
    assert ancestors("C3911") == ("C", "C39", "C391", "C3911")
    assert ancestors_uncached("C3911") == ("C", "C39", "C391", "C3911")


@given(accepted_codes)
def test_accepted_codes_beyond_the_table(code: str) -> None:
    first = ancestors(code)
    assert first == ancestors_uncached(code)
    assert ancestors(code) is first  # remembered, and a tuple nobody can change
    assert isinstance(first, tuple)
    assert all(code.startswith(a) for a in first) and first[-1] == code


def test_the_memory_is_bounded() -> None:
    ancestors.cache_clear()
    for n in range(PATH_CACHE_SIZE + 100):
        ancestors(f"C{n:04d}")
    info = ancestors.cache_info()
    assert info.maxsize == PATH_CACHE_SIZE
    assert info.currsize == PATH_CACHE_SIZE
    assert len(standard_codes) < PATH_CACHE_SIZE  # the whole standard fits
