"""Many rows in one statement, straight to the database driver.

An ingest writes tens of link rows per record (terms, people, collections, renditions, name
forms). SQLAlchemy's per-row parameter processing cost more than the database's own work
for them, so rows whose values need no conversion (text, numbers, NULL) go to the driver's
`executemany` as they are, with the placeholder style of each driver.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table


def insert_rows(connection: Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """INSERT every row of `rows` (dicts with the same keys: plain values only)."""
    if not rows:
        return
    columns = list(rows[0])
    for name in columns:
        if name not in table.c:
            raise ValueError(f"{table.name} has no column {name!r}")
    style = "%({})s" if connection.dialect.name == "postgresql" else ":{}"
    marks = ", ".join(style.format(name) for name in columns)
    names = ", ".join(columns)
    connection.exec_driver_sql(
        f"INSERT INTO {table.name} ({names}) VALUES ({marks})",  # noqa: S608 (names checked)
        list(rows),
    )
