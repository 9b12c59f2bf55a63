"""Issue 16, Money: one checked amount type at every public entry, wrong-currency charges
kept as what they are, the envelope's return URL escaping the order id.

Each finding of the issue is a row: the value the attacker sent, and what must happen now
(a CommerceError naming the field and the right range; nothing recorded)."""

from __future__ import annotations

import json
from decimal import Decimal
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import CliRunner

from commerce.cli import main as commerce_main
from commerce.cli.amounts import amount_error
from commerce.errors import CommerceError, EventFormatError, InvalidMoneyError
from commerce.ledger.events import (
    PaymentRecorded,
    RefundRequested,
    RefundSettled,
    WrongCurrencyPayment,
    event_from_json,
)
from commerce.ledger.recon import WRONG_CURRENCY_CHARGE
from commerce.money import MAX_AMOUNT, require_amount, require_delta, require_money
from commerce.orders.orders import SETTLED, WRONG_CURRENCY
from commerce.orders.payment import return_url_for
from commerce.web.events import MalformedEventError, parse_event
from commerce.web.providers import SumUpProvider, WebhookRejected, minor_units
from commerce.web.views import request_refund

from .orders_fixtures import begun, engine

HUGE = 10**5000  # str() of it raises ValueError: messages must not print it
BAD_AMOUNTS = [
    pytest.param(value, message, id=name)
    for name, value, message in [
        ("str", "5", "got str '5'"),
        ("none", None, "got None"),
        ("float", 5.0, "got float 5.0"),
        ("bool", True, "got bool True"),
        ("decimal", Decimal("5"), "got Decimal"),
        ("zero", 0, "must be > 0"),
        ("negative", -1, "must be > 0"),
        ("2^63", 2**63, f"at most {MAX_AMOUNT}"),
        ("10^5000", HUGE, "an int of about 5001 digits"),
        ("-10^5000", -HUGE, "a negative int of about 5001 digits"),
    ]
]


@pytest.mark.parametrize(("value", "message"), BAD_AMOUNTS)
def test_require_amount_refuses_with_one_line_naming_the_field(value, message):
    with pytest.raises(InvalidMoneyError) as e:
        require_amount(value, "refund amount")
    text = str(e.value)
    assert text.startswith("refund amount must be ") and message in text
    assert "\n" not in text and len(text) < 200


@pytest.mark.parametrize("value", [1, 6550, MAX_AMOUNT])
def test_require_amount_takes_ints_in_range(value):
    assert require_amount(value, "amount") == value


@pytest.mark.parametrize(
    ("check", "value"),
    [
        (require_money, 2**63),
        pytest.param(require_money, HUGE, id="money-huge"),
        (require_delta, -(2**63)),
        pytest.param(require_delta, HUGE, id="delta-huge"),
    ],
)
def test_the_other_money_checks_have_the_same_range(check, value):
    with pytest.raises(InvalidMoneyError, match="at most|from"):
        check(value, "total")


@pytest.mark.parametrize(("value", "message"), BAD_AMOUNTS)
def test_settle_refuses_a_bad_amount_and_records_nothing(value, message):
    e = engine()
    _, q = begun(e, "o-1")
    before = e.ledger.version("o-1")
    with pytest.raises(InvalidMoneyError, match="payment amount must be"):
        e.orders.settle("o-1", "pay_1", value)
    assert e.ledger.version("o-1") == before
    assert e.orders.waiting_on("o-1") == "payment"
    assert e.orders.summary("o-1").recon == "unpaid"  # 2^63 is not "overpaid"


@pytest.mark.parametrize(("value", "message"), BAD_AMOUNTS)
def test_refund_request_refuses_a_bad_amount_as_a_commerce_error(value, message):
    e = engine()
    _, q = begun(e, "o-1")
    e.orders.settle("o-1", "pay_1", q.total)
    before = e.ledger.version("o-1")
    with pytest.raises(InvalidMoneyError) as err:  # not TypeError / ValueError
        e.refunds.request("o-1", "r-1", value)
    assert str(err.value).startswith("refund amount must be ") and message in str(err.value)
    assert e.ledger.version("o-1") == before
    assert e.refunds.host.store.get_by_key("refund:o-1:r-1") is None


@pytest.mark.parametrize("call", ["approve", "reject", "settle"])
@pytest.mark.parametrize("bad", [None, 5, ""])
def test_refund_steps_refuse_bad_ids_as_commerce_errors(call, bad):
    e = engine()
    with pytest.raises(CommerceError, match="must be a non-empty string"):
        getattr(e.refunds, call)("o-1", bad)


