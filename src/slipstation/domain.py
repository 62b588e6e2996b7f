"""The words of the trade, with no dependencies: order statuses (Shippo's), paper sizes,
retention tiers and the states of a print job. Every other module takes them from here, so
none of them needs another's internals for a word."""

from __future__ import annotations

from enum import StrEnum

ORDER_STATUSES = ("UNKNOWN", "AWAITPAY", "PAID", "REFUNDED", "CANCELLED",
                  "PARTIALLY_FULFILLED", "SHIPPED")
PAPERS = ("4x6", "a4", "letter")
PACK_PRINTS = ("auto", "label", "slip", "both")  # what a verified pack prints
# Slip headings: by the ship-to country ("auto"), or always one of these (slips/words.py).
SLIP_LANGUAGES = ("auto", "en", "de", "fr", "es", "it", "nl", "pl", "pt", "ja", "zh")
TIERS = ("starter", "growth", "business", "enterprise")
TIER_DAYS = {"starter": 7, "growth": 30, "business": 90, "enterprise": 365}


class JobState(StrEnum):
    """A print job's state in the outbox (see `printing/queue.py` for the life of a row)."""

    NO_PRINTER = "no_printer"    # waiting until a printer is chosen
    QUEUED = "queued"            # due to be sent
    SUBMITTING = "submitting"    # claimed; the POST may or may not have reached PrintNode
    SUBMITTED = "submitted"      # PrintNode accepted it
    DONE = "done"                # PrintNode reported it reached the computer's print queue
    FAILED = "failed"            # PrintNode reported a final failure, or refused it
    UNCONFIRMED = "unconfirmed"  # could not be settled: a person decides
    SKIPPED = "skipped"          # a routing rule, the backlog window or a re-check said no
    CANCELLED = "cancelled"      # a person cancelled it before it was sent
    DISMISSED = "dismissed"      # a failure a person has seen and settled


WAITING_STATES = frozenset({JobState.QUEUED, JobState.SUBMITTING, JobState.NO_PRINTER})
SENT_STATES = frozenset({JobState.SUBMITTED, JobState.DONE})
ATTENTION_STATES = frozenset({JobState.FAILED, JobState.UNCONFIRMED})
REQUEUEABLE_STATES = frozenset({JobState.FAILED, JobState.UNCONFIRMED, JobState.SKIPPED,
                                JobState.CANCELLED, JobState.DISMISSED})
CANCELLABLE_STATES = frozenset({JobState.QUEUED, JobState.NO_PRINTER})
DISMISSABLE_STATES = ATTENTION_STATES
