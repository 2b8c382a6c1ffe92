"""The registry of events: what each one says, in a translatable subject and body.

The texts are %-templates over the event's ``params`` (``%(reference)s``); a parameter the caller did
not give renders as an empty string rather than failing a delivery. They are rendered when shown or
delivered, in the recipient's language, so a user who switches language sees old notifications in
the new one.
"""
import datetime as dt
from dataclasses import dataclass, field

from flask_babel import force_locale, lazy_gettext as _l

from accounts.enums import AGENCY_ROLES, Role
from core.security import LANGUAGES
from core.timeutil import format_local


@dataclass(frozen=True)
class EventType:
    label: str  # what the preferences page calls it
    subject: str
    body: str
    # translated words for coded parameter values, e.g. {"state": {"accepted": _l("a case is opened")}}
    values: dict = field(default_factory=dict)
    # by e-mail only, whatever the preferences say, never in-app (a password-reset link must not be
    # readable by whoever holds a session of the user)
    email_only: bool = False
    # for the agencies' systems only: in the changes feed and the webhooks, never an in-app notice or an
    # e-mail, and not on the preferences page (the texts are what the delivery list shows administrators)
    machine: bool = False
    # the JSON schema properties of its data (params), for the catalogue; None: derived from the texts
    # (notifications/catalogue.py)
    data: dict | None = None
    required: tuple = ()  # the keys of ``data`` always present


