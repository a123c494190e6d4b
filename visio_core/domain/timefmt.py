"""Times as users give and read them: Paris wall-clock in, UTC in the store."""

from __future__ import annotations

import math
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from visio_core.domain.errors import InvalidInput
from visio_core.domain.i18n import t

LOCAL_TZ = ZoneInfo("Europe/Paris")
# Calendar days a filter may name: wide enough for any meeting, narrow enough that converting
# them to UTC (and adding a day) never leaves datetime's range.
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(2999, 12, 31)


def local_to_utc(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=LOCAL_TZ).astimezone(UTC)


def day_range(start: date | None, end: date | None) -> tuple[datetime | None, datetime | None]:
    """[start of `start`, start of the day after `end`) in UTC, from Paris calendar days."""
    for day in (start, end):
        if day is not None and not FIRST_DAY <= day <= LAST_DAY:
            raise InvalidInput(t("error.bad_date", value=day.isoformat()))
    if start and end and start > end:
        raise InvalidInput(t("error.bad_date_range"))
    lower = local_to_utc(start, time.min) if start else None
    upper = local_to_utc(end + timedelta(days=1), time.min) if end else None
    return lower, upper


def parse_day(value: str | None) -> date | None:
    """A calendar day from a query parameter (YYYY-MM-DD), or InvalidInput."""
    if value is None or not str(value).strip():
        return None
    try:
        day = date.fromisoformat(str(value).strip())
    except ValueError:
        raise InvalidInput(t("error.bad_date", value=value)) from None
    if not FIRST_DAY <= day <= LAST_DAY:
        raise InvalidInput(t("error.bad_date", value=value))
    return day


def parse_offset(value: object) -> float:
    """A position in a recording, in seconds, from a query parameter; InvalidInput unless finite."""
    try:
        seconds = float(str(value).strip())
    except ValueError:
        raise InvalidInput(t("recordings.bad_offset")) from None
    if not math.isfinite(seconds):
        raise InvalidInput(t("recordings.bad_offset"))
    return max(0.0, seconds)


def show(value: datetime | None) -> str:
    if value is None:
        return t("common.none")
    return value.astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M")
