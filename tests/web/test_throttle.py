"""The login throttle: per address (IPv6 by /64) and per (address, name), never per account."""

from __future__ import annotations

from datetime import datetime, timedelta

from loa.web.throttle import ADDRESS_LIMIT, PAIR_LIMIT, LoginThrottle, address_key

NOW = datetime(2026, 11, 22, 9, 0)


def test_one_address_trying_many_names_is_slowed_others_are_not() -> None:
    throttle = LoginThrottle()
    for n in range(ADDRESS_LIMIT):
        assert throttle.wait("203.0.113.9", f"ten{n}", NOW) == 0
        throttle.failed("203.0.113.9", f"ten{n}", NOW)
    assert throttle.wait("203.0.113.9", "lan", NOW) == 601  # any name: the address waits
    assert throttle.wait("203.0.113.10", "lan", NOW) == 0  # the real user elsewhere does not
    assert throttle.wait("203.0.113.9", "lan", NOW + timedelta(minutes=10)) == 0


def test_one_name_from_one_address_waits_a_minute_and_a_success_clears_it() -> None:
    throttle = LoginThrottle()
    for _ in range(PAIR_LIMIT):
        throttle.failed("198.51.100.4", "hung", NOW)
    assert throttle.wait("198.51.100.4", "hung", NOW) == 61
    assert throttle.wait("198.51.100.4", "mai", NOW) == 0
    assert throttle.wait("198.51.100.4", "hung", NOW + timedelta(seconds=61)) == 0
    throttle.succeeded("198.51.100.4", "hung")
    assert throttle.wait("198.51.100.4", "hung", NOW) == 0


def test_an_ipv6_household_counts_as_one_address() -> None:
    assert address_key("2001:db8:1:2::5") == address_key("2001:db8:1:2:ffff::1")
    assert address_key("2001:db8:1:3::5") != address_key("2001:db8:1:2::5")
    assert address_key("::ffff:192.0.2.7") == "192.0.2.7"
    throttle = LoginThrottle()
    for n in range(ADDRESS_LIMIT):
        throttle.failed(f"2001:db8:1:2::{n + 1:x}", f"ten{n}", NOW)
    assert throttle.wait("2001:db8:1:2::abcd", "lan", NOW) > 0