# The parameters each event's texts use are those routing (core.outbox.emit) and the deadline sweep pass.
EVENTS: dict[str, EventType] = {
    "complaint.submitted": EventType(
        _l("A new complaint for the centre"),
        _l("New complaint %(reference)s"),
        _l("%(enterprise)s has submitted complaint %(reference)s. Please claim it and start the triage.")),
    "complaint.withdrawn": EventType(
        _l("A complaint is withdrawn"),
        _l("Complaint %(reference)s withdrawn"),
        _l("%(enterprise)s has withdrawn complaint %(reference)s.")),
    "complaint.supervised": EventType(
        _l("A complaint is supervised as a key case"),
        _l("Key case: %(reference)s is under supervision"),
        _l("The supervisor office supervises complaint %(reference)s as a key case (督办): %(instructions)s")),
    "complaint.supervision_reported": EventType(
        _l("The centre reported on a key case"),
        _l("Key case %(reference)s: the centre reported"),
        _l("The centre reported on key case %(reference)s: %(report)s")),
    "complaint.supervision_instructed": EventType(
        _l("The supervisor office adds instructions on a key case"),
        _l("Key case %(reference)s: further instructions"),
        _l("The supervisor office gives further instructions on key case %(reference)s (督办): %(instructions)s")),
    "complaint.supervision_lifted": EventType(
        _l("The supervision of a key case is lifted"),
        _l("Key case %(reference)s: supervision lifted"),
        _l("The supervisor office has lifted the supervision of key case %(reference)s (督办): %(closing_note)s")),
    "complaint.info_requested": EventType(
        _l("The centre asks for supplements"),
        _l("Supplements requested for complaint %(reference)s"),
        _l("The centre asks you to supplement complaint %(reference)s by %(due_date)s: %(message)s")),
    "complaint.info_supplied": EventType(
        _l("The enterprise has supplied information"),
        _l("Supplements received for complaint %(reference)s"),
        _l("%(enterprise)s has supplied the information requested for complaint %(reference)s.")),
    "complaint.evidence_added": EventType(
        _l("The enterprise adds evidence to a submitted complaint"),
        _l("Further evidence for complaint %(reference)s"),
        _l("%(enterprise)s has added %(count)s file(s) to complaint %(reference)s; you may send them on to the "
           "agencies.")),
    "complaint.accepted": EventType(
        _l("A complaint is accepted"),
        _l("Complaint %(reference)s accepted"),
        _l("The centre has accepted complaint %(reference)s and will refer it to the competent agencies.")),
    "complaint.rejected": EventType(
        _l("A complaint is not accepted"),
        _l("Complaint %(reference)s not accepted"),
        _l("The centre has not accepted complaint %(reference)s. Reason: %(message)s")),
    "complaint.closed_as_duplicate": EventType(
        _l("A complaint is closed as a duplicate"),
        _l("Complaint %(reference)s closed as a duplicate"),
        _l("The centre has closed complaint %(reference)s as a duplicate of complaint %(other)s, which it handles: %(message)s")),
    "complaint.resolved": EventType(
        _l("The centre concluded a complaint with guidance"),
        _l("Complaint %(reference)s concluded by the centre"),
        _l("The centre has concluded complaint %(reference)s with guidance: %(message)s")),
    "complaint.concluded": EventType(
        _l("Every referral of a complaint is concluded"),
        _l("Complaint %(reference)s concluded"),
        _l("Every agency has concluded its work on complaint %(reference)s.")),
    "complaint.under_review": EventType(
        _l("An enterprise is dissatisfied with a concluded complaint"),
        _l("Complaint %(reference)s: the enterprise is dissatisfied"),
        _l("%(enterprise)s rated the outcome of complaint %(reference)s dissatisfied: %(message)s Please review the "
           "complaint and record what the centre did.")),
    "complaint.reviewed": EventType(
        _l("The centre reviewed a complaint after your rating"),
        _l("Complaint %(reference)s reviewed by the centre"),
        _l("The centre reviewed complaint %(reference)s after your rating: %(message)s")),
    "satisfaction.reminder": EventType(
        _l("A reminder to rate a concluded complaint"),
        _l("Please rate how complaint %(reference)s was handled"),
        _l("Complaint %(reference)s has been concluded. Please tell us how satisfied you are with how it was handled, "
           "by %(rate_by)s, on the complaint's page.")),
    "complaint.reopened": EventType(
        _l("A referral came back to the centre"),
        _l("Complaint %(reference)s back with the centre"),
        _l("A referral of complaint %(reference)s came back to the centre, which will route the complaint again.")),
    "referral.received": EventType(
        _l("A referral for your agency"),
        _l("Referral %(letter_number)s received"),
        _l("Complaint %(reference)s has been referred to your agency with letter %(letter_number)s. "
           "Please acknowledge receipt.")),
    "referral.decided": EventType(
        _l("An agency has decided on a referral"),
        _l("Decision on complaint %(reference)s"),
        _l("Decision of %(agency)s on complaint %(reference)s: %(state)s."),
        values={"state": {"accepted": _l("a case is opened"), "declined": _l("no case is opened")}}),
    "referral.returned": EventType(
        _l("An agency has returned a referral"),
        _l("Referral of complaint %(reference)s returned"),
        _l("%(agency)s has returned the referral of complaint %(reference)s to the centre.")),
    "referral.concluded": EventType(
        _l("An agency has concluded a referral"),
        _l("Referral of complaint %(reference)s concluded"),
        _l("%(agency)s has concluded the referral of complaint %(reference)s.")),
    "referral.transferred": EventType(
        _l("An agency has transferred a case"),
        _l("Case of complaint %(reference)s transferred"),
        _l("%(agency)s has transferred the case of complaint %(reference)s to %(to_agency)s.")),
    "referral.transfer_attached": EventType(
        _l("A transfer joins a referral your agency holds"),
        _l("Transfer on referral %(letter_number)s"),
        _l("%(from_agency)s has transferred the matter of complaint %(reference)s, which your agency already "
           "holds with letter %(letter_number)s; its file has been added to the referral.")),
    "referral.supplemented": EventType(
        _l("The centre sent further evidence"),
        _l("Further evidence on referral %(letter_number)s"),
        _l("The centre has sent further evidence on complaint %(reference)s (letter %(letter_number)s). "
           "You can download it from the referral.")),
    "referral.withdrawn": EventType(
        _l("A referral ends with the withdrawal of its complaint"),
        _l("Referral %(letter_number)s withdrawn"),
        _l("%(enterprise)s has withdrawn complaint %(reference)s: referral %(letter_number)s to %(agency)s has "
           "ended, and nothing more is to be done on it.")),
    "consultation.invited": EventType(
        _l("An invitation to a consultation"),
        _l("Consultation on complaint %(reference)s"),
        # agencies and think-tank experts alike (registry/experts.py)
        _l("You are invited to a consultation on complaint %(reference)s. "
           "Written opinions are due by %(opinion_due_at)s.")),
    "consultation.opinion_submitted": EventType(
        _l("An agency has given its opinion"),
        _l("Opinion received on complaint %(reference)s"),
        _l("%(agency)s has submitted its written opinion in the consultation on complaint %(reference)s.")),
    "consultation.cancelled": EventType(
        _l("A consultation is cancelled"),
        _l("Consultation on complaint %(reference)s cancelled"),
        _l("The consultation on complaint %(reference)s was cancelled: the enterprise withdrew the complaint.")),
    "evidence.damaged": EventType(
        _l("An evidence file is damaged or missing"),
        _l("Evidence file damaged or missing: %(evidence_id)s"),
        _l("A download of evidence file %(evidence_id)s failed: %(reason)s. Nothing of it was served. "
           "Restore the stored file %(storage_key)s (SHA-256 %(sha256)s) from the backup of the evidence "
           "directory, and check the server for tampering."),
        values={"reason": {
            "missing": _l("the stored file is missing"),
            "unreadable": _l("the stored file cannot be read"),
            "bad_header": _l("the stored file's header is damaged"),
            "key_unwrap": _l("the file's key does not open with the configured EVIDENCE_KEY"),
            "truncated": _l("the stored file is cut off"),
            "chunk_auth": _l("part of the stored file is altered or cut off"),
            "size_mismatch": _l("the decrypted size differs from the recorded size"),
            "digest_mismatch": _l("the decrypted content differs from the recorded SHA-256 digest"),
        }}),
    "deadline.reminder": EventType(
        _l("A deadline is approaching"),
        _l("Deadline reminder: %(rule)s due %(due_at)s"),
        _l("Deadline %(rule)s is due at %(due_at)s. Please act before then.")),
    "deadline.breached": EventType(
        _l("A deadline is missed"),
        _l("Deadline missed: %(rule)s"),
        _l("Deadline %(rule)s passed at %(due_at)s without the step being done.")),
    "deadline.escalated": EventType(
        _l("A missed deadline is escalated"),
        _l("Deadline escalated: %(rule)s"),
        _l("Deadline %(rule)s (due %(due_at)s) was missed and is escalated to you (%(level)s).")),
    "account.password_reset": EventType(
        _l("A link to reset your password"),
        _l("Reset your password"),
        _l("Someone (hopefully you) asked to reset the password of your account. The link below works once, "
           "for %(minutes)s minutes. If it was not you, ignore this e-mail: your password stays as it is."),
        email_only=True),
    "account.setup": EventType(
        _l("A link to set the password of a new account"),
        _l("Your account on the platform: set your password"),
        _l("An administrator has created your account for %(organisation)s on the trade-secret rights-protection "
           "platform. Open the link below within %(days)s days to set your password; it works once. Then sign in "
           "with your e-mail address and that password."),
        email_only=True),
    "account.password_changed": EventType(
        _l("Your password was changed"),
        _l("Your password was changed"),
        _l("The password of your account was changed, and every other session was signed out. "
           "If it was not you, reset your password at once and tell your administrator.")),
    "account.mfa_changed": EventType(
        _l("Your two-step verification was changed"),
        _l("Your two-step verification was changed"),
        _l("The two-step verification of your account was replaced or removed (%(change)s). "
           "If it was not you, reset your password at once and tell your administrator."),
        values={"change": {"reset": _l("replaced"), "disabled": _l("removed"),
                           "reset_by_admin": _l("removed by an administrator")}}),
    # --- civil procedure: a court is told of the enterprise's suit or of the mediation, never of a 移送 ---
    "civil.filing_guided": EventType(
        _l("A civil dispute for your court: the enterprise will file suit"),
        _l("Civil dispute %(reference)s: filing guide %(letter_number)s"),
        _l("The centre has prepared a filing package for complaint %(reference)s and guided %(enterprise)s to file "
           "its suit at your court (filing guide %(letter_number)s). Please acknowledge receipt; the time limit to "
           "register the suit runs once its materials are complete.")),
    "civil.mediation_referred": EventType(
        _l("A civil dispute for your court's pre-suit mediation"),
        _l("Civil dispute %(reference)s: pre-suit mediation %(letter_number)s"),
        _l("The centre asks your court to take the dispute of complaint %(reference)s (%(enterprise)s) into "
           "pre-suit mediation (letter %(letter_number)s). Please acknowledge receipt.")),
    "civil.materials_complete": EventType(
        _l("The court found a suit's materials complete"),
        _l("Complaint %(reference)s: the suit's materials are complete"),
        _l("%(agency)s found the materials of the suit on complaint %(reference)s complete; it decides on "
           "registering the suit within 7 days.")),
    "civil.mediation_failed": EventType(
        _l("A pre-suit mediation did not succeed"),
        _l("Complaint %(reference)s: the pre-suit mediation did not succeed"),
        _l("The pre-suit mediation at %(agency)s on complaint %(reference)s did not succeed: %(message)s. "
           "The enterprise may file its suit at the court.")),
    "civil.preservation_ruled": EventType(
        _l("The court ruled on an application for preservation"),
        _l("Complaint %(reference)s: ruling on preservation"),
        _l("%(agency)s ruled on the application for preservation on complaint %(reference)s: %(ruling)s. "
           "Reasons: %(message)s"),
        values={"ruling": {"granted": _l("granted"), "refused": _l("refused")}}),
    "civil.returned": EventType(
        _l("A court has sent a civil dispute back"),
        _l("Civil dispute %(reference)s sent back"),
        _l("%(agency)s has sent the civil dispute of complaint %(reference)s back to the centre.")),
    "civil.concluded": EventType(
        _l("A civil case has ended"),
        _l("Civil case of complaint %(reference)s ended"),
        _l("The civil case of complaint %(reference)s at %(agency)s has ended.")),
}

