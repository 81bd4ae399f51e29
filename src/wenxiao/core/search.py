"""Full-text search over a model's `search_text` column (space-separated tokens from `tokenize()`).

SQLite: an FTS5 external-content table `<table>_fts` kept in step by triggers (see `fts_migration`).
PostgreSQL: a GIN index on array_to_tsvector(string_to_array(search_text, ' ')): the tokens go in as they
are, no parser or stemming in between, and the query is a tsquery of the same tokens.
"""

from __future__ import annotations

from django.db import connection, migrations

from wenxiao.core.text import tokenize


def _fts_expr(table: str) -> str:
    return f"array_to_tsvector(string_to_array({table}.search_text, ' '))"


def search(qs, query: str):
    """Filter `qs` to rows whose text contains every word of `query`."""
    tokens = tokenize(query, for_query=True)
    if not tokens:
        return qs
    table = qs.model._meta.db_table
    if connection.vendor == "sqlite":
        match = " AND ".join('"' + t.replace('"', '""') + '"' for t in tokens)
        return qs.extra(
            where=[f"{table}.id IN (SELECT rowid FROM {table}_fts WHERE {table}_fts MATCH %s)"],
            params=[match],
        )
    tsquery = " & ".join("'" + t.replace("\\", "\\\\").replace("'", "''") + "'" for t in tokens)
    return qs.extra(where=[f"{_fts_expr(table)} @@ %s::tsquery"], params=[tsquery])


def _sqlite_triggers(table: str) -> list[str]:
    return [
        f"CREATE TRIGGER IF NOT EXISTS {table}_fts_ai AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {table}_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
        f"CREATE TRIGGER IF NOT EXISTS {table}_fts_ad AFTER DELETE ON {table} BEGIN "
        f"INSERT INTO {table}_fts({table}_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
        f"CREATE TRIGGER IF NOT EXISTS {table}_fts_au AFTER UPDATE OF search_text ON {table} BEGIN "
        f"INSERT INTO {table}_fts({table}_fts, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
        f"INSERT INTO {table}_fts(rowid, search_text) VALUES (new.id, new.search_text); END",
    ]


def ensure_index(conn, table: str) -> bool:
    """Create the index (and on SQLite its triggers) if missing; True if anything had to be (re)built.

    SQLite migrations that alter a table rebuild it and drop its triggers; this runs after every migrate
    so the index can never silently fall out of step.
    """
    with conn.cursor() as c:
        if conn.vendor == "sqlite":
            c.execute("SELECT count(*) FROM sqlite_master WHERE type='trigger' AND name LIKE %s", [f"{table}_fts_%"])
            if c.fetchone()[0] == 3:
                return False
            c.execute(
                f"CREATE VIRTUAL TABLE IF NOT EXISTS {table}_fts USING fts5(search_text, content='{table}', "
                f"content_rowid='id')"
            )
            for sql in _sqlite_triggers(table):
                c.execute(sql)
            c.execute(f"INSERT INTO {table}_fts({table}_fts) VALUES ('rebuild')")
            return True
        if conn.vendor == "postgresql":
            c.execute(
                f"CREATE INDEX IF NOT EXISTS {table}_fts ON {table} USING gin "
                f"(array_to_tsvector(string_to_array(search_text, ' ')))"
            )
    return False


def fts_migration(table: str) -> migrations.RunPython:
    """A migration operation creating the index for `table` on whichever database is in use."""

    def forwards(apps, schema_editor):
        ensure_index(schema_editor.connection, table)

    def backwards(apps, schema_editor):
        with schema_editor.connection.cursor() as c:
            if schema_editor.connection.vendor == "sqlite":
                for suffix in ("ai", "ad", "au"):
                    c.execute(f"DROP TRIGGER IF EXISTS {table}_fts_{suffix}")
                c.execute(f"DROP TABLE IF EXISTS {table}_fts")
            elif schema_editor.connection.vendor == "postgresql":
                c.execute(f"DROP INDEX IF EXISTS {table}_fts")

    return migrations.RunPython(forwards, backwards)
