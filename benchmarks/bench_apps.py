"""The reference servers of ``make bench-api`` (benchmarks/wrk_api.py), run under the same
gunicorn settings as the project, from the bench venv (``.venv-bench``: orjson, psycopg):

- ``bench_apps:hello`` — the floor: a WSGI callable answering a constant.
- ``bench_apps:bare`` — the data limit: one SQL statement for the same 100 rows the API page
  shows (the same columns, related keys and evidence included) and ``orjson`` — no framework.

The SQL is also what ``wrk_api.py export`` uses to build the SQLite file Datasette serves, so
the three data servers show the same rows. Nothing here imports Django.
"""

import os
from urllib.parse import parse_qs

import orjson
import psycopg

# The 41 fields of an API commitment, in its order, with the rules it derives as of the
# database's day (target missed, overdue, days overdue, assessed, disagreeing) written in
# (D-16-31): until issue 10 added the last seven, the reference served 34 and did less work
# than the page it is the limit for.
COMMITMENTS = """
SELECT c.id, c.state_id AS member_state, s.regional_group, st.code AS step, st.level,
       c.title, c.description, c.language, c.source_kind, c.source_description,
       NULLIF(c.source_url, '') AS source_url, c.pledged_on, c.target_date,
       (c.target_date < CURRENT_DATE AND c.status <> 'complete') IS TRUE AS target_missed,
       c.review_interval_days, c.basis,
       ARRAY(SELECT x.scrutinychannel_id FROM commitments_commitment_channels x
             WHERE x.commitment_id = c.id ORDER BY 1) AS channels,
       ARRAY(SELECT x.resolution_id FROM commitments_commitment_resolutions x
             WHERE x.commitment_id = c.id ORDER BY 1) AS resolutions,
       c.origin, c.upr_cycle, c.upr_recommending_states, c.upr_recommendation, c.upr_response,
       c.operative_paragraph_id AS operative_paragraph, c.statement_forum, c.statement_on,
       NULLIF(c.statement_url, '') AS statement_url, c.withdrawn_on, c.status,
       c.latest_update_id AS latest_update, c.last_reported_on, c.next_review_due,
       (c.next_review_due < CURRENT_DATE) IS TRUE AS is_overdue,
       CASE WHEN c.next_review_due < CURRENT_DATE THEN CURRENT_DATE - c.next_review_due
            ELSE 0 END AS days_overdue,
       c.independent_status, c.latest_assessment_id AS latest_assessment,
       c.independent_status <> '' AS independently_assessed,
       (c.status IN ('complete', 'limited', 'not-started', 'substantial', 'withdrawn')
        AND c.independent_status IN ('complete', 'limited', 'not-started', 'substantial',
                                     'withdrawn')
        AND c.status <> c.independent_status) AS disagrees,
       c.created_at, c.updated_at, c.is_demo
FROM commitments_commitment c
JOIN focalpoints_memberstate s ON s.code = c.state_id
JOIN commitments_preventionstep st ON st.id = c.step_id
WHERE c.id > %s ORDER BY c.id LIMIT %s
"""

UPDATES = """
SELECT u.id, u.commitment_id AS commitment, c.state_id AS member_state, u.reported_on,
       u.status, u.narrative, u.language, u.corrects_id AS corrects,
       (SELECT x.id FROM commitments_progressupdate x WHERE x.corrects_id = u.id)
           AS corrected_by,
       u.corrects_id IS NOT NULL AS is_correction, u.created_at, u.is_demo,
       COALESCE((SELECT json_agg(json_build_object('id', e.id, 'kind', e.kind, 'title', e.title,
                                                   'url', NULLIF(e.url, ''),
                                                   'file', NULLIF(e.file, ''),
                                                   'content_type', e.content_type,
                                                   'size_bytes', e.size_bytes,
                                                   'sha256', e.sha256,
                                                   'created_at', e.created_at,
                                                   'is_demo', e.is_demo)
                                 ORDER BY e.id)
                 FROM commitments_evidence e WHERE e.update_id = u.id), '[]') AS evidence,
       COALESCE((SELECT json_agg(json_build_object('language', t.language,
                                                   'narrative', t.narrative,
                                                   'created_at', t.created_at)
                                 ORDER BY t.language)
                 FROM commitments_updatetranslation t WHERE t.update_id = u.id), '[]')
           AS translations
FROM commitments_progressupdate u
JOIN commitments_commitment c ON c.id = u.commitment_id
WHERE u.id > %s ORDER BY u.id LIMIT %s
"""

QUERIES = {"commitments": COMMITMENTS, "progress-updates": UPDATES}
_connection = None


def hello(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "5")])
    return [b"hello"]


def _db():
    global _connection
    if _connection is None or _connection.closed:
        url = os.environ["DATABASE_URL"]
        _connection = psycopg.connect(url, autocommit=True, prepare_threshold=0)
    return _connection


def bare(environ, start_response):
    """``/<resource>?after=<id>&size=<n>``: one statement, rows as JSON objects."""
    resource = environ.get("PATH_INFO", "/").strip("/")
    query = QUERIES.get(resource)
    if query is None:
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]
    params = parse_qs(environ.get("QUERY_STRING", ""))
    after = int(params.get("after", ["0"])[0])
    size = min(int(params.get("size", ["100"])[0]), 1000)
    # The limit written in, as the project writes its usual ones (D-16-28): with a parameter
    # for it, PostgreSQL plans the statement again on every execution.
    statement = query.replace("LIMIT %s", f"LIMIT {size:d}")
    with _db().cursor() as cursor:
        cursor.execute(statement, [after])
        names = [column.name for column in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    body = orjson.dumps({"next": rows[-1]["id"] if rows else None, "results": rows})
    start_response(
        "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
    )
    return [body]


def export(database_url: str, path: str) -> None:
    """Write the rows the bare handler serves (the same statements, paged by key) to a SQLite
    file for Datasette: one table per resource, lists and objects as JSON text."""
    import datetime
    import sqlite3

    target = sqlite3.connect(path)
    with psycopg.connect(database_url) as source:
        for resource, query in QUERIES.items():
            table = resource.replace("-", "_")
            after, created = 0, False
            while True:
                with source.cursor() as cursor:
                    cursor.execute(query, [after, 10000])
                    names = [column.name for column in cursor.description]
                    rows = cursor.fetchall()
                if not rows:
                    break
                if not created:
                    columns = ", ".join(
                        "id INTEGER PRIMARY KEY" if name == "id" else f'"{name}"' for name in names
                    )
                    target.execute(f'DROP TABLE IF EXISTS "{table}"')
                    target.execute(f'CREATE TABLE "{table}" ({columns})')
                    created = True

                def plain(value):
                    if isinstance(value, list | dict):
                        return orjson.dumps(value).decode()
                    if isinstance(value, datetime.date):
                        return value.isoformat()
                    return value

                marks = ", ".join("?" for _ in names)
                target.executemany(
                    f'INSERT INTO "{table}" VALUES ({marks})',
                    ([plain(value) for value in row] for row in rows),
                )
                after = rows[-1][0]
            target.commit()
    target.close()


if __name__ == "__main__":
    import sys

    export(sys.argv[1], sys.argv[2])
