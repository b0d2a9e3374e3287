"""fonds: a digital archive for declassified historical documents."""

__version__ = "0.1.0"
