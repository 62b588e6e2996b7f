"""The desktop face (PySide6): a thin layer over `Station`; nothing here talks HTTP or SQL."""
