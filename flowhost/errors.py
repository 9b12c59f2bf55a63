"""Flow errors: one root, subclasses named for what went wrong."""

from __future__ import annotations

from typing import Any

from scheme import AbortEvaluation


class FlowError(Exception):
    """Root of every error the flow host reports."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def render(self) -> str:
        """The message (with source location and caret where there is one)."""
        return self.message


class UnknownFlowError(FlowError):
    """No flow of that name is defined."""


class NoSuchFlowError(FlowError):
    """No flow instance has that id."""


class FlowStateError(FlowError):
    """The flow is not in a state that allows the operation (e.g. resuming a done flow)."""


class FlowConflictError(FlowError):
    """Another process changed the flow first; nothing was changed here."""


class AlreadyAnsweredError(FlowConflictError):
    """The request a resume names was answered already (by another worker, or a retry)."""


class FlowKeyError(FlowError):
    """A flow key is taken by a flow of another name or with other arguments."""


class PlainDataError(FlowError):
    """A value that must be plain data (payload, resume value, argument) is not."""


class ExportFormatError(FlowError):
    """An export that cannot be imported: malformed, truncated, or of another version."""


class FlowNotAllowedError(FlowError):
    """Something flow code may not do (start flows, change globals, I/O)."""


class HandlerError(FlowError):
    """A request handler raised: the flow stays suspended on that request.

    `flow_id` and `kind` say which; the original exception is the __cause__.
    `FlowHost.service()` asks the handlers again.
    """

    def __init__(self, flow_id: int, kind: str, cause: BaseException) -> None:
        super().__init__(
            f"the {kind} handler failed for flow {flow_id} ({type(cause).__name__}: {cause}); "
            f"the flow stays suspended on {kind}"
        )
        self.flow_id = flow_id
        self.kind = kind


class NondeterminismError(FlowError, AbortEvaluation):
    """Replaying a flow's log reached a different request than the one recorded.

    It stops the flow at once: no guard in the flow can catch it.
    """

    def __init__(
        self,
        flow_id: int,
        flow: str,
        step: int,
        recorded: Any,
        new: Any,
        span: Any = None,
        detail: str = "",
    ) -> None:
        where = f" at {span}" if span is not None else ""
        text = (
            f"flow {flow_id} ({flow}) no longer replays: at step {step} the log recorded "
            f"{recorded} but the flow now {new}{where}"
        )
        if detail:
            text += f" ({detail})"
        super().__init__(text)
        self.flow_id = flow_id
        self.flow = flow
        self.step = step
        self.recorded = recorded
        self.new = new
        self.span = span

    def render(self) -> str:
        caret = self.span.caret() if self.span is not None else ""
        return self.message + ("\n" + caret if caret else "")