# --- Order 310's steps inside an agency (routing/steps.py): the head decides on an officer's proposal ---
EVENTS.update({
    "referral.transfer_proposed": EventType(
        _l("An officer proposes to transfer a case to the police"),
        _l("Transfer proposal on referral %(letter_number)s"),
        _l("An officer of %(agency)s proposes to transfer the case of complaint %(reference)s (referral "
           "%(letter_number)s) to the police, on the suspicion of a crime: %(message)s. The agency head decides "
           "within 3 days.")),
    "referral.transfer_decided": EventType(
        _l("The agency head decided on a transfer to the police"),
        _l("Transfer to the police %(decision)s: referral %(letter_number)s"),
        _l("The agency head has %(decision)s the transfer of the case of complaint %(reference)s (referral "
           "%(letter_number)s) to the police. %(message)s"),
        values={"decision": {"approved": _l("approved"), "refused": _l("refused")}}),
    "referral.reconsideration": EventType(
        _l("You are asked to reconsider not filing a case"),
        _l("Reconsideration requested: referral %(letter_number)s"),
        _l("The transferring agency asks %(agency)s to reconsider not filing the case of complaint %(reference)s "
           "(referral %(letter_number)s): %(message)s. Please answer within 3 days.")),
})

# the events a user may choose to receive by e-mail or not (the preferences page)
CHOOSABLE = {name: spec for name, spec in EVENTS.items() if not spec.email_only and not spec.machine}


