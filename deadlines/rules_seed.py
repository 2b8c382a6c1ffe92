"""The default deadline rules: DOMAIN.md's table, as data an administrator can change afterwards."""
from sqlalchemy import select

from core.extensions import db

from .models import DeadlineRule, Unit

LADDER = [
    {"level": 1, "after_working_days": 0, "notify": "responsible"},  # overdue notice to the organisation
    {"level": 2, "after_working_days": 2, "notify": "supervisors"},  # escalation to the supervisor office
    {"level": 3, "after_working_days": 5, "notify": "supervisors"},  # second level
]
ENTERPRISE_LADDER = [{"level": 1, "after_working_days": 0, "notify": "responsible"}]
SHORT = [{"percent": 50}]
NORMAL = [{"percent": 50}, {"working_days_before": 1}]
HOURLY = [{"percent": 50}, {"hours_before": 6}]

# code, step, amount, unit, reminders, ladder, extension, source, status
DEFAULT_RULES = [
    ("Q1", "Centre's first response to a submitted complaint", 1, Unit.working_days, SHORT, LADDER, None,
     "policy target", "U"),
    ("Q2", "Centre's triage decision (accept / reject / ask for more)", 5, Unit.working_days, NORMAL, LADDER, None,
     "policy target", "U"),
    ("Q3", "Enterprise answers a request for supplements (the centre's clock pauses)", 15, Unit.days, NORMAL,
     ENTERPRISE_LADDER, None, "platform rule", "-"),
    ("Q5", "Centre re-routes a complaint whose referral came back (returned or declined)", 3, Unit.working_days,
     SHORT, LADDER, None, "platform rule", "-"),
    ("Q4", "Agency acknowledges a referral", 1, Unit.working_days, SHORT, LADDER, None, "policy target", "U"),
    ("A1", "Market regulator verifies the clue and decides whether to open a case", 15, Unit.working_days, NORMAL,
     LADDER, 15, "市场监督管理行政处罚程序规定 art. 18", "V"),
    ("A2", "Market regulator concludes an opened case", 90, Unit.days, NORMAL, LADDER, 30,
     "市场监督管理行政处罚程序规定; 行政处罚法 art. 60", "S"),
    ("T1", "Agency head decides whether to transfer to police", 3, Unit.days, SHORT, LADDER, None,
     "State Council Order 310 art. 5", "V"),
    ("T2", "Hand the case to police after approval", 24, Unit.hours, HOURLY, LADDER, None, "Order 310 art. 5", "V"),
    ("T4", "Police review a transferred case and decide whether to file", 3, Unit.days, SHORT, LADDER, 7,
     "Order 310 art. 8; 公安机关办理经济犯罪案件的若干规定 art. 16", "S"),
    ("T5", "Police answer an agency's request to reconsider a non-filing", 3, Unit.days, SHORT, LADDER, None,
     "Order 310 art. 9", "S"),
    ("P1", "Police explain a non-filing at the procuratorate's request", 7, Unit.days, NORMAL, LADDER, None,
     "Criminal Procedure Law art. 113", "S"),
    ("P2", "Police file after the procuratorate's notice to file", 15, Unit.days, NORMAL, LADDER, None,
     "Criminal Procedure Law art. 113", "S"),
    ("V1", "Court decides whether to docket a civil suit", 7, Unit.days, NORMAL, LADDER, None,
     "Civil Procedure Law art. 126", "V"),
    ("V2", "Court rules on pre-suit preservation", 48, Unit.hours, HOURLY, LADDER, None,
     "Civil Procedure Law art. 104", "V"),
    ("C1", "Consulted agency submits its written opinion", 5, Unit.working_days, NORMAL, LADDER, None,
     "platform rule", "-"),
    ("S1", "Centre reports on a key case under supervision (督办)", 10, Unit.working_days, NORMAL, LADDER, None,
     "platform rule", "-"),
    ("R1", "Centre reviews a complaint its enterprise rated dissatisfied and records what it did", 10,
     Unit.working_days, NORMAL, LADDER, None, "platform rule", "-"),
]


def seed_rules() -> int:
    """Add the rules that are missing (an administrator's edits are kept). Returns how many were added."""
    existing = set(db.session.scalars(select(DeadlineRule.code)))
    added = 0
    for code, step, amount, unit, reminders, ladder, extension, source, status in DEFAULT_RULES:
        if code in existing:
            continue
        db.session.add(DeadlineRule(code=code, step=step, amount=amount, unit=unit, reminders=reminders,
                                    escalation=ladder, extension_amount=extension, source=source, status=status))
        added += 1
    db.session.flush()
    return added
