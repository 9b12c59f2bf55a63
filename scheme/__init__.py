"""A small R7RS Scheme whose continuations live on the heap.

The pipeline is the package layout: `read/` -> `expand/` -> `run/`.
- `read.reader` (Lark, read/grammar.lark) turns text into data with source spans;
  `read.fastread` reads plain data without Lark and falls back to the grammar for
  everything else (`read.scanner`, `read.numparse`; `read.readcache` unpickles nothing).
- `expand.compiler` expands macros, checks special forms and resolves every variable to
  a frame slot or global cell, producing `expand.nodes`; `expand.libraries` resolves
  `import` and `define-library` (the standard `(scheme ...)` names are views on the
  standard environment).
- `run.machine` runs nodes with its continuation as a chain of frame objects, so call/cc
  is first class and re-entrant, tail calls are proper in every tail position, and no
  Scheme program can reach Python's recursion limit.
Procedures are registered in `primitives` (Python) and `prelude.scm` (Scheme).
`Interpreter` ties them together for embedding; `python -m scheme` runs files or a REPL.
`capabilities` holds what only an embedder may grant (clock, files, command line, exit,
environment variables). The data types, errors, printer and ports stay at the top, shared
by every stage.

The run side: `run.tags` numbers node, frame and transfer kinds once; `expand.nodes` and
`expand.codegen` (straight-line Python for primitive applications) make what
`run.machine` runs: its driver does the common node kinds inline and hands the rest to
the small functions in `run.steps`; `expand.direct` compiles pure closure bodies (fib,
tak, call/cc used as an escape) to Python functions the machine tries first, redoing the
call itself when they bail; `run.calls`, `run.dynamic` and `run.frames` hold what
happens around a call. `run.reference` is the plain evaluator that defines what compiled
code means: the tests run the fast machine
against it (`Interpreter(reference=True)`).

Embedding (see `embed`): `interp.call(proc, *args)` applies a procedure;
`interp.define_suspending(name, fn)` gives the guest a procedure fn(point, *args) that
returns a value or `Suspend(payload)`, which stops the machine and makes call/resume
return payload; the `SuspensionPoint` keeps `.continuation`, `.span`, `.variables()` (the
locals in scope there) and `.evaluate(datum, interp)`; `interp.resume(cont, value)`
resumes a continuation, as often as wanted; `with interp.globals_locked(reason):` makes
set! and define of globals raise. Step budgets (`step_limit=`, counted in closure calls)
apply to all of them; `point.grant_steps(n)` extends the running one.
`embed.define_definer(interp, keyword, register)` adds a top-level defining form (how
flowhost's `defflow` is made), and `embed.arity_of` / `embed.wrong_type` serve hosts that
define primitives of their own.

The public names are those in `__all__` below and in `scheme.embed.__all__`; every other
module is private. Besides evaluating, a host may read source with spans (`read_spanned`,
`read_one`), turn syntax back into data (`strip`, `base_name` of an identifier) and run a
REPL loop (`run_repl`, `print_value`, `bound_names`, `ReplExit`). flowhost imports nothing
else (tests/flowhost/test_public_api.py checks it).

Budgets (`budget`): besides closure calls, every evaluation -- each `eval_string`,
`eval_datum`, `load_file`, `call` and `resume`, from reading through macro expansion to
running -- has a work budget (`Interpreter(work_limit=)`, default
budget.DEFAULT_WORK_LIMIT = 50,000,000 units of about one object touched: primitives
charge the elements they walk or allocate and the size of the numbers they multiply or
convert, the expander 1,000 per expansion plus the pairs it builds, nested scopes their
depth) and a memory ceiling (`memory_limit=`, default 512 MiB: one object larger than it,
or a big allocation that would take resident memory that far past where the evaluation
started, is refused). Running out raises `WorkLimitError` / `MemoryLimitError`, both
`StepLimitError`s, which no Scheme handler can catch. Circular code is refused before it
is compiled. The machine and the reference start the meter at their outermost entry.
"""

from .capabilities import ALL_CAPABILITIES
from .embed import Suspend, SuspensionPoint
from .errors import (
    AbortEvaluation,
    ArityError,
    DepthLimitError,
    FileError,
    LibraryError,
    MemoryLimitError,
    ProgramExit,
    ReadError,
    SchemeError,
    SchemeRaise,
    SchemeSyntaxError,
    Span,
    StepLimitError,
    UnboundVariableError,
    WorkLimitError,
    WrongTypeError,
)
from .expand.syntax import base_name, strip
from .interpreter import Interpreter
from .printer import display_string, write_string
from .read.reader import read_all, read_datum, read_one, read_spanned
from .repl import ReplExit, bound_names, print_value, run_repl
from .types import (
    EOF,
    FALSE,
    NIL,
    TRUE,
    UNDEFINED,
    UNSPECIFIED,
    Boolean,
    Char,
    Continuation,
    MString,
    Pair,
    Primitive,
    Symbol,
    Values,
    Vector,
    is_procedure,
    list_from,
    list_to_python,
)

__all__ = [
    "ALL_CAPABILITIES",
    "AbortEvaluation",
    "ArityError",
    "Boolean",
    "Char",
    "Continuation",
    "DepthLimitError",
    "EOF",
    "FALSE",
    "FileError",
    "Interpreter",
    "LibraryError",
    "MString",
    "MemoryLimitError",
    "NIL",
    "Pair",
    "ProgramExit",
    "Primitive",
    "ReadError",
    "SchemeError",
    "SchemeRaise",
    "SchemeSyntaxError",
    "Span",
    "StepLimitError",
    "Suspend",
    "SuspensionPoint",
    "Symbol",
    "TRUE",
    "UNDEFINED",
    "UNSPECIFIED",
    "UnboundVariableError",
    "ReplExit",
    "Values",
    "Vector",
    "WorkLimitError",
    "WrongTypeError",
    "base_name",
    "bound_names",
    "display_string",
    "is_procedure",
    "list_from",
    "list_to_python",
    "print_value",
    "read_all",
    "read_datum",
    "read_one",
    "read_spanned",
    "run_repl",
    "strip",
    "write_string",
]