@pytest.mark.parametrize(
    "make",
    [
        lambda a: PaymentRecorded(at=1, ref="p", amount=a),
        lambda a: RefundRequested(at=1, refund="r", amount=a),
        lambda a: RefundSettled(at=1, refund="r", amount=a),
        lambda a: WrongCurrencyPayment(at=1, ref="p", amount=a, currency="EUR"),
    ],
)
@pytest.mark.parametrize(("value", "message"), BAD_AMOUNTS)
def test_ledger_events_take_the_same_amounts(make, value, message):
    with pytest.raises(InvalidMoneyError) as e:
        make(value)
    assert message in str(e.value)


def test_a_stored_amount_past_2_63_is_a_format_error():
    data = {"type": "payment-recorded", "at": 1, "ref": "p", "amount": 2**63}
    with pytest.raises(EventFormatError, match="at most"):
        event_from_json(data)


def _body(amount: object) -> bytes:
    data = {"order": "o-1", "ref": "pay_1", "amount": amount, "currency": "GBP"}
    return json.dumps({"id": "evt_1", "type": "payment.succeeded", "data": data}).encode()


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (2**63, "at most"),
        (10**30, "at most"),
        ("5", "got str '5'"),
        (None, "got None"),
        (5.5, "got float 5.5"),
        (True, "got bool True"),
        (0, "must be > 0"),
    ],
)
def test_a_signed_webhook_amount_out_of_range_is_malformed(amount, message):
    with pytest.raises(MalformedEventError) as e:
        parse_event(_body(amount))
    assert str(e.value).startswith("data.amount must be ") and message in str(e.value)


def test_a_signed_webhook_with_a_5000_digit_amount_is_refused_as_one_error():
    body = b'{"id":"e","type":"payment.succeeded","data":{"amount":' + b"9" * 5000 + b"}}"
    with pytest.raises(MalformedEventError):
        parse_event(body)


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (12.5, 1250),
        ("65.50", 6550),
        (1, 100),
        (1e30, "at most"),
        (float("nan"), "not a money amount"),
        (float("inf"), "not a money amount"),
        ("1e999999999", "not a number"),
        pytest.param(HUGE, "about 5003 digits", id="10^5000"),
        (True, "not a number"),
        (None, "not a number"),
        ([], "not a number"),
        (0.001, "not a money amount"),
        (0, "must be > 0"),
    ],
)
def test_sumup_major_units_become_checked_minor_units(amount, expected):
    if isinstance(expected, int):
        assert minor_units(amount, "checkout c") == expected
        return
    with pytest.raises(WebhookRejected) as e:
        minor_units(amount, "checkout c")
    assert e.value.status == 502 and expected in str(e.value)


def test_sumup_checkout_past_2_63_is_refused_not_recorded_as_overpaid():
    doc = {
        "status": "PAID",
        "checkout_reference": "o-1",
        "currency": "GBP",
        "amount": 2**63 / 100 * 10,
    }
    with pytest.raises(WebhookRejected, match="at most"):
        SumUpProvider._event("c1", doc)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("6550", None),
        (str(MAX_AMOUNT), None),
        (str(2**63), "must be at most"),
        pytest.param("9" * 5000, "(5000 characters)", id="5000-nines"),
        ("1e999999999", "whole number"),
        ("1e30", "whole number"),
        ("nan", "whole number"),
        ("65.50", "6550, not 65.50"),
        ("0", "more than 0"),
    ],
)
def test_cli_amounts_have_the_same_range(text, problem):
    found = amount_error(text)
    assert (found is None) if problem is None else (problem in found)


@pytest.mark.parametrize(
    "amount", [str(2**63), "9" * 5000, "1e999999999"], ids=["2^63", "5000-nines", "1e999999999"]
)
def test_cli_settle_refuses_a_huge_amount_in_one_line(tmp_path, amount):
    db = tmp_path / "shop.db"
    e = engine(db)
    begun(e, "o-1")
    e.close()
    r = CliRunner().invoke(commerce_main, ["orders", "settle", "o-1", "pay_1", amount, "--db", db])
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output and "Invalid value for 'AMOUNT'" in r.stderr
    e = engine(db)
    assert e.orders.summary("o-1").paid == 0
    e.close()


