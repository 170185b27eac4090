"""What `fyhub doctor` finds wrong with a deployment, from facts gathered beforehand. Pure.

Each check turns one group of facts (`hub.doctor.facts`) into a `CheckResult`: a line saying
what was checked, and a `Finding` for each thing wrong, with how to fix it. A finding is an
`error` (the deployment is not as planned, or will lose or refuse work: `fyhub doctor` exits 1)
or a `warning` (it works, but one more fault would hurt: said, not failed). Nothing here reads a
clock, a file or the network: the calendar check is handed `today`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from hub.acl.plan import acl_diff
from hub.kafka.topics import config_changes, partitions_to_add, replication_mismatches
from hub.security.secret_files import missing_key_problem, token_secret_problem

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence
    from datetime import date

    from hub.acl.plan import Acl
    from hub.doctor.facts import (
        BrokerFacts,
        CalendarFacts,
        DeploymentFacts,
        KeyFacts,
        StoreFacts,
    )
    from hub.kafka.topics import TopicSpec, TopicState

Severity = Literal["error", "warning"]

BROKERS, ACLS, TOPICS, STORE, KEYS, CALENDAR = (
    "brokers",
    "acls",
    "topics",
    "store",
    "keys",
    "calendar",
)
_MAX_LISTED = 20
"""Findings listed one by one per check; the rest are counted (a new cluster misses hundreds)."""


@dataclass(frozen=True, slots=True)
class Finding:
    check: str
    problem: str
    fix: str
    severity: Severity = "error"


@dataclass(frozen=True, slots=True)
class CheckResult:
    check: str
    summary: str
    """What was checked and found, in one line."""
    findings: tuple[Finding, ...] = ()
    checked: bool = True
    """False when the check could not run (the brokers did not answer: that is the finding)."""

    @property
    def ok(self) -> bool:
        return not any(finding.severity == "error" for finding in self.findings)


def diagnose(facts: DeploymentFacts, today: date) -> list[CheckResult]:
    """Every check over `facts`; the broker-side checks only when the brokers answered."""
    brokers = check_brokers(facts.brokers, replication=facts.replication)
    results = [brokers]
    if facts.brokers.error is None:
        results.append(
            _refused(ACLS, facts.acl_error, "list their ACLs")
            or check_acls(facts.planned_acls, facts.present_acls)
        )
        if facts.acl_error is not None:
            # Not the administrator: the topics it may not describe look missing to it.
            unseen = "not checked: only the brokers' administrator sees every topic"
            results.append(CheckResult(TOPICS, unseen, checked=False))
        else:
            results.append(
                _refused(TOPICS, facts.topic_error, "describe the topics")
                or check_topics(facts.planned_topics, facts.topics)
            )
    else:
        skipped = "not checked: the brokers did not answer"
        results += [
            CheckResult(ACLS, skipped, checked=False),
            CheckResult(TOPICS, skipped, checked=False),
        ]
    results += [check_store(facts.store), check_keys(facts.keys)]
    results.append(check_calendar(facts.calendar, today))
    return results


def _refused(check: str, error: str | None, what: str) -> CheckResult | None:
    if error is None:
        return None
    finding = Finding(
        check,
        f"the brokers answered but did not {what}: {error}",
        "run `fyhub doctor` as the brokers' administrator (FYHUB_KAFKA__USERNAME and its "
        "password file), the principal `fyhub acl apply` and `fyhub topics apply` run as",
    )
    return CheckResult(check, f"could not {what}", (finding,))


def failed(results: Iterable[CheckResult]) -> bool:
    return not all(result.ok for result in results)


# --- brokers ----------------------------------------------------------------------------------


def check_brokers(facts: BrokerFacts, *, replication: int) -> CheckResult:
    who = f"{facts.bootstrap} as {facts.principal or 'an anonymous client'} over {facts.protocol}"
    if facts.error is not None:
        finding = Finding(
            BROKERS,
            f"the brokers at {who} did not answer: {facts.error}",
            "check FYHUB_KAFKA__BOOTSTRAP, FYHUB_KAFKA__USERNAME and its password "
            "(FYHUB_KAFKA__PASSWORD_FILE), FYHUB_KAFKA__CA_FILE, and that the brokers run; "
            "doctor talks to them as their administrator",
        )
        return CheckResult(BROKERS, f"brokers at {who}: no answer", (finding,))
    findings = []
    if facts.protocol != "SASL_SSL":
        findings.append(
            Finding(
                BROKERS,
                f"the hub reaches the brokers over {facts.protocol}: no identity, so no ACL "
                "applies and anyone on the network reads every unit's data",
                "set FYHUB_KAFKA__SECURITY_PROTOCOL=SASL_SSL with the brokers' SASL_SSL "
                "listener (docs/security.md)",
            )
        )
    count = len(facts.broker_ids)
    if count < replication:
        findings.append(
            Finding(
                BROKERS,
                f"{count} broker(s) answer, fewer than the {replication} replicas planned for "
                "each topic: topics cannot be created, and the ones there are under-replicated",
                "start the missing brokers (docs/operations.md, a broker lost), or plan for "
                "what there is (FYHUB_KAFKA__PROFILE)",
            )
        )
    ids = ", ".join(str(node) for node in facts.broker_ids)
    return CheckResult(BROKERS, f"{count} broker(s) answer at {who} (ids {ids})", tuple(findings))


# --- ACLs ---------------------------------------------------------------------------------------


def check_acls(planned: Sequence[Acl], present: Sequence[Acl]) -> CheckResult:
    diff = acl_diff(planned, present)
    findings = [
        Finding(
            ACLS,
            f"missing ACL: {acl.describe()}",
            "`fyhub acl apply` creates the planned ACLs (`fyhub acl plan` shows them)",
        )
        for acl in diff.missing
    ]
    findings += [
        Finding(
            ACLS,
            f"an ACL the registry does not imply: {acl.describe()}",
            "`fyhub acl apply` deletes it; if it is wanted, the registry must say so",
        )
        for acl in diff.extra
    ]
    summary = (
        f"{len(planned)} planned ACLs, {len(diff.missing)} missing, {len(diff.extra)} extra"
        if findings
        else f"the brokers hold exactly the {len(planned)} planned ACLs"
    )
    return CheckResult(ACLS, summary, _bounded(ACLS, findings))


# --- topics -------------------------------------------------------------------------------------


def check_topics(specs: Sequence[TopicSpec], states: dict[str, TopicState]) -> CheckResult:
    apply = "`fyhub topics apply` (with the profile this deployment runs) "
    findings = [
        Finding(TOPICS, f"topic {spec.name} is missing", apply + "creates it")
        for spec in specs
        if spec.name not in states
    ]
    findings += [
        Finding(
            TOPICS,
            f"topic {growth.topic} has {growth.partitions} partitions, {growth.planned} planned",
            apply + "adds them",
        )
        for growth in partitions_to_add(specs, {n: len(s.partitions) for n, s in states.items()})
    ]
    findings += [
        Finding(
            TOPICS,
            f"topic {mismatch.topic} has replication {mismatch.present}, {mismatch.planned} "
            "planned",
            "reassign its partitions to more brokers with kafka-reassign-partitions.sh "
            "(docs/operations.md, replication of an existing topic); `topics apply` cannot",
        )
        for mismatch in replication_mismatches(specs, states)
    ]
    findings += [
        Finding(
            TOPICS,
            f"topic {change.topic} has {change.name}={change.present}, {change.planned} planned",
            apply + "sets it",
        )
        for change in config_changes(specs, states)
    ]
    findings += _in_sync_findings(specs, states)
    present = sum(spec.name in states for spec in specs)
    summary = f"{present} of {len(specs)} planned topics present"
    if not findings:
        summary += ", each with its partitions, replication, configuration and replicas in sync"
    return CheckResult(TOPICS, summary, _bounded(TOPICS, findings))


def _in_sync_findings(specs: Sequence[TopicSpec], states: dict[str, TopicState]) -> list[Finding]:
    findings = []
    for spec in specs:
        state = states.get(spec.name)
        if state is None:
            continue
        min_isr = int(dict(spec.config).get("min.insync.replicas", "1"))
        for partition in state.partitions:
            out = sorted(set(partition.replicas) - set(partition.in_sync))
            if not out:
                continue
            where = (
                f"{spec.name} partition {partition.partition}: {len(partition.in_sync)} of "
                f"{len(partition.replicas)} replicas in sync (brokers {_ids(out)} behind)"
            )
            bring_back = f"bring broker(s) {_ids(out)} back, or replace them (docs/operations.md)"
            if len(partition.in_sync) < min_isr:
                findings.append(
                    Finding(
                        TOPICS,
                        f"{where}, fewer than min.insync.replicas {min_isr}: every write to it "
                        "is refused",
                        bring_back,
                    )
                )
            else:
                findings.append(
                    Finding(
                        TOPICS,
                        f"{where}: one more broker lost and writes to it are refused",
                        bring_back,
                        severity="warning",
                    )
                )
    return findings


# --- the store ----------------------------------------------------------------------------------


def check_store(facts: StoreFacts) -> CheckResult:
    migrate = (
        "start the auditor (`fyhub run auditor` brings the schema to head before its first "
        "batch) or run `fyhub replay`, which does the same"
    )
    if facts.error is not None:
        finding = Finding(
            STORE,
            f"the store at {facts.url} cannot be read: {facts.error}",
            "check FYHUB_DB__URL and that the database runs and lets this account in",
        )
        return CheckResult(STORE, f"store at {facts.url}: no answer", (finding,))
    if facts.current == facts.head:
        return CheckResult(STORE, f"store at {facts.url} at the head migration {facts.head}")
    if facts.current is None:
        problem = f"the store at {facts.url} was never migrated (head is {facts.head})"
        finding = Finding(STORE, problem, migrate)
    elif not facts.current_known:
        problem = (
            f"the store at {facts.url} is at migration {facts.current}, which this fyhub does "
            f"not know (its head is {facts.head}): a newer fyhub migrated it"
        )
        finding = Finding(STORE, problem, "run the fyhub version that migrated it")
    else:
        problem = f"the store at {facts.url} is at migration {facts.current}, head is {facts.head}"
        finding = Finding(STORE, problem, migrate)
    return CheckResult(STORE, f"store at {facts.url}: behind", (finding,))


# --- keys ---------------------------------------------------------------------------------------


def check_keys(facts: KeyFacts) -> CheckResult:
    findings = []
    token = facts.token_secret_error or token_secret_problem(facts.token_secret, local_run=False)
    if token is not None:
        findings.append(
            Finding(
                KEYS,
                token,
                "make one (`umask 077; head -c 48 /dev/urandom | base64 -w0 > FILE`), set "
                "FYHUB_SECURITY__TOKEN_SECRET_FILE=FILE on every hub service and restart them "
                "(docs/security.md)",
            )
        )
    key = facts.signing_key
    missing = missing_key_problem(key.path, exists=key.exists, local_run=False)
    if missing is not None:
        findings.append(
            Finding(
                KEYS,
                missing,
                "install the hub's key there (mode 0600); a new key is rotated in as "
                "docs/security.md says, never made on the spot",
            )
        )
    elif key.error is not None:
        findings.append(Finding(KEYS, f"the hub's signing key: {key.error}", _key_fix(key.path)))
    elif key.listed_public is not None and key.listed_public != key.public:
        findings.append(
            Finding(
                KEYS,
                f"FYHUB_SECURITY__HUB_KEYS lists {key.key_id} with another public key than the "
                f"one in {key.path}: the auditor would refuse the journal's seals",
                "list the public key `fyhub hub-key --json` prints",
            )
        )
    if facts.console_secret_error is not None:
        findings.append(
            Finding(
                KEYS,
                facts.console_secret_error,
                "the console's session secret: at least 32 characters, mode 0600 "
                "(FYHUB_CONSOLE__SESSION_SECRET_FILE)",
            )
        )
    summary = (
        f"delivery-token secret of this deployment's own, hub signing key {key.key_id} at "
        f"{key.path}"
        if not findings
        else "the hub's secrets"
    )
    return CheckResult(KEYS, summary, tuple(findings))


def _key_fix(path: object) -> str:
    return f"make {path} a raw Ed25519 key (base64), mode 0600, readable by the hub's account"


# --- the calendar -------------------------------------------------------------------------------


def check_calendar(facts: CalendarFacts, today: date) -> CheckResult:
    if facts.error is not None:
        finding = Finding(
            CALENDAR,
            f"the calendar files in {facts.folder} cannot be used: {facts.error}",
            "fix the file named (docs/calendar.md)",
        )
        return CheckResult(CALENDAR, f"calendar in {facts.folder}: unreadable", (finding,))
    findings = []
    described = []
    for year in (today.year, today.year + 1):
        source = facts.sources.get(year)
        if source is None or source.provisional:
            findings.append(
                Finding(
                    CALENDAR,
                    f"{year} has no State Council arrangement: its deadlines are counted on "
                    "the statutory holidays alone and marked provisional",
                    f"add {facts.folder}/{year}.yaml from the State Council's notice, restart "
                    "the router and tracker, then `fyhub calendar apply` (docs/calendar.md)",
                )
            )
        else:
            described.append(f"{year}: {source.description}")
    summary = "; ".join(described) if described else f"calendar in {facts.folder}"
    return CheckResult(CALENDAR, summary, tuple(findings))


# --- helpers ------------------------------------------------------------------------------------


def _ids(ids: Iterable[int]) -> str:
    return ", ".join(str(node) for node in ids)


def _bounded(check: str, findings: list[Finding]) -> tuple[Finding, ...]:
    if len(findings) <= _MAX_LISTED:
        return tuple(findings)
    rest = findings[_MAX_LISTED:]
    errors = sum(finding.severity == "error" for finding in rest)
    more = Finding(
        check,
        f"and {len(rest)} more like these",
        "the same fixes",
        severity="error" if errors else "warning",
    )
    return (*findings[:_MAX_LISTED], more)
