"""python -m scheme [FILE.scm]: run a program, or open a REPL without a file."""

from __future__ import annotations

import sys

from .errors import SchemeError


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
        print(
            "usage: python -m scheme [FILE.scm]   (or --version)\n\n"
            "Runs FILE.scm, or opens a REPL when no file is given (,help inside it).\n"
            "example: python -m scheme examples/queens.scm"
        )
        return 0
    if args and args[0] == "--version":
        print(f"python -m scheme (commerce-flows) {version()}")
        return 0
    from .interpreter import Interpreter

    interp = Interpreter()
    if not args:
        from .repl import scheme_repl

        return scheme_repl(interp)
    if len(args) > 1:
        print("usage: python -m scheme [FILE.scm]", file=sys.stderr)
        return 2
    try:
        interp.load_file(args[0])
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
