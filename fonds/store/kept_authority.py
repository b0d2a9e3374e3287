"""The people authority kept on disk, so that a new process does not build it again.

Building the authority from the database computes the match keys of every name form
(romanisations, scripts, initials): about 2 s for all of FRUS (18,000 forms), paid by the
first search of every process (name expansion: `fonds search`, each web worker) and by the
first write of every ingest. A pickle of it beside the database loads in about a seventh
of that.

It is derived data, tagged with what it was built from: the database's `authority_version`
and a digest of the code that computes the keys (an upgrade of fonds may match names
differently). A missing, stale or unreadable file is built again and rewritten; writing is
best effort. The file is fonds' own, in the archive directory, next to the database it
describes: whoever can write there can change the database too.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import threading
from functools import cache
from pathlib import Path

from sqlalchemy import Connection

from fonds import names
from fonds.names import Authority
from fonds.store import people

FILE = "people-authority.pickle"


def load(connection: Connection, folder: Path, version: tuple[int, ...]) -> Authority:
    """The authority as the database holds it at `version` (`people.authority_version`):
    from the kept file when it describes this version, else built from the database and
    kept."""
    kept = read(folder, version)
    if kept is not None:
        return kept
    authority = people.load_authority(connection)
    write(folder, version, authority)
    return authority


def read(folder: Path, version: tuple[int, ...]) -> Authority | None:
    """The kept authority if it was built at `version` by this code; None otherwise."""
    try:
        tag, authority = pickle.loads((folder / FILE).read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError):
        return None
    except ImportError:  # pickled by a fonds whose classes have moved
        return None
    if tag != (_code_digest(), version) or not isinstance(authority, Authority):
        return None
    return authority


def write(folder: Path, version: tuple[int, ...], authority: Authority) -> None:
    """Keep `authority` (built at `version`); written whole under another name, then
    renamed, so a reader never sees half a file."""
    target = folder / FILE
    temporary = target.with_name(f".{FILE}.{os.getpid()}.{threading.get_ident()}")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(pickle.dumps(((_code_digest(), version), authority), protocol=5))
        temporary.replace(target)
    except OSError:
        pass
    finally:
        temporary.unlink(missing_ok=True)


@cache
def _code_digest() -> str:
    """A digest of the modules that decide how names are matched and stored."""
    digest = hashlib.blake2b(digest_size=16)
    sources = sorted(Path(names.__file__).parent.glob("*.py")) + [Path(people.__file__)]
    for source in sources:
        digest.update(source.read_bytes())
    return digest.hexdigest()
