"""Alembic environment: fonds passes its own connection in, so there is no alembic.ini URL."""

from __future__ import annotations

from alembic import context

from fonds.store.tables import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only `alembic revision --autogenerate` by hand
    raise SystemExit("run migrations through fonds.store.db.migrate(engine)")


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Leave the search backend's own tables (search_*) to it: they are derived data."""
    return not (type_ == "table" and name is not None and name.startswith("search_"))


context.configure(
    connection=connection,
    target_metadata=metadata,
    include_object=include_object,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
