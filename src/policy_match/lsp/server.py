"""The language server: LSP requests over stdio, wired to the modules that answer them.

Each request turns its document's URI into a path, asks the :class:`Workspace` for the
folder's snapshot (one load per version of the texts) and hands it to ``hover``,
``completion``, ``navigation``, ``actions`` or the formatter. Diagnostics are published
for every file of the folder after each change: the checker's at once, then lint's when
lint has run (in a worker thread, so typing is not held up by it).
"""

from __future__ import annotations

import asyncio
from typing import Any

from lsprotocol import types as lsp
from pygls.exceptions import JsonRpcException
from pygls.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from policy_match.base.messages import text
from policy_match.dsl.diagnostics import Diagnostic
from policy_match.dsl.formatter import format_source
from policy_match.lsp import actions, completion, hover, navigation
from policy_match.lsp.diagnostics import by_file, to_lsp
from policy_match.lsp.linting import Linter
from policy_match.lsp.workspace import Snapshot, Workspace

NAME = "policy-match"
SETTLE_SECONDS = 0.15  # a change is checked once typing pauses this long
REQUEST_FAILED = -32803  # LSP's RequestFailed: a request understood but refused


def language_of(locale: str | None, options: Any = None) -> str:
    """``zh`` for a Chinese locale (``zh``, ``zh-CN``, ``zh_TW``…), ``en`` for any other;
    an explicit ``{"lang": "zh"|"en"}`` in the initialization options wins, and a client
    that names no locale gets Chinese, the language of the rules' authors."""
    chosen = options.get("lang") if isinstance(options, dict) else None
    if chosen in ("zh", "en"):
        return str(chosen)
    if not locale:
        return "zh"
    return "zh" if locale.lower().startswith("zh") else "en"


class PolicyServer(LanguageServer):
    def __init__(self, lang: str | None = None) -> None:
        super().__init__(NAME, "1")
        self.rules = Workspace()
        self.linter = Linter()
        self.forced_lang = lang
        self.lang = lang or "zh"
        self.uris: dict[str, str] = {}
        self.versions: dict[str, int] = {}  # the newest version of each changed document

    def path_of(self, uri: str) -> str:
        path = (to_fs_path(uri) if uri.startswith("file:") else None) or uri
        self.uris.setdefault(path, uri)
        return path

    def uri_of(self, path: str) -> str:
        return self.uris.get(path) or from_fs_path(path) or path

    def snapshot(self, uri: str) -> tuple[str, Snapshot]:
        path = self.path_of(uri)
        return path, self.rules.snapshot(path)

    def publish(self, snap: Snapshot, extra: tuple[Diagnostic, ...] = ()) -> None:
        everything = (*snap.result.diagnostics, *extra)
        for path, found in by_file(everything, snap.result.files).items():
            self.publish_diagnostics(self.uri_of(path),
                                     [to_lsp(d, snap, self.lang, self.uri_of) for d in found])

    async def refresh(self, uri: str) -> None:
        """Check the folder of ``uri`` now and publish; then lint it and publish again,
        unless the text changed meanwhile (a newer refresh publishes instead)."""
        _, snap = self.snapshot(uri)
        number = self.linter.ask(snap)
        self.publish(snap)
        if snap.result.rulebook is None:
            return
        found = await asyncio.get_running_loop().run_in_executor(
            self.linter.worker, self.linter.findings, snap, number)
        if found and self.linter.is_newest(snap, number):
            self.publish(snap, found)


server = PolicyServer()


@server.feature(lsp.INITIALIZE)
def _initialize(ls: PolicyServer, params: lsp.InitializeParams) -> None:
    ls.lang = ls.forced_lang or language_of(params.locale, params.initialization_options)
    encoding = ls.server_capabilities.position_encoding
    ls.rules.encoding = str(getattr(encoding, "value", encoding) or "utf-16")


