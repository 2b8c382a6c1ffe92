"""The registry (measures 1, 6 and 13): demonstration zones, stations and points with the city's targets,
the expert think tank invited to consultations, and the enforcement talent pool staffing key cases."""


def init_app(app):
    from . import access, bases
    from .enums import BASE_KIND_LABELS, BASE_STATUS_LABELS, EXPERT_KIND_LABELS, INDUSTRY_LABELS

    app.jinja_env.globals.update(BASE_KIND_LABELS=BASE_KIND_LABELS, BASE_STATUS_LABELS=BASE_STATUS_LABELS,
                                 INDUSTRY_LABELS=INDUSTRY_LABELS, EXPERT_KIND_LABELS=EXPERT_KIND_LABELS,
                                 can_invite_experts=access.can_invite_experts)
    try:  # the dashboard (issue 11's part) may not be there yet: then the registry page alone shows the figures
        from supervision.dashboard import register_section
    except ImportError:
        register_section = None
    if register_section is not None:
        register_section("demonstration_bases", _section_title(), bases.dashboard_section)


def _section_title():
    from flask_babel import lazy_gettext as _l
    return _l("Demonstration bases")
