"""Helpers of the publication tests: routing's small Shanghai with a second supervisor, a concluded complaint."""
import copy

from tests.routing.conftest import USERS, World, make_people
from tests.routing.support import CUSTOMER_LIST, accepted, complaint_transition, ok

PEOPLE = {**USERS, "supervisor2": ("supervisor", "supervisor_office")}
FACTS = ("赵某辞职前一周从CRM导出客户名单，交给上海鲜达供应链管理有限公司（统一社会信用代码91310107MA1G8B0KLP）；"
         "损失约180,000元，联系电话13912345678。")


def make_world(app, client, code_base=6_100_000):
    orgs, users = make_people(app, PEOPLE, code_base=code_base, domain="publication.example")
    return World(app, client, orgs, users)


def concluded(world) -> dict:
    """CUSTOMER_LIST accepted and resolved with guidance by the centre: concluded."""
    data = copy.deepcopy(CUSTOMER_LIST)
    data["facts"] = FACTS
    complaint = accepted(world, data=data)
    return ok(complaint_transition(world.api("clerk"), complaint["id"], "resolve",
                                   message="已指导企业与鲜达公司达成和解，赔偿50万元。"))
