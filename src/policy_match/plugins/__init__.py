"""Plug-ins: the registry that loads them through entry points, and the built-in ones."""
