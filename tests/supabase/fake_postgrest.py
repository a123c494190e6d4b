"""A strict in-memory fake of PostgREST (the operators Visio uses), for httpx.MockTransport.

Refuses what PostgREST refuses: no `apikey` (401), a bearer token it does not know (401),
unknown filter operators (400 PGRST100), unknown columns (400 42703). Supports eq, neq, in, gte,
lt, ilike (`*` wildcard, backslash escapes), order, offset/limit, `Prefer: count=exact` with
Content-Range, HEAD, insert, upsert (`on_conflict` + `resolution=merge-duplicates`), update and
delete with `return=representation` or `return=minimal`, unique keys (409 23505), and
`POST /rpc/<function>` for the functions a test registers. Row-level security and the
functions' SQL are not emulated here: tests/postgres proves them on a real PostgreSQL.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

import httpx

_OPERATORS = {"eq", "neq", "in", "gte", "lt", "ilike"}
_RESERVED = {"select", "order", "offset", "limit", "on_conflict", "columns"}


def _error(status: int, code: str, message: str) -> httpx.Response:
    return httpx.Response(status, json={"code": code, "message": message, "details": None, "hint": None})


def _ilike(pattern: str) -> re.Pattern:
    out, escaped = [], False
    for char in pattern:
        if escaped:
            out.append(re.escape(char))
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in "*%":
            out.append(".*")
        elif char == "_":
            out.append(".")
        else:
            out.append(re.escape(char))
    return re.compile("^" + "".join(out) + "$", re.IGNORECASE | re.DOTALL)


def _comparable(stored, given: str) -> int:
    """Compare as Postgres would: numbers as numbers, text (ISO timestamps) as text."""
    if isinstance(stored, (int, float)) and not isinstance(stored, bool):
        left, right = float(stored), float(given)
    else:
        left, right = str(stored), given
    return (left > right) - (left < right)


@dataclass
class FakePostgrest:
    anon_key: str
    tokens: set[str]
    columns: dict[str, set[str]]
    rows: dict[str, list[dict]] = field(default_factory=dict)
    requests: list[httpx.Request] = field(default_factory=list)
    unique: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)
    # name → handler(fake, arguments, request) -> Response; only POST /rpc/<name> reaches them
    functions: dict[str, Callable[[FakePostgrest, dict, httpx.Request], httpx.Response]] = field(default_factory=dict)

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.headers.get("apikey") != self.anon_key and request.headers.get("apikey") not in self.tokens:
            return _error(401, "PGRST301", "No API key found in request")
        if request.headers.get("authorization", "").removeprefix("Bearer ") not in self.tokens:
            return _error(401, "PGRST301", "JWSError JWSInvalidSignature")
        table = request.url.path.removeprefix("/rest/v1/")
        if table.startswith("rpc/"):
            function = self.functions.get(table.removeprefix("rpc/"))
            if function is None or request.method != "POST":
                return _error(404, "PGRST202", f"Could not find the function public.{table[4:]}")
            return function(self, json.loads(request.content or b"{}"), request)
        if table not in self.columns:
            return _error(404, "42P01", f'relation "public.{table}" does not exist')
        params = parse_qsl(request.url.query.decode(), keep_blank_values=True)
        try:
            predicates = [self._predicate(table, k, v) for k, v in params if k not in _RESERVED]
        except ValueError as error:
            return _error(400, *error.args)
        rows = self.rows.setdefault(table, [])
        minimal = "return=minimal" in request.headers.get("prefer", "")
        if request.method == "POST":
            new = json.loads(request.content)
            new = new if isinstance(new, list) else [new]
            merge = "resolution=merge-duplicates" in request.headers.get("prefer", "")
            conflict = tuple(dict(params).get("on_conflict", "").split(",")) if merge else ()
            if merge and (conflict not in self.unique.get(table, [])):
                return _error(400, "42P10", "there is no unique or exclusion constraint matching the ON CONFLICT")
            for row in new:
                if set(row) - self.columns[table]:
                    return _error(400, "PGRST204", "Could not find a column in the schema cache")
                same = [old for old in rows if conflict and all(str(old.get(c)) == str(row.get(c)) for c in conflict)]
                if same:
                    same[0].update(row)
                    continue
                for key in self.unique.get(table, []):
                    if any(all(str(old.get(c)) == str(row.get(c)) for c in key) for old in rows):
                        return _error(409, "23505", f"duplicate key value violates unique constraint ({','.join(key)})")
                rows.append(dict(row))
            return httpx.Response(201) if minimal else httpx.Response(201, json=new)
        matching = [r for r in rows if all(p(r) for p in predicates)]
        if request.method == "PATCH":
            changes = json.loads(request.content)
            for row in matching:
                row.update(changes)
            return httpx.Response(204) if minimal else httpx.Response(200, json=matching)
        if request.method == "DELETE":
            if not predicates:  # PostgREST's safeguard against deleting a whole table
                return _error(400, "21000", "DELETE requires a WHERE clause")
            self.rows[table] = [r for r in rows if r not in matching]
            return httpx.Response(204) if minimal else httpx.Response(200, json=matching)
        query = dict(params)
        for part in reversed(query.get("order", "").split(",") if query.get("order") else []):
            column, _, direction = part.partition(".")
            matching.sort(key=lambda r: (r.get(column) is None, r.get(column) or ""), reverse=direction == "desc")
        total = len(matching)
        offset = int(query.get("offset", 0))
        limit = int(query["limit"]) if "limit" in query else None
        page = matching[offset : offset + limit if limit is not None else None]
        selected = query.get("select", "*")
        if selected != "*":
            wanted = selected.split(",")
            unknown = set(wanted) - self.columns[table]
            if unknown:
                return _error(400, "42703", f"column {table}.{unknown.pop()} does not exist")
            page = [{c: r.get(c) for c in wanted} for r in page]
        headers = {}
        if "count=exact" in request.headers.get("prefer", ""):
            headers["content-range"] = f"{offset}-{offset + len(page) - 1}/{total}" if page else f"*/{total}"
        if request.method == "HEAD":
            return httpx.Response(200, headers=headers)
        return httpx.Response(200, json=page, headers=headers)

    def _predicate(self, table: str, column: str, expression: str):
        if column not in self.columns[table]:
            raise ValueError("42703", f"column {table}.{column} does not exist")
        operator, _, value = expression.partition(".")
        if operator not in _OPERATORS:
            raise ValueError("PGRST100", f'"failed to parse filter ({expression})"')
        if operator == "eq":
            return lambda r: str(r.get(column)) == value
        if operator == "neq":
            return lambda r: r.get(column) is not None and str(r.get(column)) != value
        if operator == "in":
            options = set(value.strip("()").split(","))
            return lambda r: str(r.get(column)) in options
        if operator == "gte":
            return lambda r: r.get(column) is not None and _comparable(r[column], value) >= 0
        if operator == "lt":
            return lambda r: r.get(column) is not None and _comparable(r[column], value) < 0
        pattern = _ilike(value)
        return lambda r: bool(pattern.match(str(r.get(column) or "")))