# Events sent only by e-mail to a bare address (OutboxEvent params["email_to"], see
# notifications.outbox.Notice.email_to): not notifications a user could choose on the preferences page.
ADDRESS_EVENTS: dict[str, EventType] = {
    "registration.confirm": EventType(
        _l("Confirm a registration"),
        _l("Confirm the registration of %(name)s"),
        _l("Someone, probably you, has registered the enterprise %(name)s (unified social credit code "
           "%(credit_code)s) on the trade-secret rights-protection platform with this e-mail address. "
           "Open the link below by %(expires_at)s to confirm it: the enterprise and your account are created "
           "then, and you can sign in. If it was not you, ignore this e-mail: nothing is created.")),
    "registration.account_exists": EventType(
        _l("A registration with an address that has an account"),
        _l("You already have an account on the platform"),
        _l("Someone, probably you, has tried to register the enterprise %(name)s with this e-mail address, "
           "which already has an account on the trade-secret rights-protection platform. Nothing was changed. "
           "Sign in with your password; if you have forgotten it, reset it from the sign-in page. "
           "If it was not you, ignore this e-mail.")),
    "registration.organisation_exists": EventType(
        _l("A registration of an organisation that has an account"),
        _l("%(name)s already has an account on the platform"),
        _l("Someone, probably you, has tried to register the enterprise %(name)s (unified social credit code "
           "%(credit_code)s) with this e-mail address, but an organisation with this credit code already has "
           "an account on the trade-secret rights-protection platform. Nothing was created. Please ask the "
           "existing user of your organisation for access. If it was not you, ignore this e-mail.")),
}


