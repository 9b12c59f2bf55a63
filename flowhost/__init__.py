"""Durable flows: defflow sources run on the Scheme interpreter, suspended by `request`.

A flow is a Scheme procedure registered with `(defflow NAME EXPR)`. Inside it,
`(request KIND PAYLOAD)` suspends the flow; the host answers with a plain-data value,
now (a handler) or later (a webhook calling `resume`). The store keeps, per flow, its
arguments, status and the log of (request -> value) steps: plain data, in memory or in
SQLite. Because flow code is deterministic, replaying a flow from its arguments and log
brings it back to exactly where it was -- that is how a restart, an import or another
process continues a flow. See docs/flows.md and ../shared/design/FLOWS.md.

    host = FlowHost.open("shop.db")
    host.load_file("flows/order.scm")
    host.on("reserve", lambda flow_id, order: "reserved")
    host.start("order-lifecycle", "o1")      # Suspended(id=1, kind='payment', payload='o1')
"""

from scheme import Char, Symbol

from .data import Dotted
from .db import Database, MemoryDatabase, SQLiteDatabase, StoreBusyError, open_database
from .errors import (
    AlreadyAnsweredError,
    ExportFormatError,
    FlowConflictError,
    FlowError,
    FlowKeyError,
    FlowNotAllowedError,
    FlowStateError,
    HandlerError,
    NondeterminismError,
    NoSuchFlowError,
    PlainDataError,
    UnknownFlowError,
)
from .host import FlowHost, FlowRef
from .records import Cancelled, Done, Failed, FlowRecord, Pending, Result, Step, Suspended
from .sqlite_store import SQLiteStore, StoreError
from .store import FlowKeyTakenError, FlowStore, MemoryStore

__all__ = [
    "AlreadyAnsweredError",
    "Database",
    "Cancelled",
    "Done",
    "FlowKeyError",
    "FlowKeyTakenError",
    "MemoryDatabase",
    "SQLiteDatabase",
    "StoreBusyError",
    "open_database",
    "Dotted",
    "Char",
    "ExportFormatError",
    "Failed",
    "FlowConflictError",
    "FlowError",
    "FlowHost",
    "FlowNotAllowedError",
    "FlowRecord",
    "FlowRef",
    "FlowStateError",
    "HandlerError",
    "FlowStore",
    "MemoryStore",
    "NoSuchFlowError",
    "NondeterminismError",
    "Pending",
    "PlainDataError",
    "Result",
    "SQLiteStore",
    "StoreError",
    "Step",
    "Suspended",
    "Symbol",
    "UnknownFlowError",
]
