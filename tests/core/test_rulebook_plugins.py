"""A plug-in that fails to load is reported by a load, as a warning, never raised."""

from __future__ import annotations

from policy_match.core.loading import load_sources
from policy_match.dsl.diagnostics import Code, Severity
from policy_match.plugins.loader import LoadedVocabulary, PluginError, load_vocabulary


def test_a_broken_plugin_is_a_warning_and_what_it_lacked_is_an_error() -> None:
    base = load_vocabulary()
    vocab = LoadedVocabulary(hierarchies=dict(base.hierarchies), functions=dict(base.functions),
                             tag_types=dict(base.tag_types),
                             failures=[PluginError("acme", "ImportError: no module acme")])
    result = load_sources({"a.rule": "tag 品类: code(acme_catalogue)\n"}, vocab)
    plugin = [d for d in result.diagnostics if d.code is Code.PLUGIN]
    assert len(plugin) == 1 and plugin[0].severity is Severity.WARNING
    assert "acme" in plugin[0].message
    assert any(d.code is Code.HIERARCHY for d in result.diagnostics)
    assert result.rulebook is None
