"""Plausible filings of a county court, deterministic from a seed. Pure (no clock, no I/O).

`CourtDemo` numbers cases the way the court's registry does (per year and case type: 执, 破,
行初 …) and makes the filings the court connector publishes, each as its catalogue payload:
inquiries and control requests in enforcement cases, dishonest-debtor listings with their
corrections and deletions, bankruptcy acceptances and rulings, administrative cases with their
hearings and judgments, and judicial suggestions. Dates are counted from the `today` it is given,
so every filing passes the legal checks of `schemas` (listing periods, claims periods, notice
periods, maximum control terms).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from connectors.demo.documents import control_documents
from connectors.demo.people import company_name, credit_code, person_name, resident_id
from schemas.admincase import (
    AdmincaseFiled,
    AdmincaseHearingScheduled,
    AdmincaseJudged,
    Outcome,
)
from schemas.bankruptcy import (
    Administrator,
    BankruptcyAccepted,
    BankruptcyDeclared,
    BankruptcyTerminated,
    Enterprise,
    Procedure,
    TerminationGround,
)
from schemas.common import Party, PartyKind, Subject, UnitRef
from schemas.control import Asset, AssetKind, ControlAction, EnforcementControlRequested
from schemas.dates import CHINA_TIME, add_months, add_years
from schemas.debtor import (
    Basis,
    DebtorCorrected,
    DebtorDelisted,
    DebtorListed,
    DelistingGround,
    DishonestConduct,
    ListingChanges,
    Performance,
)
from schemas.enforcement import EnforcementQueryRequested, Officer, QueryCategory
from schemas.identifiers import IdType, china_today
from schemas.judicial import JudicialSuggestionIssued

if TYPE_CHECKING:
    import random
    from collections.abc import Mapping, Sequence

COURT: Final = "舞阳县人民法院"
COURT_CODE: Final = "豫1121"
"""法院代字 of 舞阳县人民法院: 河南 (豫) + the county's code 411121 without the province."""
SUGGESTION_ISSUER: Final = "舞"
SUGGESTION_TYPE: Final = "法建"
"""Key of the judicial-suggestion numbers among the case-type counters."""
SERIAL_PREFIXES: Final = ("CX", "KZ", "SX")
"""Inquiry (查询), control (控制) and listing (失信) numbers."""

_OFFICERS: Final = (("赵振华", "0017"), ("孙立新", "0023"), ("周海燕", "0031"), ("高建国", "0042"))
_ADMINISTRATORS: Final = (
    ("河南豫中律师事务所", "舞阳县舞泉镇人民路56号", "0395-7266888"),
    ("河南漯河正平律师事务所", "漯河市源汇区黄河路18号", "0395-3156677"),
    ("河南天平会计师事务所有限公司", "漯河市郾城区嵩山路99号", "0395-3362211"),
)
_DUTIES: Final = (
    "偿还原告借款本金{amount}元及利息",
    "支付货款{amount}元及逾期付款违约金",
    "支付工程款{amount}元",
    "支付劳动报酬{amount}元",
)
_CAUSES: Final = (
    ("行政处罚", "撤销被告作出的行政处罚决定"),
    ("行政强制", "确认被告实施的查封行为违法"),
    ("行政登记", "撤销被告作出的变更登记"),
    ("行政征收", "撤销被告作出的税务处理决定"),
    ("政府信息公开", "判令被告依法公开所申请的政府信息"),
)
_PROBLEMS: Final = (
    ("现场检查笔录未载明检查人员执法证件号码", "完善现场检查笔录格式，逐项记载执法人员信息"),
    ("处罚告知书送达程序不规范", "严格落实送达回证制度"),
    ("行政机关负责人出庭应诉率偏低", "落实负责人出庭应诉制度，提高出庭应诉率"),
    ("登记审查未核实申请材料真实性", "加强登记材料实质审查，建立核验机制"),
    ("税务处理决定说理不充分", "加强执法文书说理，载明事实依据和法律依据"),
)
_PLACES: Final = (
    "舞阳县人民法院第一审判庭",
    "舞阳县人民法院第三审判庭",
    "舞阳县人民法院行政审判庭",
)
_QUERY_CATEGORIES: Final = {
    "tax": (QueryCategory.TAX,),
    "samr": (QueryCategory.EQUITY, QueryCategory.BUSINESS_REGISTRATION),
}


@dataclass
class EnforcementCase:
    """An enforcement case (执) and what the court holds on it."""

    case_no: str
    filed_on: dt.date
    officer: Officer
    debtors: tuple[Party, ...]
    basis: Basis
    duty: str
    request_count: int = 0


