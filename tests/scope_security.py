"""Scope checks of security pages and API operations, merged into tests/test_scope_walk.py."""

PAGES: dict = {}
API: dict = {}
