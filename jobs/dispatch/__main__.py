"""Command line: ``python -m jobs.dispatch solve|stapel|check|generate`` (see the contract).

Exit status: 0 success (for ``check``: feasible), 1 infeasible assignment, 2 bad file or
bad arguments.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, NoReturn

from .check import check
from .deadline import process_started
from .generate import FAMILIES, generate
from .model import DispatchError, parse_assignment, parse_instance
from .solve import default_workers, solve
from .stapel import stapel


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse exits 2 too; keep its message
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def _load(path: str, what: str) -> Any:
    try:
        with Path(path).open(encoding="utf-8") as fh:
            return json.load(fh)
    except OSError as exc:
        raise DispatchError(what, f"cannot read {path}: {exc.strerror}") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise DispatchError(what, f"{path} is not valid JSON: {exc}") from exc


def _print(data: Any) -> None:
    json.dump(data, sys.stdout, separators=(",", ":") if _compact(data) else None)
    sys.stdout.write("\n")


def _compact(data: Any) -> bool:
    return isinstance(data, dict) and len(data.get("shifts", data.get("assignments")) or []) > 100


def main(argv: list[str] | None = None) -> int:
    parser = _Parser(prog="python -m jobs.dispatch", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    p = commands.add_parser("solve", help="assign shifts to all members")
    p.add_argument("instance")
    p.add_argument("--time-limit", type=float, default=30.0, metavar="SECONDS")
    p.add_argument("--workers", type=int, default=default_workers(), help=argparse.SUPPRESS)
    p = commands.add_parser("stapel", help="best set of shifts for one member (exact)")
    p.add_argument("instance")
    p.add_argument("--member", required=True, metavar="ID")
    p = commands.add_parser("check", help="check an assignment, recompute its objective")
    p.add_argument("instance")
    p.add_argument("assignment")
    p = commands.add_parser("generate", help="print a seeded random instance")
    p.add_argument("--shifts", type=int, required=True, metavar="N")
    p.add_argument("--members", type=int, required=True, metavar="M")
    p.add_argument("--seed", type=int, default=0, metavar="S")
    p.add_argument("--family", choices=sorted(FAMILIES), help="a named family of instances")
    args = parser.parse_args(argv)

    try:
        if args.command == "generate":
            if args.shifts < 0 or args.members < 0:
                msg = "--shifts/--members"
                raise DispatchError(msg, "must not be negative")
            _print(
                generate(
                    shifts=args.shifts, members=args.members, seed=args.seed, family=args.family
                )
            )
            return 0
        instance = parse_instance(_load(args.instance, "instance"))
        if args.command == "solve":
            if not args.time_limit > 0:
                msg = "--time-limit"
                raise DispatchError(msg, "must be greater than 0")
            # The promise counts from the process's start (interpreter, imports and
            # reading the file included).
            result = solve(
                instance,
                time_limit=args.time_limit,
                workers=max(1, args.workers),
                started=process_started(),
                guard=True,
            )
            _print(result.to_json())
            return 0
        if args.command == "stapel":
            if args.member not in instance.member_by_id:
                msg = "--member"
                raise DispatchError(msg, f"unknown member {args.member!r}")
            _print(stapel(instance, args.member).to_json())
            return 0
        report = check(instance, parse_assignment(_load(args.assignment, "assignment")))
        _print(report.to_json())
        return 0 if report.feasible else 1
    except DispatchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
