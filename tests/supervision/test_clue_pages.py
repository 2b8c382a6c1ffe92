"""Clue linking's pages, signed in through the login form and posting the pages' own forms: the triage
page's related complaints (as far as the clerk may see each), the link form and its refusals, the
supervisors' clues with the graph, and a cluster's prefilled consultation and key-case forms."""
import html as htmllib
import re
import uuid

from tests.agencies.web import Browser, forms_of
from tests.routing.support import SOURCE_CODE, example, submit

RUICHI = {"kind": "competitor", "name": "上海锐驰自动化有限公司"}


def _state(app, complaint_id):
    from core.extensions import db
    from intake.models import Complaint

    with app.app_context():
        return db.session.get(Complaint, uuid.UUID(complaint_id)).state.value


def _three(world):
    """Two complaints at the municipal centre and one at the Xuhui centre, all naming 上海锐驰自动化有限公司."""
    a = submit(world, example(SOURCE_CODE, infringers=[RUICHI]))
    same_centre = submit(world, example(SOURCE_CODE, infringers=[{"kind": "competitor", "name": "上海锐驰自动化有限责任公司"}]))
    other_centre = submit(world, example(SOURCE_CODE, infringers=[RUICHI]), who="other_enterprise")
    return a, same_centre, other_centre


def test_the_triage_page_shows_related_complaints_as_far_as_the_clerk_may_see_them(app, world):
    a, same_centre, other_centre = _three(world)
    clerk = Browser(app, world.users["clerk"])
    page = clerk.get(f"/centre/complaints/{a['id']}")
    panel = page.split('data-testid="clues"', 1)[1].split("</article>", 1)[0]
    assert f'href="/centre/complaints/{same_centre["id"]}"' in panel  # its own centre's: in full
    assert other_centre["reference"] in panel and other_centre["id"] not in panel  # no id of what it may not open
    assert "上海徐汇某软件有限公司" not in panel  # not the other centre's enterprise
    assert "Handled by another centre" in panel and "Same organisation name" in panel
    assert 'data-testid="link-duplicate"' in panel and 'data-testid="convene-from-cluster"' in panel
    # the supervisor sees everything, links nothing
    supervisor = Browser(app, world.users["supervisor"])
    panel = supervisor.get(f"/centre/complaints/{a['id']}").split('data-testid="clues"', 1)[1].split("</article>", 1)[0]
    assert f'href="/centre/complaints/{other_centre["id"]}"' in panel and "上海徐汇某软件有限公司" in panel
    assert 'data-testid="link-form"' not in panel


def test_a_clerk_closes_a_complaint_as_a_duplicate_from_the_page(app, world):
    a, _same_centre, other_centre = _three(world)
    clerk = Browser(app, world.users["clerk"])
    url = f"/centre/complaints/{a['id']}"
    action = f"/centre/complaints/{a['id']}/links"
    # refused: a duplicate without the message to the enterprise — the form again, nothing saved
    response = clerk.submit(url, action, status=422, other_reference=other_centre["reference"], kind="duplicate", message="")
    body = response.get_data(as_text=True)
    assert 'data-testid="error-summary"' in body and 'href="#field-message"' in body and 'id="field-message"' in body
    assert _state(app, a["id"]) == "submitted"
    response = clerk.submit(url, action, other_reference=other_centre["reference"], kind="duplicate",
                            message="与徐汇中心受理的投诉相同，由其统一处理。")
    assert response.headers["Location"].endswith(url)
    assert _state(app, a["id"]) == "closed"
    page = clerk.get(url)
    assert "closed as a duplicate" in page and other_centre["reference"] in page
    assert 'data-testid="link-form"' not in page  # ended: nothing more to link


def test_related_keeps_both_open_and_shows_on_both_sides(app, world):
    a, same_centre, _other = _three(world)
    clerk = Browser(app, world.users["clerk"])
    clerk.submit(f"/centre/complaints/{a['id']}", f"/centre/complaints/{a['id']}/links", other_reference=same_centre["reference"],
                 kind="related")
    assert _state(app, a["id"]) == _state(app, same_centre["id"]) == "submitted"
    other_side = clerk.get(f"/centre/complaints/{same_centre['id']}")
    assert f"Complaint {a['reference']}: Related to this complaint" in htmllib.unescape(other_side)


def test_supervisors_see_the_clues_and_the_graph(app, world):
    a, same_centre, other_centre = _three(world)
    supervisor = Browser(app, world.users["supervisor"])
    home = supervisor.get("/centre/queue")
    assert 'data-testid="nav-clues"' in home
    page = supervisor.get("/supervision/clues")
    [row] = re.findall(r'<tr data-testid="cluster">.*?</tr>', page, re.S)
    assert ">3<" in row and "Same organisation name" in row
    assert 'data-testid="clue-graph"' in page and "<svg" in page and 'data-testid="graph-table"' in page
    for complaint in (a, same_centre, other_centre):
        assert complaint["reference"] in page.split('data-testid="clue-graph"')[1]
    cluster_url = re.search(r'href="(/supervision/clues/\d+)"', row).group(1)
    cluster = supervisor.get(cluster_url)
    assert cluster.count('data-testid="cluster-complaint"') == 3
    supervise = re.search(r'href="([^"]+)" data-testid="supervise-from-cluster"', cluster).group(1)
    triage = supervisor.get(htmllib.unescape(supervise))
    [form] = [f for f in forms_of(triage) if f.action.endswith("/supervision")]
    assert "name the same suspected infringer" in form.fields["instructions"]
    convene = re.search(r'href="([^"]+)" data-testid="convene-from-cluster"', cluster).group(1)
    triage = supervisor.get(htmllib.unescape(convene))
    [form] = [f for f in forms_of(triage) if f.action.endswith("/consultations")]
    assert other_centre["reference"] in form.fields["questions"] or a["reference"] in form.fields["questions"]


def test_the_clues_are_the_supervisors_only(app, world):
    _three(world)
    clerk = Browser(app, world.users["clerk"])
    assert 'data-testid="nav-clues"' not in clerk.get("/centre/queue")
    clerk.get("/supervision/clues", status=404)
    clerk.get("/supervision/clues/1", status=404)
    Browser(app, world.users["supervisor"]).get("/supervision/clues/999999999", status=404)
    Browser(app, world.users["supervisor"]).get("/supervision/clues/abc", status=404)
