"""Organisation kinds, districts and roles, with their display labels (translatable)."""
import enum

from flask_babel import lazy_gettext as _l


class OrgKind(enum.Enum):
    enterprise = "enterprise"
    rights_center = "rights_center"
    market_regulation = "market_regulation"
    public_security = "public_security"
    procuratorate = "procuratorate"
    court = "court"
    supervisor_office = "supervisor_office"
    think_tank = "think_tank"  # the experts' organisation (registry/: the think tank 专家智库)


AGENCY_KINDS = frozenset({OrgKind.market_regulation, OrgKind.public_security, OrgKind.procuratorate, OrgKind.court})

ORG_KIND_LABELS = {
    OrgKind.enterprise: _l("Enterprise"),
    OrgKind.rights_center: _l("Rights-protection centre"),
    OrgKind.market_regulation: _l("Market regulation bureau"),
    OrgKind.public_security: _l("Public security"),
    OrgKind.procuratorate: _l("Procuratorate"),
    OrgKind.court: _l("People's court"),
    OrgKind.supervisor_office: _l("Supervisor office"),
    OrgKind.think_tank: _l("Expert think tank"),
}


class District(enum.Enum):
    huangpu = "huangpu"
    xuhui = "xuhui"
    changning = "changning"
    jingan = "jingan"
    putuo = "putuo"
    hongkou = "hongkou"
    yangpu = "yangpu"
    minhang = "minhang"
    baoshan = "baoshan"
    jiading = "jiading"
    pudong = "pudong"
    jinshan = "jinshan"
    songjiang = "songjiang"
    qingpu = "qingpu"
    fengxian = "fengxian"
    chongming = "chongming"
    lingang = "lingang"
    municipal = "municipal"


DISTRICT_LABELS = {
    District.huangpu: _l("Huangpu"),
    District.xuhui: _l("Xuhui"),
    District.changning: _l("Changning"),
    District.jingan: _l("Jing'an"),
    District.putuo: _l("Putuo"),
    District.hongkou: _l("Hongkou"),
    District.yangpu: _l("Yangpu"),
    District.minhang: _l("Minhang"),
    District.baoshan: _l("Baoshan"),
    District.jiading: _l("Jiading"),
    District.pudong: _l("Pudong New Area"),
    District.jinshan: _l("Jinshan"),
    District.songjiang: _l("Songjiang"),
    District.qingpu: _l("Qingpu"),
    District.fengxian: _l("Fengxian"),
    District.chongming: _l("Chongming"),
    District.lingang: _l("Lingang Special Area"),
    District.municipal: _l("Municipal"),
}


class Industry(enum.Enum):
    """Shanghai's "3+6" industrial system (three leading industries, six key clusters) and the rest: the industry of
    a typical case (publication/) and of a demonstration base (registry/)."""

    integrated_circuits = "integrated_circuits"
    biomedicine = "biomedicine"
    artificial_intelligence = "artificial_intelligence"
    electronic_information = "electronic_information"
    life_health = "life_health"
    automotive = "automotive"
    high_end_equipment = "high_end_equipment"
    advanced_materials = "advanced_materials"
    fashion_consumer_goods = "fashion_consumer_goods"
    other = "other"


INDUSTRY_LABELS = {
    Industry.integrated_circuits: _l("Integrated circuits"),
    Industry.biomedicine: _l("Biomedicine"),
    Industry.artificial_intelligence: _l("Artificial intelligence"),
    Industry.electronic_information: _l("Electronic information"),
    Industry.life_health: _l("Life and health"),
    Industry.automotive: _l("Automotive"),
    Industry.high_end_equipment: _l("High-end equipment"),
    Industry.advanced_materials: _l("Advanced materials"),
    Industry.fashion_consumer_goods: _l("Fashion and consumer goods"),
    Industry.other: _l("Other industries"),
}


class Role(enum.Enum):
    enterprise_user = "enterprise_user"
    clerk = "clerk"
    agency_officer = "agency_officer"
    agency_head = "agency_head"  # approves extensions of the agency's deadlines
    supervisor = "supervisor"
    admin = "admin"
    expert = "expert"  # of the think tank: sees only the consultations it is invited to (registry/)


ROLE_LABELS = {
    Role.enterprise_user: _l("Enterprise user"),
    Role.clerk: _l("Centre clerk"),
    Role.agency_officer: _l("Agency officer"),
    Role.agency_head: _l("Agency head"),
    Role.supervisor: _l("Supervisor"),
    Role.admin: _l("Administrator"),
    Role.expert: _l("Expert"),
}

AGENCY_ROLES = frozenset({Role.agency_officer, Role.agency_head})

# Which roles may belong to which kind of organisation.
ROLES_BY_KIND = {
    OrgKind.enterprise: {Role.enterprise_user},
    OrgKind.rights_center: {Role.clerk, Role.admin},
    OrgKind.market_regulation: {Role.agency_officer, Role.agency_head},
    OrgKind.public_security: {Role.agency_officer, Role.agency_head},
    OrgKind.procuratorate: {Role.agency_officer, Role.agency_head},
    OrgKind.court: {Role.agency_officer, Role.agency_head},
    OrgKind.supervisor_office: {Role.supervisor, Role.admin},
    OrgKind.think_tank: {Role.expert},
}


class TokenKind(enum.Enum):
    web_session = "web_session"  # the id behind a browser session; rotated at every login
    api_token = "api_token"  # POST /api/v1/auth/tokens; expires
    api_key = "api_key"  # long-lived, created by an administrator for an agency's systems
