"""`fyhub dlq list|resend`: the records the router refused, as they sit in `fy.hub.dlq`.

`list` prints one line per dead letter, oldest first: its position in the dead-letter topic
(`partition:offset`, what `resend` takes), when it was dead-lettered, the outbox topic, partition
and offset it came from, the error code, its size and the error detail. Never the payload.
`resend` puts the raw bytes back on their outbox, for the router to read again.
"""

from __future__ import annotations

import asyncio
import sys
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from hub import bootstrap
from hub.kafka.dead_letters import at_positions, describe, matching, read_dead_letters, resend
from schemas.units import DLQ_TOPIC, unit_code_problem

if TYPE_CHECKING:
    from hub.kafka.dead_letters import DeadLetter
    from hub.settings import Settings

dlq_app = typer.Typer(
    help=f"Dead letters: the raw records the router refused ({DLQ_TOPIC}).",
    no_args_is_help=True,
)
CodeOption = Annotated[
    str | None, typer.Option("--code", help="Only dead letters with this error code.")
]
UnitOption = Annotated[
    str | None, typer.Option("--unit", help="Only dead letters from this unit's outbox.")
]


@dlq_app.command("list")
def list_dead_letters(
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Show only the latest N.")
    ] = None,
    code: CodeOption = None,
    unit: UnitOption = None,
) -> None:
    """List the dead letters, oldest first, without their payloads."""
    letters = matching(_read(bootstrap.load_settings()), code=code, unit=_checked(unit))
    shown = letters[-limit:] if limit is not None else letters
    for letter in shown:
        print(describe(letter))
    more = f", showing the latest {len(shown)}" if len(shown) < len(letters) else ""
    print(f"{len(letters)} dead letter(s){more}.")


@dlq_app.command("resend")
def resend_dead_letters(
    positions: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="OFFSET", help="partition:offset as `list` shows it, or a bare offset."
        ),
    ] = None,
    resend_all: Annotated[
        bool, typer.Option("--all", help="Every dead letter (narrowed by --code / --unit).")
    ] = False,
    code: CodeOption = None,
    unit: UnitOption = None,
) -> None:
    """Publish dead letters back to the outbox they came from, for the router to read again."""
    if bool(positions) == resend_all:
        _fail("name the dead letters to resend (OFFSET …) or pass --all, not both")
    settings = bootstrap.load_settings()
    letters = matching(_read(settings), code=code, unit=_checked(unit))
    if positions:
        letters, unmatched = at_positions(letters, positions)
        if unmatched:
            _fail(f"no single dead letter at {', '.join(unmatched)}; see `fyhub dlq list`")
    resent = asyncio.run(_resend(settings, letters))
    for letter in resent:
        print(f"resent {letter.position} ({letter.code}) to {letter.original_topic}")
    for letter in (letter for letter in letters if letter not in resent):
        print(f"kept {letter.position}: it came from {letter.original_topic}, no unit outbox")
    print(f"resent {len(resent)} dead letter(s).")


def _read(settings: Settings) -> list[DeadLetter]:
    from aiokafka.errors import KafkaError  # noqa: PLC0415 - only this verb group talks to Kafka

    try:
        return asyncio.run(read_dead_letters(bootstrap.kafka_access(settings)))
    except (LookupError, TimeoutError, OSError, KafkaError) as error:
        _fail(f"cannot read {DLQ_TOPIC}: {error or type(error).__name__}")


async def _resend(settings: Settings, letters: list[DeadLetter]) -> list[DeadLetter]:
    broker = bootstrap.build_broker(settings, client_id="fyhub-dlq")
    await broker.connect()
    try:
        return await resend(broker, letters)
    finally:
        await broker.stop()


def _checked(unit: str | None) -> str | None:
    problem = None if unit is None else unit_code_problem(unit)
    if problem is not None:
        _fail(problem)
    return unit


def _fail(message: str) -> NoReturn:
    print(message, file=sys.stderr)
    raise typer.Exit(1)
