"""The worker queue's schema on PostgreSQL, as tests look at it and as version 1 left it."""

from __future__ import annotations


def as_worker_schema_1(url: str) -> None:
    """Put the database's worker schema back as version 1 left it: the notify trigger
    fired at each row change, not deferred to commit."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("UPDATE schema_versions SET version = 1 WHERE component = 'worker'")
        conn.execute("DROP TRIGGER flows_work_notify ON flows")
        conn.execute(
            "CREATE TRIGGER flows_work_notify AFTER INSERT OR UPDATE ON flows "
            "FOR EACH ROW EXECUTE FUNCTION flow_work_notify()"
        )


def schema_state(url: str) -> tuple[list[tuple], list[tuple]]:
    """(every component's (name, schema version), and (deferrable, initially deferred) of
    each notify trigger) in the database."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        versions = conn.execute(
            "SELECT component, version FROM schema_versions ORDER BY component"
        ).fetchall()
        triggers = conn.execute(
            "SELECT tgdeferrable, tginitdeferred FROM pg_trigger WHERE tgname = 'flows_work_notify'"
        ).fetchall()
    return versions, triggers
