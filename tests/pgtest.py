"""The PostgreSQL server of a test run: `./conformance.sh` starts one and exports its URL.

`pg_url()` gives a URL to an empty database: every call drops and recreates the schema
`public` of the run's database (closing connections an earlier test left open), which is
much faster than a database per test. Without $COMMERCE_TEST_PG_URL the PostgreSQL tests
are skipped on a developer's machine -- and fail under CI=true: CI never skips them.
"""

from __future__ import annotations

import os

import pytest

ENV = "COMMERCE_TEST_PG_URL"


def base_url() -> str:
    """The run's database URL, or skip (fail in CI) when there is none."""
    url = os.environ.get(ENV)
    if not url:
        message = f"${ENV} is not set: run the suite with ./conformance.sh (it starts PostgreSQL)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return url


def pg_url() -> str:
    """A URL to the run's database, emptied for this test."""
    import psycopg

    url = base_url()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        conn.execute("SET client_min_messages = warning")
        conn.execute("DROP SCHEMA IF EXISTS public CASCADE")
        conn.execute("CREATE SCHEMA public")
    return url
