"""The language server (``policy-match lsp``): diagnostics as you type, hover, completion,
navigation, formatting, rename and quick fixes for ``.rule`` files (docs/editors.md).

Layer 70, beside ``server`` and apart from it: it reads rulebooks through ``core`` and
``analysis`` and talks LSP through pygls."""
