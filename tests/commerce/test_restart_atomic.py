"""A restart (export, reset, define again, import) is one transaction on a durable store:
a failing or interrupted import leaves the store exactly as it was; an import never puts
back a snapshot older than another worker's progress, and never lowers the next id."""

from __future__ import annotations

import shutil

import pytest

from flowhost import FlowConflictError, FlowError
from scheme import SchemeError

from .orders_fixtures import ROOT, begun, engine


def _flows(e):
    data = e.flows.export()
    return data["next_id"], data["flows"]


@pytest.fixture
def shop(tmp_path):
    db = tmp_path / "shop.db"
    e = engine(db)
    begun(e, "o-1", tea=1, gold=0, book=0)
    begun(e, "o-2", tea=2, gold=0, book=0)
    yield db, e
    e.close()


def test_a_restart_whose_import_fails_on_an_edited_flow_changes_nothing(shop, tmp_path):
    db, e = shop
    before = _flows(e)
    edited = tmp_path / "flows"
    shutil.copytree(ROOT / "flows", edited)
    order = edited / "order.scm"
    order.write_text(order.read_text().replace("(quote payment)", "(quote charge)"))
    e.flow_sources = edited
    with pytest.raises((SchemeError, FlowError), match="(?i)nondeterminism|replay|charge"):
        e.restart_flows()
    assert _flows(e) == before
    again = engine(db)  # and another process sees the same store
    assert _flows(again) == before
    assert again.orders.waiting_on("o-1") == "payment"
    again.close()


def test_an_interrupted_restart_changes_nothing(shop, monkeypatch):
    db, e = shop
    before = _flows(e)

    def interrupted(datum, **kw):
        raise KeyboardInterrupt

    monkeypatch.setattr(e.flows, "import_datum", interrupted)
    with pytest.raises(KeyboardInterrupt):
        e.restart_flows()
    monkeypatch.undo()
    assert _flows(e) == before
    assert e.flows.pending()  # the definitions came back with the store
    s = e.orders.summary("o-1")
    assert e.orders.settle("o-1", "pay_1", s.total).outcome == "settled"


def test_an_export_older_than_another_workers_progress_is_refused(shop):
    db, e = shop
    old = e.flows.export()
    other = engine(db)
    other.orders.settle("o-1", "pay_1", other.orders.summary("o-1").total)
    other.close()
    before = _flows(e)
    with pytest.raises(FlowConflictError, match="changed after this export"):
        with e.flows.unit_of_work():  # the Python-side restart, as one transaction
            e.flows.reset()
            e.flows.load_file(ROOT / "flows" / "order.scm")
            e.flows.load_file(ROOT / "flows" / "refund.scm")
            e.flows.import_(old)
    assert _flows(e) == before  # the other worker's progress is still there
    again = engine(db)
    assert again.orders.summary("o-1").status == "fulfilled"
    again.close()


def test_importing_an_older_export_on_purpose_never_reuses_ids(shop):
    db, e = shop
    old = e.flows.export()
    begun(e, "o-3", tea=1, gold=0, book=0)
    high = e.flows.store.next_id()
    assert high > old["next_id"]
    e.flows.import_(old, force=True)
    assert e.flows.store.next_id() == high
    r = e.flows.start("refund-lifecycle", ["o-1", "r-9"])
    assert r.id == high  # a new flow never takes an id an earlier flow had
