"""python -m scheme [-I DIR]... [FILE.scm [ARG...]]: run a program, or open a REPL."""

from __future__ import annotations

import sys

from .errors import SchemeError

USAGE = "usage: python -m scheme [-I DIR]... [FILE.scm [ARG...]]   (or --version)"
HELP = f"""{USAGE}

Runs FILE.scm, or opens a REPL when no file is given (,help inside it). The program
may use the clock, files, its command line (FILE.scm ARG...), exit and environment
variables: the capabilities an embedded Interpreter() and every flow go without.

  -I DIR   also look for libraries in DIR: (import (a b)) loads DIR/a/b.sld or
           DIR/a/b.scm; FILE.scm's own directory is searched after every -I DIR

example: python -m scheme -I lib examples/queens.scm"""


def _parse(args: list[str]) -> tuple[list[str], list[str]] | str:
    """(library dirs, [FILE, ARG...]) or the usage error to report."""
    dirs: list[str] = []
    i = 0
    while i < len(args) and args[i].startswith("-") and args[i] != "-":
        a = args[i]
        if a == "-I":
            if i + 1 >= len(args):
                return "-I needs a directory"
            dirs.append(args[i + 1])
            i += 2
        elif a.startswith("-I"):
            dirs.append(a[2:])
            i += 1
        elif a == "--":
            i += 1
            break
        else:
            return f"unknown option {a}"
    return dirs, args[i:]


def version() -> str:
    """The installed project's version."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    try:
        return dist_version("commerce-flows")
    except PackageNotFoundError:  # pragma: no cover - run from a bare source tree
        return "unknown"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] in ("-h", "--help"):
        print(HELP)
        return 0
    if args and args[0] == "--version":
        print(f"python -m scheme (commerce-flows) {version()}")
        return 0
    parsed = _parse(args)
    if isinstance(parsed, str):
        print(f"python -m scheme: {parsed}\n{USAGE}", file=sys.stderr)
        return 2
    dirs, rest = parsed
    from .capabilities import ALL_CAPABILITIES
    from .errors import ProgramExit
    from .interpreter import Interpreter

    interp = Interpreter(
        library_path=dirs, capabilities=ALL_CAPABILITIES, command_line=rest or ["scheme"]
    )
    if not rest:
        from .repl import scheme_repl

        try:
            return scheme_repl(interp)
        except ProgramExit as e:
            return e.code
    try:
        interp.load_file(rest[0])
    except ProgramExit as e:
        return e.code
    except SchemeError as e:
        sys.stdout.flush()
        print(e.render(), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    finally:
        sys.stdout.flush()
    return 0


def run() -> None:
    """main(), with output that cannot be written (closed, full, a broken pipe) reported
    as one line instead of a Python traceback."""
    import os

    try:
        code = main()
        sys.stdout.flush()
    except KeyboardInterrupt:  # before the REPL or the program was under way
        os._exit(130)
    except OSError as e:
        try:
            sys.stderr.write(f"python -m scheme: cannot write output: {e.strerror or e}\n")
            sys.stderr.flush()
        except OSError:
            pass
        os._exit(1)
    sys.exit(code)


if __name__ == "__main__":
    run()
