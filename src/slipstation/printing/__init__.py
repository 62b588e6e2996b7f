"""Printing: routing rules, the persisted print queue (outbox) and its reconciliation."""
