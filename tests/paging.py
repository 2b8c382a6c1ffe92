"""Reading the API's lists in tests: every list answers {"items", "next_cursor"[, "total"]} (core/pagination.py)."""
from urllib.parse import urlencode, urlsplit, urlunsplit, parse_qsl

MAX_PAGES = 100  # a list that never ends is a bug, not a long list


def with_query(url: str, **params) -> str:
    """``url`` with these query parameters set (replacing any of the same name)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    query += [(k, str(v)) for k, v in params.items() if v is not None]
    return urlunsplit(parts._replace(query=urlencode(query)))


def page(api, url: str, **params) -> dict:
    """One page (the envelope), asserting a 200 and its shape."""
    response = api.get(with_query(url, **params))
    assert response.status_code == 200, (url, response.status_code, response.get_json())
    body = response.get_json()
    assert isinstance(body, dict) and isinstance(body.get("items"), list) and "next_cursor" in body, body
    return body


def every(api, url: str, *, limit: int = 100) -> list:
    """Every item of a list, following next_cursor from the first page to the last."""
    items, cursor = [], None
    for _ in range(MAX_PAGES):
        body = page(api, url, limit=limit, cursor=cursor)
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items
    raise AssertionError(f"{url}: more than {MAX_PAGES} pages")
