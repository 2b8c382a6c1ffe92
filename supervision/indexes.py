"""Indexes the dashboard's aggregates need on other packages' tables (supervision writes none of their rows).

The period is the first condition of nearly every figure: the complaints received between two instants, with
the columns the figures group by, so the cohort is read from the index alone (an index-only scan on
PostgreSQL, a covering index on SQLite)."""
from sqlalchemy import Index

from intake.models import Complaint

COMPLAINTS_SUBMITTED = Index("ix_complaints_dashboard", Complaint.submitted_at, Complaint.state, Complaint.centre_id,
                             Complaint.enterprise_id, Complaint.id)
