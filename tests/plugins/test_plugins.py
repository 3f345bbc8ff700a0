from datetime import date
from fractions import Fraction
from importlib import metadata
from pathlib import Path

import pytest

from policy_match.dsl.types import DATE, NUMBER, TEXT, Kind
from policy_match.dsl.vocabulary import Vocabulary
from policy_match.plugins import loader as plugins
from policy_match.plugins.builtins.functions import MIN
from policy_match.plugins.builtins.industry import INDUSTRY
from policy_match.plugins.loader import GROUP, LoadedVocabulary, PluginError, load_vocabulary

BUILTIN_ENTRIES = {
    "hierarchy industry",
    "hierarchy region",
    "tag type uscc",
    "function min",
    "function max",
    "function abs",
}


def require_distribution(name: str, install: str) -> None:
    try:
        metadata.distribution(name)
    except metadata.PackageNotFoundError:
        pytest.fail(f"{name} is not installed; run .venv/bin/pip install {install}")


def entry_point(name: str, target: str) -> metadata.EntryPoint:
    return metadata.EntryPoint(name=name, value=target, group=GROUP)


def builtin_entry_point() -> metadata.EntryPoint:
    return entry_point("builtin", "policy_match.plugins.builtins:register")


def test_builtin_is_found_through_its_entry_point() -> None:
    require_distribution("policy-match", "-e . --no-deps")
    found = plugins.plugin_entry_points()
    assert found[0].name == "builtin"
    assert found[0].value == "policy_match.plugins.builtins:register"
    vocabulary = load_vocabulary()
    assert vocabulary.plugins[0] == "builtin"
    assert vocabulary.failures == []


def test_builtins_are_registered_with_their_source() -> None:
    vocabulary = load_vocabulary(entry_points=False)
    assert isinstance(vocabulary, Vocabulary)
    assert vocabulary.plugins == ["builtin"]
    assert {what for what, src in vocabulary.sources.items() if src == "policy_match.builtin"} == (
        BUILTIN_ENTRIES
    )
    assert vocabulary.hierarchies["industry"] is INDUSTRY
    assert vocabulary.functions["min"] is MIN
    assert vocabulary.tag_types["uscc"].base.name == "uscc"


def test_source_tree_without_entry_points_still_gets_builtins(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(plugins, "plugin_entry_points", list)
    vocabulary = load_vocabulary()
    assert vocabulary.plugins == ["builtin"]
    assert set(vocabulary.hierarchies) == {"industry", "region"}
    assert vocabulary.failures == []


def test_entry_points_are_sorted_builtin_first(monkeypatch: pytest.MonkeyPatch) -> None:
    shuffled = [
        entry_point("b", "pkg_b:register"),
        entry_point("zz_core", "policy_match.plugins.builtins:register"),
        entry_point("a", "pkg_a:register"),
    ]
    monkeypatch.setattr(plugins.metadata, "entry_points", lambda group: shuffled)
    assert [ep.name for ep in plugins.plugin_entry_points()] == ["zz_core", "a", "b"]


def test_third_party_plugin_extends_the_vocabulary() -> None:
    require_distribution("pm-example-plugin", "./tests/fixtures/example_plugin")
    vocabulary = load_vocabulary()
    assert vocabulary.failures == []
    assert "example" in vocabulary.plugins
    assert vocabulary.sources["hierarchy color"] == "pm_example_plugin"

    color = vocabulary.hierarchies["color"]
    assert color.lookup(" Red ").code == "red"
    assert color.lookup("green").code is None
    assert color.contains("warm", "orange")
    assert not color.contains("cool", "red")
    assert color.path("blue") == ("cool", "blue")

    phone = vocabulary.tag_types["phone"]
    assert phone.base.kind is Kind.TEXT
    assert phone.parse is not None
    assert phone.parse("0871-12345678") == "0871-12345678"
    assert phone.parse("13812345678") == "13812345678"
    with pytest.raises(ValueError):
        phone.parse("12345")

    years = vocabulary.functions["years_between"]
    assert years.typing([DATE, DATE]) == NUMBER
    assert isinstance(years.typing([DATE, TEXT]), str)
    assert years.impl(date(2021, 3, 1), date(2024, 2, 29)) == Fraction(2)
    assert years.impl(date(2021, 3, 1), date(2024, 3, 1)) == Fraction(3)


def test_entry_points_false_leaves_third_party_plugins_out() -> None:
    vocabulary = load_vocabulary(entry_points=False)
    assert "color" not in vocabulary.hierarchies
    assert "phone" not in vocabulary.tag_types


def test_each_call_builds_a_fresh_vocabulary() -> None:
    first, second = load_vocabulary(), load_vocabulary()
    assert first is not second
    first.functions.clear()
    assert "min" in second.functions


BROKEN_MODULE = """
from policy_match.dsl.vocabulary import FunctionSpec


class Halfway:
    name = "halfway"

    def lookup(self, text):
        return None


def raises(vocabulary):
    vocabulary.add_function(FunctionSpec("leftover", lambda args: args[0], abs))
    raise RuntimeError("database unreachable")


def clashes(vocabulary):
    vocabulary.add_function(FunctionSpec("min", lambda args: args[0], min))


def bad_hierarchy(vocabulary):
    vocabulary.add_hierarchy(Halfway())


def good(vocabulary):
    vocabulary.add_function(FunctionSpec("double", lambda args: args[0], lambda x: 2 * x))


not_callable = 42
"""


@pytest.fixture
def broken_plugins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> LoadedVocabulary:
    (tmp_path / "pm_broken_plugins.py").write_text(BROKEN_MODULE, encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    found = [
        builtin_entry_point(),
        entry_point("b_missing", "pm_no_such_module:register"),
        entry_point("c_raises", "pm_broken_plugins:raises"),
        entry_point("d_clashes", "pm_broken_plugins:clashes"),
        entry_point("e_bad_hierarchy", "pm_broken_plugins:bad_hierarchy"),
        entry_point("f_not_callable", "pm_broken_plugins:not_callable"),
        entry_point("g_good", "pm_broken_plugins:good"),
    ]
    monkeypatch.setattr(plugins, "plugin_entry_points", lambda: found)
    return load_vocabulary()


def test_broken_plugins_are_reported_not_raised(broken_plugins: LoadedVocabulary) -> None:
    failures = {failure.plugin: failure.message for failure in broken_plugins.failures}
    assert list(failures) == [
        "b_missing",
        "c_raises",
        "d_clashes",
        "e_bad_hierarchy",
        "f_not_callable",
    ]
    assert "could not be imported" in failures["b_missing"]
    assert "ModuleNotFoundError" in failures["b_missing"]
    assert "RuntimeError: database unreachable" in failures["c_raises"]
    assert "function min is already registered by policy_match.builtin" in failures["d_clashes"]
    assert "hierarchy halfway" in failures["e_bad_hierarchy"]
    assert "int" in failures["f_not_callable"]
    assert broken_plugins.plugins == ["builtin", "g_good"]


def test_a_failed_plugin_leaves_nothing_behind(broken_plugins: LoadedVocabulary) -> None:
    assert "leftover" not in broken_plugins.functions
    assert "halfway" not in broken_plugins.hierarchies
    assert broken_plugins.functions["min"] is MIN
    assert broken_plugins.sources["function double"] == "g_good"


def test_plugin_error_reads_as_a_sentence() -> None:
    assert str(PluginError("x", "could not be imported")) == "plug-in x: could not be imported"
