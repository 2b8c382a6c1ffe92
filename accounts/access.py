"""Who may do what with accounts: named predicates used by the services, the pages and their buttons alike."""
from .enums import OrgKind, Role


def can_invite_colleagues(user) -> bool:
    """The enterprise's first user (who registered it, or the first account made in it; see
    User.first_of_enterprise) invites colleagues, sees them and the pending invitations, and cancels those."""
    return (user is not None and getattr(user, "is_authenticated", False) and user.is_active
            and user.role is Role.enterprise_user and user.first_of_enterprise
            and user.organisation.kind is OrgKind.enterprise)


def can_edit_contact_details(user) -> bool:
    """Every signed-in user keeps its own name, phone and language."""
    return user is not None and getattr(user, "is_authenticated", False) and user.is_active
