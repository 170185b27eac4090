"""Chinese names for what the console shows: event types, delivery states, stages, audit facts."""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

EVENT_TYPES: Final = MappingProxyType(
    {
        "enforcement.query.requested.v1": "执行查询请求",
        "enforcement.query.answered.v1": "执行查询答复",
        "enforcement.control.requested.v1": "执行控制请求",
        "enforcement.control.answered.v1": "执行控制答复",
        "debtor.listed.v1": "纳入失信被执行人名单",
        "debtor.corrected.v1": "失信信息更正",
        "debtor.delisted.v1": "失信信息删除",
        "debtor.sanction.reported.v1": "联合惩戒措施反馈",
        "bankruptcy.accepted.v1": "破产申请受理",
        "bankruptcy.declared.v1": "宣告破产",
        "bankruptcy.reorganization.approved.v1": "批准重整计划",
        "bankruptcy.terminated.v1": "破产程序终结",
        "bankruptcy.claim.declared.v1": "债权申报",
        "bankruptcy.deregistration.reported.v1": "注销登记反馈",
        "admincase.filed.v1": "行政案件立案",
        "admincase.defence.submitted.v1": "提交答辩状",
        "admincase.hearing.scheduled.v1": "开庭及出庭通知",
        "admincase.appearance.reported.v1": "负责人出庭情况报告",
        "admincase.judged.v1": "行政案件裁判结果",
        "judicial.suggestion.issued.v1": "司法建议",
        "judicial.suggestion.replied.v1": "司法建议回复",
        "nonlitigation.enforcement.applied.v1": "非诉执行申请",
        "nonlitigation.enforcement.ruled.v1": "非诉执行审查裁定",
        "linkage.task.assigned.v1": "联动任务交办",
        "linkage.task.reported.v1": "联动任务办理情况",
        "unit.liaison.changed.v1": "联络员变更",
        "hub.receipt.v1": "签收回执",
        "hub.rejected.v1": "拒收通知",
        "hub.overdue.v1": "逾期督办通知",
        # --- notices (通报) ---
        "notice.major_case.issued.v1": "重大敏感、群体性案件通报",
        "notice.financial_risk.issued.v1": "金融风险通报",
        "notice.housing_project.issued.v1": "问题楼盘通报",
        "notice.risk.responded.v1": "风险处置情况反馈",
        "notice.petition.referred.v1": "涉诉信访转交",
        "notice.petition.handled.v1": "信访事项办理情况",
        "notice.prejudgment.issued.v1": "判决前通报（金钱给付义务）",
        "notice.prejudgment.acknowledged.v1": "判决前通报回复",
        "notice.public_debtor.notified.v1": "公职人员失信通报",
        "notice.public_debtor.measure.reported.v1": "公职人员失信处理情况反馈",
        # --- key enterprises (涉企审慎执行) ---
        "linkage.key_enterprise.listed.v1": "重点企业名单（列入）",
        "linkage.key_enterprise.delisted.v1": "重点企业名单（移出）",
        "enforcement.key_enterprise.notified.v1": "涉重点企业强制措施事先通报",
        "enforcement.key_enterprise.advised.v1": "联席会议办公室意见",
        # --- measure-expiry watch ---
        "enforcement.control.expiring.v1": "查封冻结到期提醒",
        # --- bankruptcy follow-up (破产后续联动) ---
        "bankruptcy.measures.release_requested.v1": "破产受理后解除保全措施通知",
        "bankruptcy.measures.released.v1": "解除保全措施反馈",
        "bankruptcy.credit_repair.requested.v1": "重整企业信用修复通知",
        "bankruptcy.credit_repair.reported.v1": "信用修复情况反馈",
        "bankruptcy.zombie_list.shared.v1": "僵尸企业名单通报",
        # --- police linkage (公安协作) ---
        "police.locate.requested.v1": "查人找物协助请求（布控/临控）",
        "police.locate.answered.v1": "查人找物协助反馈",
        "police.exit_control.requested.v1": "限制出境协助请求",
        "police.exit_control.answered.v1": "限制出境协助反馈",
        "police.refusal.referred.v1": "拒执犯罪线索移送",
        "police.refusal.handled.v1": "拒执犯罪线索处理情况",
    }
)

DELIVERY_STATES: Final = MappingProxyType(
    {
        "routed": "已送达，待签收",
        "received": "已签收",
        "replied": "已答复",
        "closed": "已办结",
        "rejected": "答复被退回",
    }
)

STAGES: Final = MappingProxyType({"receipt": "签收", "reply": "答复"})

AUDIT_KINDS: Final = MappingProxyType(
    {
        "event.received": "收到事件",
        "event.routed": "送达",
        "event.duplicate": "重复事件",
        "receipt.received": "签收",
        "reply.received": "答复",
        "record.rejected": "拒收",
        "journal.unreadable": "日志记录无法读取",
        "journal.refused": "日志记录未经枢纽签封，拒绝采信",
        "delivery.overdue": "逾期督办通知",
        "delivery.redelivered": "重新送达",
        "delivery.escalated": "升级督办",
        "deadlines.recomputed": "期限重新计算",
        # --- measure-expiry watch ---
        "measure.reminded": "查封冻结到期提醒",
    }
)

REJECTION_CODES: Final = MappingProxyType(
    {
        "malformed": "格式错误",
        "too_large": "超过大小上限",
        "unknown_type": "未知事件类型",
        "schema_invalid": "内容不合规范",
        "source_mismatch": "来源与发件箱不符",
        "not_permitted": "无权发布此类事件",
        "unknown_recipient": "接收单位不存在",
        "recipient_not_entitled": "接收单位无权接收",
        "bad_signature": "签名无效",
        "unknown_correlation": "答复或签收对应的事件不存在",
        "stale": "事件时间超出时效",
        "duplicate": "重复发布",
    }
)

VIEW_OUTCOMES: Final = MappingProxyType(
    {"shown": "已显示", "not_found": "未找到", "refused": "无权查看（按未找到答复）"}
)

ROLES: Final = MappingProxyType({"office": "联席会议办公室", "liaison": "成员单位联络员"})


def event_type(name: str) -> str:
    return EVENT_TYPES.get(name, name)


def delivery_state(status: str) -> str:
    return DELIVERY_STATES.get(status, status)


def stage(name: str) -> str:
    return STAGES.get(name, name)


def audit_kind(kind: str) -> str:
    return AUDIT_KINDS.get(kind, kind)


def rejection_code(code: str) -> str:
    return REJECTION_CODES.get(code, code)


def view_outcome(outcome: str) -> str:
    return VIEW_OUTCOMES.get(outcome, outcome)


def role(name: str) -> str:
    return ROLES.get(name, name)
