"""Scope checks of 绩效评价 pages and API operations, merged into tests/test_scope_walk.py."""

PAGES: dict = {}
API: dict = {}
