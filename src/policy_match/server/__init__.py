"""The portal: an HTTP service and web pages for 政策找企业 (``policy-match serve``).

``create_app(rules, data=None, tokens=None)`` returns the ASGI app for embedding."""

from policy_match.server.app import create_app

__all__ = ["create_app"]