def test_a_wrong_currency_charge_is_kept_as_what_it_is_and_never_fulfils():
    e = engine()
    _, q = begun(e, "o-1")
    s = e.orders.settle("o-1", "pay_eur", q.total, currency="EUR")
    assert (s.outcome, s.recorded, s.summary.paid, s.summary.status) == (
        WRONG_CURRENCY,
        False,
        0,
        "reserved",
    )
    kept = [ev for ev in e.ledger.events("o-1") if isinstance(ev, WrongCurrencyPayment)]
    assert [(k.ref, k.amount, k.currency) for k in kept] == [("pay_eur", q.total, "EUR")]
    again = e.orders.settle("o-1", "pay_eur", q.total, currency="EUR")  # redelivered
    assert again.outcome == WRONG_CURRENCY and again.summary.version == s.summary.version
    assert e.orders.waiting_on("o-1") == "payment"
    found = e.needs_action()
    assert [(a.order, a.reason) for a in found] == [("o-1", WRONG_CURRENCY_CHARGE)]
    assert "pay_eur" in found[0].detail and "GBP" in found[0].detail
    # the order can still be paid properly, and the charge stays listed for a person
    assert e.orders.settle("o-1", "pay_gbp", q.total, currency="GBP").outcome == SETTLED
    assert e.orders.summary("o-1").status == "fulfilled"
    assert [a.reason for a in e.needs_action()] == [WRONG_CURRENCY_CHARGE]


def test_a_wrong_currency_redelivery_is_recorded_once():
    e = engine()
    _, q = begun(e, "o-1")
    for _ in range(3):
        e.orders.settle("o-1", "pay_eur", q.total, currency="EUR")
    kept = [ev for ev in e.ledger.events("o-1") if isinstance(ev, WrongCurrencyPayment)]
    assert len(kept) == 1


EVIL_IDS = [
    "x?next=https://evil.example/#",
    "x#frag",
    "../../admin",
    "a/b",
    "a b&c=d",
    "%2F",
    "x@evil.example",
    "é",
]


@pytest.mark.parametrize("order", EVIL_IDS)
def test_the_return_url_escapes_the_order_id(order):
    url = return_url_for("https://shop.example/orders/{order}/paid", order)
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc) == ("https", "shop.example")
    assert (parts.query, parts.fragment) == ("", "")
    segments = parts.path.split("/")
    assert segments[:3] == ["", "orders", segments[2]] and segments[3:] == ["paid"]
    assert unquote(segments[2]) == order


def test_the_envelope_of_an_order_with_a_hostile_id_has_no_live_query():
    e = engine()
    order = "x?next=https://evil.example/#"
    begun(e, order)
    env = e.orders.payment_request(order).to_json()
    parts = urlsplit(env["return_url"])
    assert parts.netloc == "shop.example" and (parts.query, parts.fragment) == ("", "")
    assert "evil.example" not in parts.netloc and env["order"] == order
    assert [p.return_url for p in e.orders.pending_payments()] == [env["return_url"]]


def test_a_query_template_keeps_the_id_inside_its_parameter():
    url = return_url_for("https://shop.example/paid?order={order}&v=1", "a&admin=1#x")
    parts = urlsplit(url)
    assert parts.fragment == "" and parts.query == "order=a%26admin%3D1%23x&v=1"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("9" * 5000, "(5000 characters)", id="5000-nines"),
        ("²", "positive whole number"),
        (str(2**63), "at most"),
        ("-5", "positive whole number"),
    ],
)
def test_the_console_refund_form_refuses_bad_amounts_in_one_line(text, message):
    e = engine()
    _, q = begun(e, "o-1")
    e.orders.settle("o-1", "pay_1", q.total)
    before = e.ledger.version("o-1")
    with pytest.raises(CommerceError) as err:
        request_refund(e, None, "o-1", None, {"refund": "r-1", "amount": text})
    assert message in str(err.value) and len(str(err.value)) < 200
    assert e.ledger.version("o-1") == before


@pytest.mark.parametrize("currency", [5, "", b"GBP"])
def test_settle_refuses_a_currency_that_is_not_a_code(currency):
    e = engine()
    _, q = begun(e, "o-1")
    before = e.ledger.version("o-1")
    with pytest.raises(CommerceError, match="payment currency must be a non-empty string"):
        e.orders.settle("o-1", "pay_1", q.total, currency=currency)
    assert e.ledger.version("o-1") == before
