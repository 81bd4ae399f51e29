"""Scope checks of 第三方机构与专家 pages and API operations, merged into tests/test_scope_walk.py."""

PAGES: dict = {}
API: dict = {}
