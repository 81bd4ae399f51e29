"""Scope checks of the exchange pages and API operations, merged into tests/test_scope_walk.py."""

PAGES = {}
API = {}