def check_event(event: str) -> EventType:
    try:
        return EVENTS[event] if event in EVENTS else ADDRESS_EVENTS[event]
    except KeyError:
        raise ValueError(f"unknown notification event {event!r}") from None


class _Params(dict):
    """Missing parameters render as nothing: a caller's omission must not make a delivery fail forever."""

    def __missing__(self, key):
        return ""


def _display(value):
    """Times stored as ISO 8601 (see outbox.jsonable) are shown in Shanghai time, like everywhere else."""
    if isinstance(value, str) and len(value) >= 19 and value[10:11] == "T":
        try:
            parsed = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        if parsed.tzinfo is not None:
            return format_local(parsed)
    return value


def render(event: str, params: dict | None, language: str | None = None) -> tuple[str, str]:
    """(subject, body) of ``event`` in ``language`` (zh or en; anything else falls back to zh).

    Without ``language`` the current locale is used (the page's language).
    """
    spec = check_event(event)
    if language is None:
        return _render(spec, params or {})
    with force_locale(language if language in LANGUAGES else "zh"):
        return _render(spec, params or {})


def _render(spec: EventType, params: dict) -> tuple[str, str]:
    values = _Params()
    for key, value in params.items():
        label = spec.values.get(key, {}).get(value) if isinstance(value, str) else None
        values[key] = str(label) if label is not None else _display(value)
    return str(spec.subject) % values, str(spec.body) % values


# --- the conversation on a complaint between its enterprise and its centre (conversations/): the message
# itself is not in the notice (it may describe the secret); the link leads to it ---
EVENTS.update({
    "conversation.enterprise_wrote": EventType(
        _l("The enterprise writes in a complaint's conversation"),
        _l("New message on complaint %(reference)s"),
        _l("%(author)s of %(enterprise)s has written a message on complaint %(reference)s. Please read and "
           "answer it on the complaint's page.")),
    "conversation.centre_wrote": EventType(
        _l("The centre writes in a complaint's conversation"),
        _l("The centre wrote on complaint %(reference)s"),
        _l("The centre has written a message on your complaint %(reference)s. Please read it on the "
           "complaint's page; you can answer there.")),
})
CHOOSABLE.update({name: EVENTS[name] for name in ("conversation.enterprise_wrote", "conversation.centre_wrote")})

