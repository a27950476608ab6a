"""Bounded waits: every wait has a deadline and says what it waited for when it gives up."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from tenacity import RetryError, Retrying, retry_if_result, stop_after_delay, wait_fixed

T = TypeVar("T")


class WaitTimeout(TimeoutError):
    """A wait ran out; the message names what was awaited and what was seen last."""

    def __init__(self, what: str, timeout: float, last: str) -> None:
        super().__init__(f"gave up after {timeout:g}s waiting for {what}; last seen: {last}")
        self.what = what
        self.last = last


def wait_until(
    observe: Callable[[], T],
    until: Callable[[T], bool] = bool,
    *,
    timeout: float,
    interval: float,
    what: str,
    describe: Callable[[T], str] = repr,
) -> T:
    """Call ``observe`` every ``interval`` s until ``until(value)`` holds; return that value.

    Exceptions from ``observe`` propagate at once: a wait is for a state, not for errors.
    """
    retrying = Retrying(
        stop=stop_after_delay(timeout),
        wait=wait_fixed(interval),
        retry=retry_if_result(lambda value: not until(value)),
    )
    try:
        return retrying(observe)
    except RetryError as exc:
        last = exc.last_attempt.result()
        raise WaitTimeout(what, timeout, describe(last)) from None
