"""Administrator commands: `flask orgs create`, `flask users create|disable|enable|reset-mfa`."""
import uuid

import click
from flask.cli import with_appcontext
from marshmallow import ValidationError
from sqlalchemy import or_, select

from core.errors import ValidationFailed
from core.extensions import db

from . import services
from .credit_code import normalise
from .enums import District, OrgKind, Role
from .models import Organisation
from .schemas import validate_credit_code, validate_password

orgs_cli = click.Group("orgs", help="Manage organisations.")
users_cli = click.Group("users", help="Manage users.")


def _fail(errors):
    for field, messages in errors.items():
        for message in messages:
            click.echo(f"error: {field}: {message}", err=True)
    raise SystemExit(1)


@orgs_cli.command("create")
@click.option("--name", required=True)
@click.option("--kind", required=True, type=click.Choice([k.value for k in OrgKind]))
@click.option("--district", required=True, type=click.Choice([d.value for d in District]))
@click.option("--credit-code", default=None, help="Required for enterprises.")
@click.option("--contact-person", default=None)
@click.option("--phone", default=None)
@click.option("--email", default=None)
@with_appcontext
def create_org(name, kind, district, credit_code, contact_person, phone, email):
    kind = OrgKind(kind)
    if credit_code:
        credit_code = normalise(credit_code)
        try:
            validate_credit_code(credit_code)
        except ValidationError as exc:
            _fail({"credit_code": exc.messages})
    elif kind is OrgKind.enterprise:
        _fail({"credit_code": ["an enterprise needs its unified social credit code"]})
    try:
        org = services.create_organisation(name=name, kind=kind, district=District(district), credit_code=credit_code,
                                           contact_person=contact_person, phone=phone, email=email)
    except ValidationFailed as exc:
        _fail(exc.errors)
    db.session.commit()
    click.echo(f"created organisation {org.id} {org.name}")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
@click.option("--org", "org_ref", required=True, help="Organisation id, credit code or exact name.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--language", default="zh", type=click.Choice(["zh", "en"]))
@with_appcontext
def create_user_command(email, name, role, org_ref, password, language):
    try:
        validate_password(password)
    except ValidationError as exc:
        _fail({"password": exc.messages})
    conditions = [Organisation.name == org_ref, Organisation.credit_code == normalise(org_ref)]
    try:
        conditions.append(Organisation.id == uuid.UUID(org_ref))
    except ValueError:
        pass
    org = db.session.scalar(select(Organisation).where(or_(*conditions)))
    if org is None:
        _fail({"org": [f"no organisation matches {org_ref!r}"]})
    try:
        user = services.create_user(organisation=org, email=email, name=name, password=password, role=Role(role),
                                    language=language)
    except ValidationFailed as exc:
        _fail(exc.errors)
    db.session.commit()
    click.echo(f"created user {user.email} ({user.role.value}) in {org.name}")




def _user_or_fail(email):
    user = services.find_user_by_email(email)
    if user is None:
        _fail({"email": [f"no user has the e-mail address {email!r}"]})
    return user


@users_cli.command("disable")
@click.argument("email")
@with_appcontext
def disable_user_command(email):
    """Disable a user: every session, API token and API key of the user ends at once."""
    from .credentials import set_active

    user = _user_or_fail(email)
    set_active(user, False)
    db.session.commit()
    click.echo(f"disabled {user.email}; its sessions, API tokens and API keys are revoked")


@users_cli.command("enable")
@click.argument("email")
@with_appcontext
def enable_user_command(email):
    """Enable a disabled user again (revoked sessions and keys stay revoked)."""
    from .credentials import set_active

    user = _user_or_fail(email)
    set_active(user, True)
    db.session.commit()
    click.echo(f"enabled {user.email}")


@users_cli.command("reset-mfa")
@click.argument("email")
@with_appcontext
def reset_mfa_command(email):
    """Remove a user's two-step verification (lost phone and recovery codes): the next login enrols again."""
    from . import mfa, sessions

    user = _user_or_fail(email)
    mfa.disable(user, actor=user)  # a command has no user: the audit row names the subject as actor
    sessions.revoke_all(user, reason="mfa_reset_by_admin")
    db.session.commit()
    click.echo(f"two-step verification of {user.email} removed; it enrols again at its next login")