# --- named assignment: a complaint handed to a clerk (routing.assignment) ---
EVENTS.update({
    "complaint.assigned": EventType(
        _l("A complaint is handed to you"),
        _l("Complaint %(reference)s is now yours"),
        _l("%(by)s has handed complaint %(reference)s (held until now by %(from)s) to you. It is in your queue.")),
})
CHOOSABLE.update({"complaint.assigned": EVENTS["complaint.assigned"]})


# --- extensions: an officer asks for more time on a deadline, the head (a supervisor for the centre's
# clocks) decides (deadlines.extensions) ---
EVENTS.update({
    "deadline.extension_requested": EventType(
        _l("A request to extend a deadline waits for your decision"),
        _l("Extension requested: %(rule)s on %(reference)s"),
        _l("An officer asks to move deadline %(rule)s of complaint %(reference)s from %(due_at)s to "
           "%(requested_due_at)s: %(reason)s. Please approve or refuse it in your decisions list.")),
    "deadline.extension_decided": EventType(
        _l("A request to extend a deadline is decided"),
        _l("Extension %(decision)s: %(rule)s on %(reference)s"),
        _l("Your request to extend deadline %(rule)s of complaint %(reference)s is %(decision)s; the deadline "
           "is due %(due_at)s. %(decision_reason)s"),
        values={"decision": {"approved": _l("approved"), "refused": _l("refused"), "pending": _l("pending")}}),
})
CHOOSABLE.update({name: EVENTS[name] for name in ("deadline.extension_requested", "deadline.extension_decided")})


# --- the monthly bulletin (通报) issued by the supervisor office, sent to the organisations it names
# (supervision/bulletin.py) ---
EVENTS.update({
    "bulletin.issued": EventType(
        _l("The monthly bulletin names your organisation"),
        _l("Bulletin %(number)s on trade-secret protection"),
        _l("The supervisor office has issued the bulletin (通报) for %(month)s, which names your organisation. "
           "Please read it on the platform.")),
})
CHOOSABLE.update({"bulletin.issued": EVENTS["bulletin.issued"]})


# --- who receives each event: the roles of its recipients --------------------------------------------
# From the machine tables' notices and their `to` (centre: its clerks; enterprise: its users; agency and
# parent_agency: officers and heads; invited: the consulted agencies), the explicit emits (supervision,
# consultations, extensions, evidence, accounts) and the deadline sweep (the organisation that must act:
# the enterprise for Q3, the centre, an agency; the supervisor offices on escalation).
# tests/notifications/test_preferences.py checks it against the machine tables.
ENTERPRISE = frozenset({Role.enterprise_user})
CENTRE = frozenset({Role.clerk})
AGENCY = frozenset(AGENCY_ROLES)
SUPERVISOR = frozenset({Role.supervisor})
ADMIN = frozenset({Role.admin})
EVERYONE = frozenset(Role)

