"""`commerce serve` as a real uvicorn process on 127.0.0.1."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.error
import urllib.request

import pytest

from commerce.orders.engine import Engine

from .helpers import TOKEN, Server, event, make_db, signed


def http(url, body=None, headers=None, method=None):
    req = urllib.request.Request(url, data=body, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def serve(*args, env=None):
    clean = {k: v for k, v in os.environ.items() if not k.startswith("COMMERCE_")}
    return subprocess.run(
        [sys.executable, "-m", "commerce", "serve", *args],
        env=clean | (env or {}),
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    "args, env, says",
    [
        ([], {"COMMERCE_ADMIN_TOKEN": "t"}, "--webhook-secret or set COMMERCE_WEBHOOK_SECRET"),
        (["--webhook-secret", " , "], {"COMMERCE_ADMIN_TOKEN": "t"}, "COMMERCE_WEBHOOK_SECRET"),
        ([], {"COMMERCE_WEBHOOK_SECRET": "s"}, "--admin-token or set COMMERCE_ADMIN_TOKEN"),
        (["--admin-token", "t", "--webhook-secret", "s"], {}, "no such database"),
    ],
)
def test_serve_refuses_to_start_without_its_secrets(tmp_path, args, env, says):
    r = serve("--db", str(tmp_path / "missing.db"), *args, env=env)
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and says in lines[0], r.stderr


def test_a_real_server_takes_webhooks_and_logs_json_lines(tmp_path):
    db, totals = make_db(tmp_path, n=2)
    with Server(db) as srv:
        assert http(srv.url + "/healthz") == (200, b'{"status":"ok"}')
        body = event("evt_1", "o-1", totals["o-1"])
        headers = signed(body)
        status, out = http(srv.url + "/webhooks/payments", body, headers)
        assert (status, json.loads(out)["outcome"]) == (200, "settled")
        status, out = http(srv.url + "/webhooks/payments", body, headers)  # replay
        assert (status, json.loads(out)["status"]) == (200, "duplicate")
        status, out = http(srv.url + "/webhooks/payments", body, {"Commerce-Signature": "t=1"})
        assert status == 400
        status, _ = http(srv.url + "/", headers={"Authorization": f"Bearer {TOKEN}"})
        assert status == 200
        status, _ = http(srv.url + "/", headers={"Authorization": "Bearer nope"})
        assert status in (200, 303)  # redirected to the login form (urllib follows it)
    logged = [json.loads(line) for line in srv.lines() if line.startswith("{")]
    assert [(x["method"], x["path"], x["status"]) for x in logged][:4] == [
        ("GET", "/readyz", 200),
        ("GET", "/healthz", 200),
        ("POST", "/webhooks/payments", 200),
        ("POST", "/webhooks/payments", 200),
    ]
    assert ("POST", "/webhooks/payments", 400) in [
        (x["method"], x["path"], x["status"]) for x in logged
    ]
    e = Engine.open(db)
    assert e.orders.summary("o-1").status == "fulfilled"
    assert e.orders.waiting_on("o-2") == "payment"
    e.close()


def test_pricing_commands_never_import_the_web_stack_and_serve_has_help():
    code = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from commerce.cli.main import main\n"
        "r = CliRunner().invoke(main, ['quote', 'examples/shop.json', 'examples/cart.json',"
        " '-j', 'UK', '--at', '1767225600'])\n"
        "assert r.exit_code == 0, r.output\n"
        "web = {'starlette', 'uvicorn', 'jinja2'}\n"
        "assert not any(m.split('.')[0] in web for m in sys.modules)\n"
        "assert 'commerce.web.app' not in sys.modules\n"
    )
    from .helpers import ROOT

    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    r = serve("--help")
    assert (
        r.returncode == 0 and "--webhook-secret" in r.stdout and "COMMERCE_ADMIN_TOKEN" in r.stdout
    )


def test_serve_reports_a_bad_shop_file_in_one_line(tmp_path):
    db, _ = make_db(tmp_path, n=1)
    bad = tmp_path / "bad.json"
    bad.write_text("{not json")
    env = {"COMMERCE_WEBHOOK_SECRET": "s", "COMMERCE_ADMIN_TOKEN": "t"}
    r = serve("--db", str(db), "--shop", str(bad), env=env)
    assert r.returncode == 1 and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert "bad.json" in r.stderr
