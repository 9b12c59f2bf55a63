"""The continuations a host keeps for suspended flows are bounded (flowhost/live.py): a
process that leaves many flows waiting -- a server whose orders wait on payment, the
import of a large export -- keeps the latest few, and replays the others when they are
resumed, with the same results."""

from __future__ import annotations

import pytest

from flowhost import Done, Suspended
from flowhost.live import LIMIT, LiveStates
from scheme import Symbol


def test_the_oldest_stored_goes_first_and_storing_again_makes_it_newest():
    live: LiveStates[str] = LiveStates(3)
    for i in (1, 2, 3):
        live[i] = f"v{i}"
    live[1] = "v1'"  # stored again: now the newest
    live[4] = "v4"  # over the limit: 2, the oldest stored, goes
    assert 2 not in live and len(live) == 3
    assert [live.get(i) for i in (1, 3, 4)] == ["v1'", "v3", "v4"]
    assert live.pop(3) == "v3" and live.pop(3, "gone") == "gone"
    live.clear()
    assert len(live) == 0 and live.get(1) is None


def test_a_limit_of_zero_keeps_nothing_and_a_negative_one_is_refused():
    live: LiveStates[int] = LiveStates(0)
    live[1] = 1
    assert len(live) == 0
    with pytest.raises(ValueError, match="at least 0, got -1"):
        LiveStates(-1)


def test_a_host_keeps_at_most_its_limit(host):
    assert host.runner.live.limit == LIMIT
    host.runner.live.limit = 3
    for i in range(10):
        host.start("echo", f"x{i}")
    assert len(host.runner.live) == 3  # the last three started
    assert all(i in host.runner.live for i in (8, 9, 10))


def test_flows_whose_state_was_forgotten_are_replayed_and_resume_the_same(host, monkeypatch):
    host.runner.live.limit = 2
    for i in range(6):
        assert host.start("order-lifecycle", f"o{i}") == Suspended(i + 1, "reserve", f"o{i}")
    replays = []
    replay = host.runner.replay
    monkeypatch.setattr(
        host.runner, "replay", lambda rec, steps: replays.append(rec.id) or replay(rec, steps)
    )
    for i in reversed(range(6)):  # the newest first: the two at hand, then the others
        flow = i + 1
        assert host.resume(flow, Symbol("reserved")) == Suspended(flow, "payment", f"o{i}")
    assert replays == [4, 3, 2, 1]  # the four forgotten were replayed, the two kept were not
    for i in range(6):
        flow = i + 1
        host.resume(flow, Symbol("paid"))
        assert host.resume(flow, Symbol("fulfilled")) == Done(flow, Symbol("fulfilled"))
    assert len(host.runner.live) <= 2


def test_an_import_replays_every_suspended_flow_but_keeps_at_most_the_limit(host):
    for i in range(8):
        host.start("order-lifecycle", f"o{i}")
        host.resume(i + 1, Symbol("reserved"))
    exported = host.export()
    host.runner.live.limit = 3
    host.import_(exported, force=True)
    assert len(host.runner.live) == 3
    for i in range(8):
        flow = i + 1
        assert host.resume(flow, Symbol("paid")) == Suspended(flow, "fulfil", f"o{i}")


def test_an_import_holds_no_more_continuations_than_the_limit_while_it_writes(host, monkeypatch):
    import gc

    from scheme import Continuation

    for i in range(8):
        host.start("order-lifecycle", f"o{i}")
    exported = host.export()
    host.runner.live.limit = 3
    host.runner.live.clear()
    gc.collect()
    before = sum(isinstance(o, Continuation) for o in gc.get_objects())
    held = []
    replace_all = host.store.replace_all

    def counting(flows, next_id):
        gc.collect()
        held.append(sum(isinstance(o, Continuation) for o in gc.get_objects()))
        return replace_all(flows, next_id)

    monkeypatch.setattr(host.store, "replace_all", counting)
    host.import_(exported, force=True)
    # all eight were replayed; five were let go at once (a kept flow's state is one or
    # two Continuation objects: eight kept would be 15 more)
    assert held and held[0] - before <= 2 * 3
