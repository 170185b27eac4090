"""The demo scenario: a county court at work, writing rows that the court connector exports.

`ScenarioDriver` files, at `rate_per_s`, the court's side of all four families: inquiries to tax
and samr and equity freezes at samr, dishonest-debtor listings with corrections and deletions,
bankruptcy acceptances and terminations, administrative cases against tax or samr with their
hearings and judgments, and judicial suggestions. Every `bad_record_every`-th step it instead
writes a bad record straight to the court's outbox topic (when given a broker), so rejections
show up too. The answers, late or not, come from the departments' own connectors.

It writes only to the court database (through `connectors.court.filing`); the court connector,
running elsewhere, publishes what it finds there.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from typing import TYPE_CHECKING, Final

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from connectors.court import filing
from connectors.court.store import cases, enforcement_requests, judicial_suggestions, listings
from connectors.demo.bad_records import BadRecord, bad_record
from connectors.demo.choices import ScenarioState, Step, bad_record_due, choose_step
from connectors.demo.court import COURT_CODE, SERIAL_PREFIXES, SUGGESTION_TYPE, CourtDemo
from connectors.sdk.kafka_access import PLAINTEXT, KafkaSecurity
from schemas.common import UnitRef
from schemas.dates import CHINA_TIME
from schemas.identifiers import SuggestionNumber, china_today
from schemas.units import outbox_topic

if TYPE_CHECKING:
    import random
    from collections.abc import Awaitable, Callable, Sequence

    from sqlalchemy.ext.asyncio import AsyncEngine

    from schemas.common import Party

log = logging.getLogger(__name__)

UNIT_NAMES: Final = {"tax": "国家税务总局舞阳县税务局", "samr": "舞阳县市场监督管理局"}
"""The departments the demo court deals with, by dept, and their names in 舞阳县."""


class ScenarioDriver:
    """Keeps court traffic flowing until `stop` is set (see the module docstring)."""

    def __init__(  # noqa: PLR0913 - all but the first two are keyword-only
        self,
        court_engine: AsyncEngine,
        rng: random.Random,
        *,
        region: str = "411121",
        rate_per_s: float = 2.0,
        bad_record_every: int = 50,
        raw_producer_bootstrap: str | None = None,
        raw_producer_security: KafkaSecurity = PLAINTEXT,
        known_parties: Sequence[Party] = (),
    ) -> None:
        if rate_per_s <= 0:
            raise ValueError("rate_per_s must be positive")
        self.engine = court_engine
        self.rng = rng
        self.region = region
        self.interval_s = 1 / rate_per_s
        self.bad_record_every = bad_record_every
        self.bootstrap = raw_producer_bootstrap
        self.security = raw_producer_security
        self.demo = CourtDemo(rng, china_today(), known=known_parties)
        self.state = ScenarioState()
        self.steps = 0
        self.done: dict[str, int] = {}
        """How often each step (and `bad_record`) was carried out."""
        self._producer: AIOKafkaProducer | None = None

    def unit(self, dept: str) -> str:
        return f"{dept}.{self.region}"

    def unit_ref(self, dept: str) -> UnitRef:
        return UnitRef(unit=self.unit(dept), name=UNIT_NAMES[dept])

    async def run(self, stop: asyncio.Event) -> None:
        """File steps at the configured rate until `stop` is set."""
        await self.resume()
        if self.bootstrap is not None and self.bad_record_every > 0:
            self._producer = await _raw_producer(self.bootstrap, self.security)
        try:
            while not stop.is_set():
                await self.step()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), self.interval_s)
        finally:
            if self._producer is not None:
                await self._producer.stop()
                self._producer = None

    async def resume(self) -> None:
        """Number on after the cases and requests already in the court database."""
        self.demo.today = china_today()
        self.demo.continue_after(*await numbers_in_use(self.engine, self.demo))

    async def step(self) -> str:
        """Carry out one step; its name (a `Step`, or `bad_record`)."""
        self.steps += 1
        self.demo.today = china_today()
        name: str
        if self._producer is not None and bad_record_due(self.steps, self.bad_record_every):
            name = "bad_record"
            try:
                await self._send_bad_record(self._producer)
            except KafkaError as error:
                log.warning("bad record not sent: %s", type(error).__name__)
                return name
        else:
            step = choose_step(self.rng, self.state)
            name = str(step)
            try:
                await self._actions()[step]()
            except (SQLAlchemyError, filing.UnknownRecordError) as error:
                # A demo keeps going: a step the database refuses (locked, a clash) is skipped.
                log.warning("demo step %s skipped: %s", step, type(error).__name__)
                return name
        self.done[name] = self.done.get(name, 0) + 1
        return name

    def _actions(self) -> dict[Step, Callable[[], Awaitable[None]]]:
        return {
            Step.ENFORCEMENT_QUERY: self._enforcement_query,
            Step.EQUITY_FREEZE: self._equity_freeze,
            Step.LISTING: self._listing,
            Step.CORRECTION: self._correction,
            Step.DELISTING: self._delisting,
            Step.BANKRUPTCY_ACCEPTED: self._bankruptcy_accepted,
            Step.BANKRUPTCY_TERMINATED: self._bankruptcy_terminated,
            Step.ADMIN_CASE_FILED: self._admin_case_filed,
            Step.HEARING_SCHEDULED: self._hearing_scheduled,
            Step.ADMIN_CASE_JUDGED: self._admin_case_judged,
            Step.JUDICIAL_SUGGESTION: self._judicial_suggestion,
        }

    # --- the steps ---------------------------------------------------------------------------

    async def _enforcement_query(self) -> None:
        case = self.demo.enforcement_case()
        request = self.demo.query(case, ("tax", "samr"))
        await filing.file_enforcement_query(
            self.engine, request, to=(self.unit("tax"), self.unit("samr"))
        )
        self.state.enforcement.append(case)

    async def _equity_freeze(self) -> None:
        case = self.rng.choice(self.state.enforcement)
        request = self.demo.equity_freeze(case)
        await filing.file_control_request(self.engine, request, to=self.unit("samr"))

    async def _listing(self) -> None:
        case = self.state.enforcement.popleft()
        listing = self.demo.listing(case)
        await filing.list_debtor(self.engine, listing)
        self.state.listings.append(listing)

    async def _correction(self) -> None:
        listing = self.rng.choice(
            [i for i in self.state.listings if i.listing_id not in self.state.corrected]
        )
        await filing.correct_listing(self.engine, self.demo.correction(listing))
        self.state.corrected.add(listing.listing_id)

    async def _delisting(self) -> None:
        listing = self.state.listings.popleft()
        await filing.delist_debtor(self.engine, self.demo.delisting(listing))
        self.state.corrected.discard(listing.listing_id)

    async def _bankruptcy_accepted(self) -> None:
        accepted = self.demo.bankruptcy()
        await filing.accept_bankruptcy(self.engine, accepted)
        self.state.bankruptcies.append(accepted)

    async def _bankruptcy_terminated(self) -> None:
        accepted = self.state.bankruptcies.popleft()
        await filing.rule_in_bankruptcy(self.engine, self.demo.termination(accepted))

    async def _admin_case_filed(self) -> None:
        case = self.demo.admin_case(self.unit_ref(self.rng.choice(("tax", "samr"))))
        await filing.file_admin_case(self.engine, case)
        self.state.filed.append(case)

    async def _hearing_scheduled(self) -> None:
        case = self.state.filed.popleft()
        hearing = self.demo.hearing(case)
        await filing.schedule_hearing(self.engine, hearing)
        self.state.heard.append((case, hearing.head_required))

    async def _admin_case_judged(self) -> None:
        case, head_required = self.state.heard.popleft()
        judgment = self.demo.judgment(case, head_appeared=head_required)
        await filing.judge_admin_case(self.engine, judgment)

    async def _judicial_suggestion(self) -> None:
        recipient = self.unit_ref(self.rng.choice(("tax", "samr")))
        case_no = self.state.heard[-1][0].case_no if self.state.heard else None
        await filing.issue_judicial_suggestion(
            self.engine, self.demo.suggestion(recipient, case_no)
        )

    async def _send_bad_record(self, producer: AIOKafkaProducer) -> None:
        case = self.demo.enforcement_case()
        to = (self.unit("tax"),)
        request = self.demo.query(case, ("tax",))
        kind = self.rng.choice(list(BadRecord))
        now = _china_now()
        value = bad_record(kind, request, unit=self.unit("court"), to=to, rng=self.rng, now=now)
        topic = outbox_topic(self.unit("court"))
        await producer.send_and_wait(topic, value, key=request.case_no.encode())


async def numbers_in_use(
    engine: AsyncEngine, demo: CourtDemo
) -> tuple[dict[str, int], dict[str, int]]:
    """The highest case numbers per type this year and the highest request and listing serials
    today in the court database, so a restarted scenario does not reuse them."""
    year = demo.today.year
    async with engine.connect() as connection:
        per_type = await connection.execute(
            select(cases.c.type_code, func.max(cases.c.number))
            .where(cases.c.year == year, cases.c.court_code == COURT_CODE)
            .group_by(cases.c.type_code)
        )
        numbers = {str(code): int(number) for code, number in per_type.all()}
        issued = await connection.scalars(select(judicial_suggestions.c.suggestion_no))
        this_year = [SuggestionNumber.parse(no) for no in issued]
        numbers[SUGGESTION_TYPE] = max((n.number for n in this_year if n.year == year), default=0)
        serials: dict[str, int] = {}
        for prefix, column in zip(
            SERIAL_PREFIXES,
            (
                enforcement_requests.c.request_no,
                enforcement_requests.c.request_no,
                listings.c.listing_id,
            ),
            strict=True,
        ):
            pattern = f"{demo.serial_prefix(prefix)}%"
            highest = await connection.scalar(select(func.max(column)).where(column.like(pattern)))
            serials[prefix] = int(highest[-5:]) if highest else 0
    return numbers, serials


async def _raw_producer(bootstrap: str, security: KafkaSecurity) -> AIOKafkaProducer | None:
    """A plain producer for the bad records, or None (and no bad records) if Kafka is out of
    reach: the court's own traffic does not depend on it."""
    producer = AIOKafkaProducer(
        bootstrap_servers=bootstrap, acks="all", **security.client_options()
    )
    try:
        await producer.start()
    except KafkaError as error:
        log.warning("no bad records this run: Kafka unreachable (%s)", type(error).__name__)
        await producer.stop()
        return None
    return producer


def _china_now() -> dt.datetime:
    return dt.datetime.now(CHINA_TIME)
