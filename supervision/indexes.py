"""Indexes the dashboard's aggregates need on other packages' tables (supervision writes none of their rows).

The period is the first condition of nearly every figure: the complaints received between two instants, with
the columns the figures group by, so the cohort is read from the index alone (an index-only scan on
PostgreSQL, a covering index on SQLite); "open now", which ignores the period, reads the same columns by state. "Now" and "by organisation" count the running deadlines, a few among
all those ever started: a partial index holds only those (closed_at IS NULL), with what the two figures read."""
from sqlalchemy import Index, text

from deadlines.models import Deadline
from intake.models import Complaint

COMPLAINTS_SUBMITTED = Index("ix_complaints_dashboard", Complaint.submitted_at, Complaint.state, Complaint.centre_id,
                             Complaint.enterprise_id, Complaint.id)
# "open complaints now" ignores the period: by state, with the columns its filters read
COMPLAINTS_STATE = Index("ix_complaints_dashboard_state", Complaint.state, Complaint.centre_id, Complaint.enterprise_id,
                         Complaint.id)

DEADLINES_RUNNING = Index("ix_deadlines_running", Deadline.responsible_org_id, Deadline.state, Deadline.due_at,
                          Deadline.complaint_id, postgresql_where=text("closed_at IS NULL"),
                          sqlite_where=text("closed_at IS NULL"))
