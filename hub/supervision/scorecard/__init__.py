"""Supervision figures (督导考核) for the joint-meeting office: the monthly scorecard of every
unit's receipts and replies, and the year's administrative-case figures."""

from hub.supervision.scorecard.annual import (
    AdminCaseEvents,
    AgencyFigures,
    AnnualFigures,
    annual_figures,
)
from hub.supervision.scorecard.month import Month
from hub.supervision.scorecard.monthly import (
    TOTAL,
    Scorecard,
    StageResult,
    StageTally,
    UnitScore,
    scorecard,
    stage_result,
)
from hub.supervision.scorecard.queries import (
    admin_case_events,
    annual_admin_figures,
    month_deliveries,
    monthly_scorecard,
)

__all__ = [
    "TOTAL",
    "AdminCaseEvents",
    "AgencyFigures",
    "AnnualFigures",
    "Month",
    "Scorecard",
    "StageResult",
    "StageTally",
    "UnitScore",
    "admin_case_events",
    "annual_admin_figures",
    "annual_figures",
    "month_deliveries",
    "monthly_scorecard",
    "scorecard",
    "stage_result",
]
