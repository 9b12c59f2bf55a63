"""The machine's out-of-line steps: everything its driver (machine.py) does not do inline.

The driver keeps inline only what nearly every program does all the time: applications
and lets of simple parts, `if`, `begin`, variables, closure entry and primitive calls, and
returning to the frames those push. Everything else is a small function here, and says
what happens next the way control primitives do, with a *transfer* (machine.py):

    (T_VALUE, value, k)  (T_EVAL, node, env, k)  (T_CALL, proc, args, k)
    (T_INSTATE, cont, value)  (T_EXIT, payload)

A step that pushes one of the machine's own frames counts it in `m.depth` (the driver
hands its depth over before the call and takes it back after). A step that raises lets
the driver turn the Python exception into a Scheme raise at the node it was running.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import ArityError, SchemeError
from ..expand.codegen import NOT_PRIMITIVE
from ..types import (
    FALSE,
    UNBOUND,
    CaseLambda,
    Closure,
    Continuation,
    ControlPrimitive,
    Parameter,
    Values,
)
from .calls import assign, not_applicable, select_clause, unbound_operator
from .dynamic import WindStepFrame, wind_steps
from .tags import (
    FRAME,
    GDEF,
    GREF,
    GSET,
    LAMBDA,
    LSET,
    OR,
    OR_FRAME,
    PAPP,
    SET_FRAME,
    T_EVAL,
    T_INSTATE,
    T_VALUE,
    TCALL,
    TRANSFER,
)

if TYPE_CHECKING:
    from .machine import Machine


# -- helpers of the inline paths ---------------------------------------------------------
def effects(body: list, i: int, last: int, env: Any) -> int:
    """Evaluate body[i:last] for effect while each is simple (a constant, a variable, a
    primitive tree); the index of the first that needs the machine (or last)."""
    while i < last:
        a = body[i]
        t = a.tag
        if t == PAPP:
            if a.run(env) is NOT_PRIMITIVE:
                a.tag = TCALL  # an operator in it is not a primitive
                return i
        elif t <= GREF:
            a.ev(env)
        else:
            return i
        i += 1
    return i


# -- node kinds evaluated out of line: (m, node, env, k) -> transfer ---------------------
def eval_assignment(m: Machine, node: Any, env: Any, k: Any) -> tuple:
    # (set! name value), (define name value): a simple value is assigned at once,
    # anything else is evaluated under a SET frame first
    a = node.value
    if a.tag <= GREF:
        return (T_VALUE, assign(node, env, a.ev(env), m), k)
    if a.tag == LAMBDA:
        return (T_VALUE, assign(node, env, Closure(a, env), m), k)
    m.depth += 1
    return (T_EVAL, a, env, (SET_FRAME, node, env, k))


def eval_new_frame(m: Machine, node: Any, env: Any, k: Any) -> tuple:
    # letrec / letrec*: the body runs in a new frame whose slots start undefined
    return (T_EVAL, node.body, [env, *node.slots], k)


def eval_or(m: Machine, node: Any, env: Any, k: Any) -> tuple:
    # (or e ...): each but the last under an OR frame, which stops at a true value
    m.depth += 1
    return (T_EVAL, node.exprs[0], env, (OR_FRAME, node, env, 0, k))


def eval_unknown(m: Machine, node: Any, env: Any, k: Any) -> tuple:
    raise SchemeError(f"internal error: unknown node {node!r}")


# indexed by tag (tags.py); the driver handles the kinds left unknown here inline
EVAL_OUT_OF_LINE: list[Any] = [eval_unknown] * (TRANSFER + 1)
for _tag in (LSET, GSET, GDEF):
    EVAL_OUT_OF_LINE[_tag] = eval_assignment
EVAL_OUT_OF_LINE[FRAME] = eval_new_frame
EVAL_OUT_OF_LINE[OR] = eval_or


# -- the machine's frames returned to out of line: (m, frame, v) -> transfer -------------
def return_to_set(m: Machine, fr: tuple, v: Any) -> tuple:
    # (SET_FRAME, node, env, next): the value is known, assign it
    _, node, env, k = fr
    return (T_VALUE, assign(node, env, v, m), k)


def return_to_or(m: Machine, fr: tuple, v: Any) -> tuple:
    # (OR_FRAME, node, env, i, next): a true value is the or's; else the next expression
    _, node, env, i, k = fr
    if v is not FALSE:
        return (T_VALUE, v, k)
    exprs = node.exprs
    i += 1
    if i < len(exprs) - 1:
        m.depth += 1
        k = (OR_FRAME, node, env, i, k)
    return (T_EVAL, exprs[i], env, k)


# indexed by frame kind (tags.py); the driver handles ARG, IF and SEQ frames inline
RETURN_OUT_OF_LINE: list[Any] = [None] * (OR_FRAME + 1)
RETURN_OUT_OF_LINE[SET_FRAME] = return_to_set
RETURN_OUT_OF_LINE[OR_FRAME] = return_to_or


# -- applying what is neither a closure nor a primitive ----------------------------------
def apply_other(m: Machine, f: Any, xs: list, k: Any, site: Any, env: Any) -> tuple | None:
    """Apply f to xs (xs[0] is free) at site: the transfer that follows, or None with
    m.f, m.xs set when the machine should apply those instead (a case-lambda clause).
    m.depth is the machine's depth."""
    args = xs[1:]
    tf = type(f)
    if tf is CaseLambda:
        m.f, m.xs = select_clause(f, args), xs
        return None
    if tf is Continuation:
        v = args[0] if len(args) == 1 else Values(tuple(args))
        if f.winds is m.winds:
            return (T_INSTATE, f, v)
        return WindStepFrame(wind_steps(m.winds, f.winds), 0, f, v).resume(m, None)
    if tf is ControlPrimitive:
        m.node = site
        m.call_env = env
        return f.fn(m, args, k)
    if tf is Parameter:
        if args:
            raise ArityError(f"{f.name}: a parameter takes no arguments, got {len(args)}")
        return (T_VALUE, f.value, k)
    if f is UNBOUND:
        raise unbound_operator(site)
    raise not_applicable(f, args)


def instate(m: Machine, cont: Continuation) -> tuple[Any, int]:
    """Resume cont, whose after/before thunks have run (or it is in the same dynamic
    extent): its handlers and winds become the machine's; (its k, its depth)."""
    m.winds = cont.winds
    m.handlers = cont.handlers
    return cont.k, cont.depth