RECIPIENTS: dict[str, frozenset] = {
    "complaint.submitted": CENTRE,
    "complaint.withdrawn": CENTRE,
    "complaint.supervised": CENTRE,
    "complaint.supervision_reported": SUPERVISOR,
    "complaint.supervision_instructed": CENTRE,
    "complaint.supervision_lifted": CENTRE,
    "complaint.info_requested": ENTERPRISE,
    "complaint.info_supplied": CENTRE,
    "complaint.evidence_added": CENTRE,
    "complaint.accepted": ENTERPRISE,
    "complaint.rejected": ENTERPRISE,
    "complaint.closed_as_duplicate": ENTERPRISE,
    "complaint.resolved": ENTERPRISE,
    "complaint.concluded": ENTERPRISE,
    "complaint.reopened": CENTRE | ENTERPRISE,
    "complaint.under_review": CENTRE,
    "complaint.reviewed": ENTERPRISE,
    "satisfaction.reminder": ENTERPRISE,
    "referral.received": AGENCY,
    "referral.decided": CENTRE | ENTERPRISE | AGENCY,
    "referral.returned": CENTRE | ENTERPRISE,
    "referral.concluded": CENTRE | ENTERPRISE | AGENCY,
    "referral.transferred": CENTRE | ENTERPRISE,
    "referral.transfer_attached": AGENCY,
    "referral.supplemented": AGENCY,
    "referral.withdrawn": AGENCY,
    "referral.transfer_proposed": AGENCY,
    "referral.transfer_decided": AGENCY,
    "referral.reconsideration": AGENCY,
    "consultation.invited": AGENCY,
    "consultation.opinion_submitted": CENTRE | SUPERVISOR,  # the convener
    "consultation.cancelled": AGENCY,
    "evidence.damaged": ADMIN,
    "deadline.reminder": ENTERPRISE | CENTRE | AGENCY,
    "deadline.breached": ENTERPRISE | CENTRE | AGENCY,
    "deadline.escalated": ENTERPRISE | CENTRE | AGENCY | SUPERVISOR,
    "deadline.extension_requested": frozenset({Role.agency_head}) | SUPERVISOR,
    "deadline.extension_decided": CENTRE | AGENCY,  # the requester
    "account.password_reset": EVERYONE,
    "account.setup": EVERYONE - ENTERPRISE,  # staff accounts made by an administrator
    "account.password_changed": EVERYONE,
    "account.mfa_changed": EVERYONE,
    "civil.filing_guided": AGENCY,
    "civil.mediation_referred": AGENCY,
    "civil.materials_complete": CENTRE | ENTERPRISE,
    "civil.mediation_failed": CENTRE | ENTERPRISE,
    "civil.preservation_ruled": CENTRE | ENTERPRISE,
    "civil.returned": CENTRE | ENTERPRISE,
    "civil.concluded": CENTRE | ENTERPRISE | AGENCY,
    "conversation.enterprise_wrote": CENTRE,
    "conversation.centre_wrote": ENTERPRISE,
    "complaint.assigned": CENTRE,
    "bulletin.issued": CENTRE | AGENCY,
}


def events_for_role(role) -> dict[str, EventType]:
    """The events a user of ``role`` may choose (by e-mail or not): those that reach this role at all."""
    return {name: spec for name, spec in CHOOSABLE.items() if role in RECIPIENTS.get(name, ())}
# --- accounts: a colleague invited by the enterprise's first user, and a reset asked for an address without
# an active account (so that the forgotten-password page does the same work whether or not it has one) ---
ADDRESS_EVENTS.update({
    "account.invitation": EventType(
        _l("An invitation to join an enterprise's account"),
        _l("%(inviter)s invites you to the platform for %(enterprise)s"),
        _l("%(inviter)s invites you to join %(enterprise)s on the trade-secret rights-protection platform, as a "
           "colleague who can file and follow its complaints. Open the link below by %(expires_at)s to choose "
           "your name and password; it works once. If you do not know %(inviter)s, ignore this e-mail: nothing "
           "is created.")),
    "account.reset_no_account": EventType(
        _l("A password reset for an address without an account"),
        _l("A password reset was asked for this address"),
        _l("Someone, probably you, asked to reset the password of an account with this e-mail address on the "
           "trade-secret rights-protection platform, but no active account uses it. If you have an account, it "
           "may be under another address or disabled: ask your administrator. If it was not you, ignore this "
           "e-mail.")),
})


# --- for machines: what an agency's case system keeps in sync (the changes feed and webhooks only) -------
_UUID = {"type": "string", "format": "uuid"}
_NULLABLE_UUID = {"type": ["string", "null"], "format": "uuid"}
_TEXT = {"type": "string"}
_REFERRAL_STATES = ["sent", "acknowledged", "accepted", "declined", "returned", "concluded", "transferred",
                    "supervision_requested", "withdrawn"]
