"""Orders: the typed model parsed from Shippo's payloads, and their storage."""
