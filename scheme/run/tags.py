"""The one table of small integers the run side dispatches on.

Node tags (expand/nodes.py sets them, expand/codegen.py and machine.py test them), the machine's own
frame kinds (frames.py) and the transfer kinds control primitives return. This module
imports nothing, so nodes, codegen, calls and the machine all read it without a cycle.
"""

# Node tags. Trivial nodes come first: `tag <= GREF` means "evaluate inline".
(
    CONST,  # a constant
    LREF0,  # a local in the current frame, never undefined
    LREF,  # any other local
    GREF,  # a global, through its cell
    PAPP,  # an application tried first as straight-line primitive calls (expand/codegen.py)
    TCALL,  # an application whose operands are evaluated in one generated call
    APP,  # an application or a let, whose parts are evaluated one by one
    IF,
    LAMBDA,
    SEQ,
    LSET,
    GSET,
    GDEF,
    FRAME,  # a letrec frame
    OR,
    APPLY,  # the machine's "apply f to xs" state, not made by the compiler
    TRANSFER,  # a control primitive's transfer, not made by the compiler
) = range(17)
TRIVIAL = (CONST, LREF0, LREF, GREF)


def is_trivial_tag(tag: int) -> bool:
    """Constant or variable reference."""
    return tag <= GREF


# The machine's own frames (tuples, see frames.py).
ARG_FRAME, IF_FRAME, SEQ_FRAME, SET_FRAME, OR_FRAME = range(5)

# Transfers: what control primitives and control frames return (see machine.py).
T_VALUE, T_CALL, T_EVAL, T_INSTATE, T_EXIT = range(5)