@server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
async def _did_open(ls: PolicyServer, params: lsp.DidOpenTextDocumentParams) -> None:
    ls.rules.update(ls.path_of(params.text_document.uri), params.text_document.text)
    await ls.refresh(params.text_document.uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
async def _did_change(ls: PolicyServer, params: lsp.DidChangeTextDocumentParams) -> None:
    uri, version = params.text_document.uri, params.text_document.version
    ls.rules.update(ls.path_of(uri), ls.workspace.get_text_document(uri).source)
    ls.versions[uri] = version
    await asyncio.sleep(SETTLE_SECONDS)
    if ls.versions.get(uri) == version:  # else a newer change will refresh
        await ls.refresh(uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
async def _did_save(ls: PolicyServer, params: lsp.DidSaveTextDocumentParams) -> None:
    await ls.refresh(params.text_document.uri)


@server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
def _did_close(ls: PolicyServer, params: lsp.DidCloseTextDocumentParams) -> None:
    ls.rules.close(ls.path_of(params.text_document.uri))


@server.feature(lsp.TEXT_DOCUMENT_HOVER)
def _hover(ls: PolicyServer, params: lsp.HoverParams) -> lsp.Hover | None:
    path, snap = ls.snapshot(params.text_document.uri)
    lines = snap.lines(path)
    found = hover.hover_text(snap, path, lines.offset(params.position), ls.lang)
    if found is None:
        return None
    card, occurrence = found
    return lsp.Hover(contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=card),
                     range=lines.range(occurrence.span))


@server.feature(lsp.TEXT_DOCUMENT_COMPLETION,
                lsp.CompletionOptions(trigger_characters=['"', "“", "[", ","]))
def _completion(ls: PolicyServer, params: lsp.CompletionParams) -> lsp.CompletionList:
    path, snap = ls.snapshot(params.text_document.uri)
    offset = snap.lines(path).offset(params.position)
    items = completion.complete(snap, path, offset, ls.lang)
    return lsp.CompletionList(is_incomplete=False, items=items)


@server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
def _definition(ls: PolicyServer, params: lsp.DefinitionParams) -> lsp.Location | None:
    path, snap = ls.snapshot(params.text_document.uri)
    found = navigation.named_at(snap, path, snap.lines(path).offset(params.position))
    place = navigation.declaration(snap, found.name) if found else None
    if place is None:
        return None
    return lsp.Location(uri=ls.uri_of(place.path), range=snap.lines(place.path).range(place.span))


@server.feature(lsp.TEXT_DOCUMENT_REFERENCES)
def _references(ls: PolicyServer, params: lsp.ReferenceParams) -> list[lsp.Location]:
    path, snap = ls.snapshot(params.text_document.uri)
    found = navigation.named_at(snap, path, snap.lines(path).offset(params.position))
    if found is None:
        return []
    places = navigation.references(snap, found.name,
                                   with_declaration=params.context.include_declaration)
    return [lsp.Location(uri=ls.uri_of(p.path), range=snap.lines(p.path).range(p.span))
            for p in places]


@server.feature(lsp.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
def _symbols(ls: PolicyServer, params: lsp.DocumentSymbolParams) -> list[lsp.DocumentSymbol]:
    path, snap = ls.snapshot(params.text_document.uri)
    return navigation.symbols(snap, path)


@server.feature(lsp.TEXT_DOCUMENT_FORMATTING)
def _formatting(ls: PolicyServer, params: lsp.DocumentFormattingParams) -> list[lsp.TextEdit]:
    path, snap = ls.snapshot(params.text_document.uri)
    source = snap.text(path)
    formatted = format_source(source, path)
    if formatted is None:
        ls.show_message(text("lsp.format.syntax", ls.lang), lsp.MessageType.Warning)
        return []
    if formatted == source:
        return []
    return [lsp.TextEdit(range=snap.lines(path).whole(), new_text=formatted)]


@server.feature(lsp.TEXT_DOCUMENT_PREPARE_RENAME)
def _prepare_rename(ls: PolicyServer, params: lsp.PrepareRenameParams) -> lsp.Range | None:
    path, snap = ls.snapshot(params.text_document.uri)
    found = navigation.named_at(snap, path, snap.lines(path).offset(params.position))
    if found is None or found.name not in snap.declarations.defines:
        return None
    return snap.lines(path).range(found.span)


@server.feature(lsp.TEXT_DOCUMENT_RENAME)
def _rename(ls: PolicyServer, params: lsp.RenameParams) -> lsp.WorkspaceEdit | None:
    path, snap = ls.snapshot(params.text_document.uri)
    found = navigation.named_at(snap, path, snap.lines(path).offset(params.position))
    if found is None:
        raise JsonRpcException(text("lsp.rename.not_define", ls.lang), REQUEST_FAILED)
    refusal = navigation.rename_refusal(snap, found.name, params.new_name, ls.lang)
    if refusal is not None:
        raise JsonRpcException(refusal, REQUEST_FAILED)
    changes: dict[str, list[lsp.TextEdit]] = {}
    for place in navigation.references(snap, found.name):
        changes.setdefault(ls.uri_of(place.path), []).append(
            lsp.TextEdit(range=snap.lines(place.path).range(place.span), new_text=params.new_name))
    return lsp.WorkspaceEdit(changes=changes)


@server.feature(lsp.TEXT_DOCUMENT_CODE_ACTION,
                lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix]))
def _code_action(ls: PolicyServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction]:
    return actions.quick_fixes(params.text_document.uri, params.context, ls.lang)


def serve(lang: str | None = None) -> None:
    """Answer LSP over stdin/stdout until the client says exit."""
    server.forced_lang = lang
    server.start_io()
