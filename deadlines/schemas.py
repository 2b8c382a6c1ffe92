from flask_babel import gettext as _
from marshmallow import ValidationError, fields, validate

from core.schemas import Computed, EnumValue, Name, OutSchema, StrictSchema, Text

from .models import Deadline, DeadlineRule, DeadlineState, ExtensionRequest, ExtensionState, Unit
from .presenters import EXTENSION_STATE_LABELS, STATE_LABELS

MAX_AMOUNT = 3650


def _check_reminders(value):
    for i, item in enumerate(value):
        if not isinstance(item, dict) or len(item) != 1:
            raise ValidationError(_("Each reminder is one of: percent, working_days_before, hours_before."))
        (key, number), = item.items()
        limits = {"percent": (1, 99), "working_days_before": (1, 60), "hours_before": (1, 720)}
        if key not in limits or not isinstance(number, int) or isinstance(number, bool) \
                or not limits[key][0] <= number <= limits[key][1]:
            raise ValidationError(_("Reminder %(n)d is not valid (percent 1–99, working_days_before 1–60, "
                                    "hours_before 1–720).", n=i + 1))


def _check_ladder(value):
    levels = []
    for i, step in enumerate(value):
        if not isinstance(step, dict) or set(step) != {"level", "after_working_days", "notify"}:
            raise ValidationError(_("Each escalation step has level, after_working_days and notify."))
        if step["notify"] not in ("responsible", "supervisors"):
            raise ValidationError(_("notify is responsible or supervisors."))
        if not isinstance(step["level"], int) or not isinstance(step["after_working_days"], int) \
                or not 1 <= step["level"] <= 10 or not 0 <= step["after_working_days"] <= 60:
            raise ValidationError(_("Escalation step %(n)d is not valid (level 1–10, after 0–60 working days).",
                                    n=i + 1))
        levels.append(step["level"])
    if len(set(levels)) != len(levels):
        raise ValidationError(_("Escalation levels must be different."))


class RuleSchema(StrictSchema):
    code = fields.String(dump_only=True)
    step = Name(column=DeadlineRule.step, min_length=1)
    amount = fields.Integer(required=True, strict=True, validate=validate.Range(
        min=1, max=MAX_AMOUNT, error="Must be between 1 and 3650."))
    unit = EnumValue(Unit, required=True)
    reminders = fields.List(fields.Raw(), load_default=list, validate=[validate.Length(max=20), _check_reminders])
    escalation = fields.List(fields.Raw(), load_default=list, validate=[validate.Length(max=20), _check_ladder])
    extension_amount = fields.Integer(allow_none=True, strict=True, validate=validate.Range(
        min=1, max=MAX_AMOUNT, error="Must be between 1 and 3650."))
    source = Text(2000, column=DeadlineRule.source, allow_none=True)
    status = fields.String(dump_only=True)
    version = fields.Integer(dump_only=True)
    updated_at = fields.AwareDateTime(dump_only=True)


class DeadlineSchema(OutSchema):
    id = fields.UUID(attribute="public_id")
    subject_type = fields.String()
    subject_id = fields.UUID()
    rule_code = fields.String()
    rule_version = fields.Integer()
    amount = fields.Integer()
    unit = EnumValue(Unit)
    state = EnumValue(DeadlineState, labels=STATE_LABELS, required=True)
    started_at = fields.AwareDateTime()
    due_at = fields.AwareDateTime()
    provisional = fields.Boolean()
    calendar_version = fields.Integer()
    paused = Computed(lambda d: d.paused_at is not None, fields.Boolean(), required=True)
    paused_intervals = fields.List(fields.List(fields.String()))
    extended_by_amount = fields.Integer()
    extension_reason = fields.String()
    fixed_due_at = fields.AwareDateTime(metadata={"description": "A due time a person set (the reply date told, "
                                                                  "the convener's due time, an approved extension)."})
    due_reason = fields.String()
    closed_at = fields.AwareDateTime()
    breached_at = fields.AwareDateTime()


class ExtensionRequestSchema(StrictSchema):
    reason = Text(2000, column=ExtensionRequest.reason, required=True, metadata={
        "description": "Why more time is needed (required)."})
    requested_due_at = fields.AwareDateTime(required=True, metadata={
        "description": "The new due time: after the current one, within the rule's maximum extension if it has one."})


class ExtensionDecisionSchema(StrictSchema):
    decision = fields.String(required=True, validate=validate.OneOf(["approve", "refuse"],
                                                                     error="Not a valid choice."))
    reason = Text(2000, column=ExtensionRequest.decision_reason, load_default=None, metadata={
        "description": "Required to refuse."})
    request_id = fields.UUID(load_default=None, metadata={
        "description": "The request you read (optional): another one, or one already decided, answers 409."})


class ExtensionRequestOutSchema(OutSchema):
    id = fields.UUID()
    deadline_id = Computed(lambda r: str(r.deadline.public_id), fields.UUID(), required=True)
    rule_code = Computed(lambda r: r.deadline.rule_code, fields.String(), required=True)
    complaint_id = Computed(lambda r: str(r.deadline.complaint_id), fields.UUID(), required=True)
    current_due_at = Computed(lambda r: r.deadline.due_at.isoformat(), fields.AwareDateTime(), required=True)
    reason = fields.String()
    requested_due_at = fields.AwareDateTime()
    requested_by = Computed(lambda r: r.requested_by.name, fields.String(), required=True,
                            metadata={"description": "The requester's name."})
    state = EnumValue(ExtensionState, labels=EXTENSION_STATE_LABELS, required=True)
    created_at = fields.AwareDateTime()
    decided_by = Computed(lambda r: r.decided_by.name if r.decided_by else None, fields.String(),
                          metadata={"description": "The name of who decided."})
    decided_at = fields.AwareDateTime()
    decision_reason = fields.String()
