"""The directory of agencies: the organisations a referral, a transfer or a consultation can go to."""
from sqlalchemy import select

from core.extensions import db

from .enums import AGENCY_KINDS
from .models import Organisation


def agency_directory(kinds=AGENCY_KINDS):
    """The agencies of the directory of these kinds, by kind, district and name."""
    return db.session.scalars(select(Organisation).where(Organisation.kind.in_(list(kinds)))
                              .order_by(Organisation.kind, Organisation.district, Organisation.name)).all()
