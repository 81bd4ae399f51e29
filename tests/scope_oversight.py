"""Scope checks of 考核与综合评价 pages and API operations, merged into tests/test_scope_walk.py."""

PAGES: dict = {}
API: dict = {}
