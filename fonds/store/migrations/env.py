"""Alembic environment: fonds passes its own connection in, so there is no alembic.ini URL."""

from __future__ import annotations

from alembic import context

from fonds.store.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only `alembic revision --autogenerate` by hand
    raise SystemExit("run migrations through fonds.store.db.migrate(engine)")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