_REFERRAL = {"referral_id": _UUID, "complaint_id": _UUID, "reference": _TEXT, "letter_number": _TEXT,
             "agency_id": _UUID}
_REFERRAL_KEYS = ("referral_id", "complaint_id", "reference", "letter_number", "agency_id")

EVENTS.update({
    "referral.created": EventType(
        _l("A referral was sent (for systems)"),
        _l("Referral %(letter_number)s sent"),
        _l("Referral %(letter_number)s of complaint %(reference)s was sent to %(agency)s."),
        machine=True,
        data={**_REFERRAL, "agency": _TEXT,
              "track": {"type": "string", "enum": ["administrative", "criminal", "civil"]},
              "civil_route": {"type": ["string", "null"], "enum": ["file_suit", "pre_suit_mediation", None]},
              "link_kind": {"type": ["string", "null"],
                            "enum": ["admin_to_criminal", "criminal_to_admin", "filing_supervision", "reroute", None]},
              "parent_id": _NULLABLE_UUID, "state": {"type": "string", "enum": ["sent"]},
              "evidence_ids": {"type": "array", "items": _UUID}},
        required=(*_REFERRAL_KEYS, "agency", "track", "civil_route", "link_kind", "parent_id", "state",
                  "evidence_ids")),
    "referral.transitioned": EventType(
        _l("A referral changed state (for systems)"),
        _l("Referral %(letter_number)s: %(trigger)s"),
        _l("Referral %(letter_number)s of complaint %(reference)s went from %(from_state)s to %(to_state)s "
           "(%(trigger)s)."),
        machine=True,
        data={**_REFERRAL, "trigger": _TEXT, "from_state": {"type": "string", "enum": _REFERRAL_STATES},
              "to_state": {"type": "string", "enum": _REFERRAL_STATES}},
        required=(*_REFERRAL_KEYS, "trigger", "from_state", "to_state")),
    "referral.step_taken": EventType(
        _l("A step was taken on a referral (for systems)"),
        _l("Referral %(letter_number)s: step %(step)s"),
        _l("The step %(step)s was taken on referral %(letter_number)s of complaint %(reference)s."),
        machine=True, data={**_REFERRAL, "step": _TEXT, "state": {"type": "string", "enum": _REFERRAL_STATES}},
        required=(*_REFERRAL_KEYS, "step", "state")),
    "referral.note_added": EventType(
        _l("A progress note was added to a referral (for systems)"),
        _l("Referral %(letter_number)s: a progress note"),
        _l("A progress note was added to referral %(letter_number)s of complaint %(reference)s."),
        machine=True, data={**_REFERRAL, "note_id": {"type": "integer"}, "public": {"type": "boolean"}},
        required=(*_REFERRAL_KEYS, "note_id", "public")),
    "referral.evidence_shared": EventType(
        _l("Evidence was shared with a referral (for systems)"),
        _l("Referral %(letter_number)s: evidence shared"),
        _l("Further files were shared with referral %(letter_number)s of complaint %(reference)s."),
        machine=True,
        data={**_REFERRAL, "supplement_id": {"type": "integer"},
              "kind": {"type": "string", "enum": ["evidence", "transfer"]},
              "evidence_ids": {"type": "array", "items": _UUID}},
        required=(*_REFERRAL_KEYS, "supplement_id", "kind", "evidence_ids")),
})
MACHINE_EVENTS = frozenset(name for name, spec in EVENTS.items() if spec.machine)
# the roles of the organisations they reach (their systems, through API keys of these roles, and webhooks)
RECIPIENTS.update({"referral.created": CENTRE | AGENCY, "referral.transitioned": CENTRE | AGENCY,
                   "referral.step_taken": AGENCY, "referral.note_added": CENTRE | AGENCY,
                   "referral.evidence_shared": CENTRE | AGENCY})
