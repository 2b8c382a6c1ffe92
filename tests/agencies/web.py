"""A tiny browser for the server-rendered pages: sign in through the login form, read a page, fill in
one of its forms as the page pre-fills it, change a few fields and post it (with the form's CSRF token).

Posting the page's own forms (rather than hand-made bodies) checks the forms too: their actions,
hidden fields, CSRF tokens and pre-filled values.
"""
import re
from html.parser import HTMLParser

from tests.accounts.web import csrf_token, web_login


class Form:
    def __init__(self, action, attrs):
        self.action = action
        self.attrs = attrs
        self.fields = {}  # name -> value, or list of values for checkboxes and multiple selects
        self.files = []

    def add(self, name, value, multiple=False):
        if multiple:
            self.fields.setdefault(name, []).append(value)
        else:
            self.fields[name] = value

    def __repr__(self):
        return f"<Form {self.action} {self.fields.get('trigger', '')}>"


class FormParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self.form = None
        self.select = None
        self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.form = Form(attrs.get("action", ""), attrs)
            self.forms.append(self.form)
        if self.form is None:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind == "file":
                self.form.files.append(name)
            elif kind == "checkbox":
                self.form.fields.setdefault(name, [])
                if "checked" in attrs:
                    self.form.add(name, attrs.get("value", "on"), multiple=True)
            else:
                self.form.add(name, attrs.get("value", ""))
        elif tag == "select" and name:
            self.select = {"name": name, "multiple": "multiple" in attrs, "first": None, "chosen": []}
        elif tag == "option" and self.select is not None:
            value = attrs.get("value", "")
            if self.select["first"] is None:
                self.select["first"] = value
            if "selected" in attrs:
                self.select["chosen"].append(value)
        elif tag == "textarea" and name:
            self.textarea = [name, ""]

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select" and self.select is not None:
            s = self.select
            if s["multiple"]:
                self.form.fields[s["name"]] = s["chosen"]
            else:
                self.form.fields[s["name"]] = s["chosen"][0] if s["chosen"] else (s["first"] or "")
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            self.form.fields[self.textarea[0]] = self.textarea[1]
            self.textarea = None


def forms_of(html) -> list[Form]:
    parser = FormParser()
    parser.feed(html)
    return parser.forms


def field_errors(html, field):
    return re.findall(rf'<small class="error" data-field="{re.escape(field)}">([^<]*)</small>', html)


def ids_of(html, prefix=""):
    return re.findall(rf'data-testid="({re.escape(prefix)}[^"]*)"', html)


class Browser:
    """One user's session, signed in through the login form."""

    def __init__(self, app, user):
        self.client = app.test_client()
        response = web_login(self.client, user)  # the password, then the second step of staff
        assert response.status_code == 302, response.get_data(as_text=True)
        self.home = response.headers["Location"]

    def get(self, url, status=200) -> str:
        response = self.client.get(url)
        html = response.get_data(as_text=True)
        assert response.status_code == status, (url, response.status_code, html[-2000:])
        return html

    def form(self, url, action, trigger=None) -> Form:
        """The form of the page ``url`` that posts to ``action`` (and carries this hidden trigger)."""
        html = self.get(url)
        found = [f for f in forms_of(html)
                 if f.action == action and (trigger is None or f.fields.get("trigger") == trigger)]
        assert len(found) == 1, (action, trigger, forms_of(html))
        return found[0]

    def submit(self, url, action, trigger=None, status=302, files=None, **changes):
        """Fill the page's form as shown, apply ``changes`` and post it; assert the status, return the response."""
        form = self.form(url, action, trigger)
        assert form.fields.get("csrf_token"), f"no CSRF token in the form to {action}"
        data = {**form.fields, **changes}
        kwargs = {}
        if files:
            data.update(files)
            kwargs["content_type"] = "multipart/form-data"
        response = self.client.post(action, data=data, **kwargs)
        assert response.status_code == status, (action, response.status_code, response.get_data(as_text=True)[-3000:])
        return response


def confirm_form(html) -> Form:
    """The confirmation page's form (core/confirm.py: the posted fields again, with confirmed=yes)."""
    assert 'data-testid="confirm"' in html, html[-2000:]
    found = [f for f in forms_of(html) if f.fields.get("confirmed") == "yes"]
    assert len(found) == 1, found
    return found[0]


def confirm(browser, response, status=302):
    """Post the confirmation page ``response`` answered (nothing changed before this second step)."""
    assert response.status_code == 200, response.status_code
    form = confirm_form(response.get_data(as_text=True))
    confirmed = browser.client.post(form.action, data=form.fields)
    assert confirmed.status_code == status, (form.action, confirmed.status_code,
                                             confirmed.get_data(as_text=True)[-3000:])
    return confirmed