KNOWN_SHARE = 0.85
"""How often a debtor is one of the known parties rather than someone no department knows."""


def known_parties(rng: random.Random, *, people: int = 40, companies: int = 20) -> list[Party]:
    """The parties the demo court and the departments' demo books share."""
    demo = CourtDemo(rng, china_today())
    return [demo.natural_person() for _ in range(people)] + [
        demo.company() for _ in range(companies)
    ]


@dataclass
class CourtDemo:
    """The court's filings, numbered like its registry, from `rng` and the date `today`.

    `id_region` is the GB/T 2260 code the parties' identifiers are registered in; unit codes
    (recipients, defendants) are given by the caller. Debtors are mostly drawn from `known`
    (parties the departments' demo books also hold, so their answers find something), and now
    and then made up, as a debtor no department has heard of.
    """

    rng: random.Random
    today: dt.date
    id_region: str = "411121"
    known: Sequence[Party] = ()
    _numbers: Counter[str] = field(default_factory=Counter)
    _sequence: Counter[str] = field(default_factory=Counter)

    # --- numbering -------------------------------------------------------------------------

    def case_no(self, type_code: str) -> str:
        """The next case number of `type_code` this year: （2026）豫1121执1号, 执2号 …"""
        self._numbers[type_code] += 1
        return f"（{self.today.year}）{COURT_CODE}{type_code}{self._numbers[type_code]}号"

    def continue_after(self, numbers: Mapping[str, int], serials: Mapping[str, int]) -> None:
        """Number on after what an earlier run filed: the highest case (and 法建) number per
        type code this year, and the highest serial per request prefix (CX, KZ, SX) today."""
        for counter, highest in ((self._numbers, numbers), (self._sequence, serials)):
            for key, number in highest.items():
                counter[key] = max(counter[key], number)

    def serial_prefix(self, prefix: str) -> str:
        """What today's request or listing numbers of `prefix` start with."""
        return f"{prefix}{self.id_region}{self.today:%Y%m%d}"

    def _serial(self, prefix: str) -> str:
        """A request or listing number: prefix, region, date and a 5-digit serial."""
        self._sequence[prefix] += 1
        return f"{self.serial_prefix(prefix)}{self._sequence[prefix]:05d}"

    def _days_ago(self, low: int, high: int) -> dt.date:
        return self.today - dt.timedelta(days=self.rng.randint(low, high))

    # --- parties -----------------------------------------------------------------------------

    def natural_person(self) -> Party:
        known = [party for party in self.known if party.kind is PartyKind.NATURAL]
        if known and self.rng.random() < KNOWN_SHARE:
            return self.rng.choice(known)
        return Party(
            kind=PartyKind.NATURAL,
            name=person_name(self.rng),
            id_type=IdType.RESIDENT_ID,
            id_no=resident_id(self.rng, self.id_region),
        )

    def company(self) -> Party:
        known = [party for party in self.known if party.kind is PartyKind.LEGAL]
        if known and self.rng.random() < KNOWN_SHARE:
            return self.rng.choice(known)
        return Party(
            kind=PartyKind.LEGAL,
            name=company_name(self.rng, self.id_region),
            id_type=IdType.USCC,
            id_no=credit_code(self.rng, self.id_region),
            legal_rep=person_name(self.rng),
        )

    def enterprise(self) -> Enterprise:
        return Enterprise(
            name=company_name(self.rng, self.id_region), uscc=credit_code(self.rng, self.id_region)
        )

    # --- enforcement -------------------------------------------------------------------------

    def enforcement_case(self, *, company: bool | None = None) -> EnforcementCase:
        """A new enforcement case against one person, or against a company and the shareholder
        who guaranteed its debt (`company`: which of the two; by default drawn)."""
        name, serial = self.rng.choice(_OFFICERS)
        if company is None:
            company = self.rng.random() >= 0.6
        debtors = (self.company(), self.natural_person()) if company else (self.natural_person(),)
        amount = self.rng.randrange(20_000, 2_000_000, 1000)
        basis_no = f"（{self.today.year - 1}）{COURT_CODE}民初{self.rng.randint(100, 3000)}号"
        return EnforcementCase(
            case_no=self.case_no("执"),
            filed_on=self._days_ago(30, 200),
            officer=Officer(name=name, work_id=f"{COURT_CODE}执{serial}"),
            debtors=debtors,
            basis=Basis(issuer=COURT, doc_no=basis_no),
            duty=self.rng.choice(_DUTIES).format(amount=amount),
        )

    def query(self, case: EnforcementCase, depts: tuple[str, ...]) -> EnforcementQueryRequested:
        """An inquiry about the case's debtors to units of `depts` (tax, samr …)."""
        categories = tuple(
            dict.fromkeys(c for dept in depts for c in _QUERY_CATEGORIES.get(dept, ()))
        )
        return EnforcementQueryRequested(
            request_no=self._serial("CX"),
            case_no=case.case_no,
            court=COURT,
            officer=case.officer,
            subjects=tuple(_subject(debtor) for debtor in case.debtors),
            categories=categories or (QueryCategory.REAL_ESTATE,),
        )

    def equity_freeze(self, case: EnforcementCase) -> EnforcementControlRequested:
        """A freeze, for the 3-year maximum term, of the equity the case's debtor person holds
        in the debtor company (or, in a case against a person alone, in some local company)."""
        case.request_count += 1
        holder = case.debtors[-1]
        companies = [d for d in case.debtors if d.kind is PartyKind.LEGAL]
        company, uscc = (
            (companies[0].name, companies[0].id_no)
            if companies
            else (company_name(self.rng, self.id_region), credit_code(self.rng, self.id_region))
        )
        share = self.rng.choice((10, 20, 30, 40, 51, 60, 100))
        capital = self.rng.choice((50, 100, 200, 300, 500, 1000))
        start = self.today
        ruling_no = _ruling_no(case.case_no, case.request_count)
        return EnforcementControlRequested(
            request_no=self._serial("KZ"),
            case_no=case.case_no,
            court=COURT,
            officer=case.officer,
            action=ControlAction.FREEZE,
            asset=Asset(
                kind=AssetKind.EQUITY,
                description=f"{holder.name}持有的{company}{share}%股权（认缴出资{capital}万元）",
                identifier=uscc,
                owner=_subject(holder),
            ),
            ruling_no=ruling_no,
            start=start,
            end=add_years(start, 3) - dt.timedelta(days=1),
            attachments=control_documents(ruling_no),
        )

    # --- dishonest-debtor list ----------------------------------------------------------------

    def listing(self, case: EnforcementCase) -> DebtorListed:
        """The case's first debtor listed, on one or two grounds, for the legal period."""
        ground = self.rng.choice(list(DishonestConduct))
        conduct: tuple[DishonestConduct, ...] = (ground,)
        listed_on = self.today
        period_end: dt.date | None = add_years(listed_on, 2)
        if ground is DishonestConduct.REFUSES_DESPITE_ABILITY:
            period_end = None  # lasts until performance (法释〔2017〕7号 art. 2)
        elif self.rng.random() < 0.2:
            conduct = (ground, DishonestConduct.VIOLATES_PROPERTY_REPORTING)
            if ground is DishonestConduct.VIOLATES_PROPERTY_REPORTING:
                conduct = (ground,)
            else:
                period_end = add_years(listed_on, 3)
        return DebtorListed(
            listing_id=self._serial("SX"),
            case_no=case.case_no,
            court=COURT,
            case_filed_on=case.filed_on,
            decision_no=f"{case.case_no}之{_CHINESE_ORDINALS[2]}",
            debtor=case.debtors[0],
            basis=case.basis,
            duty=case.duty,
            performance=Performance.NOT_PERFORMED,
            conduct=conduct,
            listed_on=listed_on,
            period_end=period_end,
        )

    def correction(self, listing: DebtorListed) -> DebtorCorrected:
        """The debtor paid part: the listing's performance is corrected on application."""
        paid = self.rng.randrange(100_000, 5_000_000, 10_000)
        return DebtorCorrected(
            listing_id=listing.listing_id,
            case_no=listing.case_no,
            corrected_on=self.today,
            changes=ListingChanges(performance=Performance.PARTIALLY_PERFORMED, performed=paid),
            reason=f"被执行人已履行{paid // 100}元，依申请更正履行情况",
        )

    def delisting(self, listing: DebtorListed) -> DebtorDelisted:
        ground = self.rng.choice(
            (DelistingGround.FULFILLED, DelistingGround.SETTLEMENT, DelistingGround.EARLY)
        )
        reason = (
            "被执行人积极履行，经申请执行人同意提前删除"
            if ground is DelistingGround.EARLY
            else None
        )
        return DebtorDelisted(
            listing_id=listing.listing_id,
            case_no=listing.case_no,
            ground=ground,
            delisted_on=self.today,
            reason=reason,
        )

    # --- bankruptcy --------------------------------------------------------------------------

    def bankruptcy(self) -> BankruptcyAccepted:
        """An acceptance announced at once, claims due in 30-90 days, first meeting after."""
        name, address, phone = self.rng.choice(_ADMINISTRATORS)
        accepted_on = self.today
        claims_deadline = accepted_on + dt.timedelta(days=self.rng.randint(30, 88))
        meeting_day = claims_deadline + dt.timedelta(days=self.rng.randint(1, 15))
        return BankruptcyAccepted(
            case_no=self.case_no("破"),
            court=COURT,
            debtor=self.enterprise(),
            procedure=self.rng.choice(list(Procedure)),
            accepted_on=accepted_on,
            announced_on=accepted_on,
            administrator=Administrator(name=name, address=address, phone=phone),
            claims_deadline=claims_deadline,
            first_meeting_at=dt.datetime.combine(meeting_day, dt.time(9), CHINA_TIME),
        )

    def declaration(self, accepted: BankruptcyAccepted) -> BankruptcyDeclared:
        return BankruptcyDeclared(
            case_no=accepted.case_no,
            court=COURT,
            debtor=accepted.debtor,
            date=self.today,
            ruling_no=_ruling_no(accepted.case_no, 2),
        )

    def termination(self, accepted: BankruptcyAccepted) -> BankruptcyTerminated:
        return BankruptcyTerminated(
            case_no=accepted.case_no,
            court=COURT,
            debtor=accepted.debtor,
            date=self.today,
            ruling_no=_ruling_no(accepted.case_no, 5),
            ground=self.rng.choice(list(TerminationGround)),
        )

    # --- administrative cases ------------------------------------------------------------------

    def admin_case(self, defendant: UnitRef) -> AdmincaseFiled:
        cause, claims = self.rng.choice(_CAUSES)
        plaintiff = self.natural_person() if self.rng.random() < 0.7 else self.company()
        return AdmincaseFiled(
            case_no=self.case_no("行初"),
            court=COURT,
            plaintiff=plaintiff,
            defendant=defendant,
            cause=cause,
            claims=claims,
            filed_on=self.today,
        )

    def hearing(self, case: AdmincaseFiled) -> AdmincaseHearingScheduled:
        """A hearing 3-20 days after the notice, at 9:00 or 14:30 (2020 rule art. 5)."""
        day = self.today + dt.timedelta(days=self.rng.randint(3, 20))
        hour = self.rng.choice((dt.time(9), dt.time(14, 30)))
        return AdmincaseHearingScheduled(
            case_no=case.case_no,
            court=COURT,
            noticed_on=self.today,
            hearing_at=dt.datetime.combine(day, hour, CHINA_TIME),
            place=self.rng.choice(_PLACES),
            head_required=self.rng.random() < 0.8,
        )

    def judgment(self, case: AdmincaseFiled, *, head_appeared: bool) -> AdmincaseJudged:
        return AdmincaseJudged(
            case_no=case.case_no,
            outcome=self.rng.choice(list(Outcome)),
            judged_on=self.today,
            head_appeared=head_appeared,
        )

    def suggestion(self, recipient: UnitRef, case_no: str | None) -> JudicialSuggestionIssued:
        """A judicial suggestion on one or two problems, to be answered within 2 months."""
        picked = self.rng.sample(_PROBLEMS, self.rng.choice((1, 2)))
        self._numbers[SUGGESTION_TYPE] += 1
        return JudicialSuggestionIssued(
            suggestion_no=f"{SUGGESTION_ISSUER}法建〔{self.today.year}〕{self._numbers[SUGGESTION_TYPE]}号",
            court=COURT,
            recipient=recipient,
            case_no=case_no,
            title=f"{COURT}关于{picked[0][1][:8]}的司法建议书",
            problems=tuple(problem for problem, _ in picked),
            suggestions=tuple(suggestion for _, suggestion in picked),
            issued_on=self.today,
            reply_by=add_months(self.today, 2),
        )


_CHINESE_ORDINALS: Final = "一二三四五六七八九十"


def _ruling_no(case_no: str, nth: int) -> str:
    """（2026）豫1121执356号之一: the nth ruling in a case."""
    return f"{case_no}之{_CHINESE_ORDINALS[(nth - 1) % len(_CHINESE_ORDINALS)]}"


def _subject(party: Party) -> Subject:
    return Subject(name=party.name, id_type=party.id_type, id_no=party.id_no)
