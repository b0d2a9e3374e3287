"""search: the distinct person name forms in a table of their own, for "did you mean"

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 16:00:00

A query that matched nothing looked for names like its words through a trigram index on
every record's `people` (130-190 ms at 50,000 records) and ranked only the first 200 records
the index gave, in no fixed order, so the suggestion could change between runs. Version 3 of
the PostgreSQL search tables keeps each distinct form once in `search_names`, with the number
of records that hold it, under its own trigram index, and drops the index on `people`. This
revision builds that table from the records an archive already has, so search keeps working
without `fonds reindex`. SQLite archives and databases without the search tables have nothing
to upgrade. The SQL is written out here, not imported from the backend, so that the revision
stays what it was when later versions change the backend.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def _search_tag() -> str | None:
    """The version comment on this schema's search_records, None when there is none."""
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return None
    tag = bind.execute(
        sa.text(
            "SELECT obj_description(to_regclass(format('%I.%I', current_schema(), "
            "'search_records')), 'pg_class')"
        )
    ).scalar()
    return str(tag) if tag is not None else None


def _has_trgm() -> bool:
    """Whether pg_trgm is installed in this database (the backend creates it when it may)."""
    return bool(
        op.get_bind()
        .execute(sa.text("SELECT EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm')"))
        .scalar()
    )


def upgrade() -> None:
    if _search_tag() != "fonds-search 2":
        return  # no search tables, or not ones this revision knows: the backend (re)creates them
    op.execute("DROP TABLE IF EXISTS search_names")  # counts only what the records hold
    op.execute(
        'CREATE TABLE search_names (form text COLLATE "C" PRIMARY KEY, records integer NOT NULL)'
    )
    op.execute(
        "INSERT INTO search_names (form, records) "
        "SELECT form, count(*) FROM search_records, "
        "unnest(string_to_array(people, E'\\n')) AS form WHERE form <> '' GROUP BY form"
    )
    op.execute("DROP INDEX IF EXISTS search_records_people_trgm")
    if _has_trgm():
        op.execute(
            "CREATE INDEX IF NOT EXISTS search_names_form_trgm "
            "ON search_names USING gin (form gin_trgm_ops)"
        )
    op.execute("COMMENT ON TABLE search_records IS 'fonds-search 3'")
    op.execute("ANALYZE search_names")


def downgrade() -> None:
    if _search_tag() != "fonds-search 3":
        return
    op.execute("DROP TABLE search_names")
    if _has_trgm():
        op.execute(
            "CREATE INDEX IF NOT EXISTS search_records_people_trgm "
            "ON search_records USING gin (people gin_trgm_ops)"
        )
    op.execute("COMMENT ON TABLE search_records IS 'fonds-search 2'")
