"""`fyhub doctor`: check a deployment from its settings and say what is wrong and how to fix it.

It talks to the brokers as the configured principal, which must be their administrator (it reads
the ACLs and the topics' configuration), reads the store's migration and the files of the hub's
secrets and calendar, and changes nothing. Exit status 0 when every check passes (warnings are
printed), 1 when anything is wrong.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from hub import bootstrap
from hub.cli.run import ProfileOption, with_profile
from hub.doctor.checks import CheckResult, diagnose, failed
from hub.doctor.gather import gather
from hub.registry.problems import ContractError
from schemas.identifiers import china_today

_MARKS = {"error": "✗", "warning": "!"}


def doctor(
    profile: ProfileOption = None,
    timeout_s: Annotated[
        float,
        typer.Option("--timeout", help="Seconds to wait for the brokers, and for the store."),
    ] = 20.0,
) -> None:
    """Check the deployment the settings describe: brokers reachable with its credentials, ACLs
    as planned, topics with their partitions, replication, configuration and in-sync replicas,
    the store's migrations at head, the hub's keys present and not the shipped ones, and the
    calendar covering this year and the next. Exit 1 when anything is wrong."""
    settings = with_profile(bootstrap.load_settings(), profile)
    # The one clock read: the calendar must cover China's current year and the next.
    today = china_today()
    kafka = settings.kafka
    print(
        f"fyhub doctor: profile {kafka.profile} (replication {kafka.replication}, "
        f"min.insync.replicas {kafka.min_insync_replicas}), today {today.isoformat()}"
    )
    years = (today.year, today.year + 1)
    try:
        facts = asyncio.run(gather(settings, years=years, timeout_s=timeout_s))
    except ContractError as error:
        # Without the registry nothing can be planned, so nothing else can be checked.
        print("FAIL registry: the unit registry or the routing table cannot be used")
        for problem in error.problems:
            print(f"     ✗ {problem}")
        print("       fix: `fyhub units check` and `fyhub routes check` name each problem")
        raise typer.Exit(1) from None
    results = diagnose(facts, today)
    for result in results:
        print_result(result)
    errors = sum(f.severity == "error" for r in results for f in r.findings)
    warnings = sum(f.severity == "warning" for r in results for f in r.findings)
    if failed(results):
        print(f"{errors} problem(s), {warnings} warning(s): see the fixes above.")
        raise typer.Exit(1)
    print("All is well" + (f" ({warnings} warning(s))." if warnings else "."))


def print_result(result: CheckResult) -> None:
    mark = "ok" if result.ok else "FAIL"
    print(f"{mark if result.checked else 'skip':4} {result.check}: {result.summary}")
    for finding in result.findings:
        print(f"     {_MARKS[finding.severity]} {finding.problem}")
        print(f"       fix: {finding.fix}")
