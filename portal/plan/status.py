"""Whether each leading indicator is on track in each monitoring period.

An indicator is on track in a period when its actual value meets the benchmark in force:
at or above it for an indicator that should increase, at or below it for one that should
decrease, once the period's window has ended. Before then the period is "not due", and
after it without an actual value "no data yet".
"""

import dataclasses
import datetime
import zoneinfo

from portal.plan.models import Benchmark, CheckIn, LeadingIndicator, MonitoringPeriod, Reflection

ON_TRACK = "on_track"
OFF_TRACK = "off_track"
NO_DATA = "no_data"
NOT_DUE = "not_due"

# Values are compared after rounding, so an actual of 83.0 meets a benchmark stored as 82.99999999.
PRECISION = 6


def benchmark_status(direction, target, actual, due):
    """Return the status of one indicator in one period.

    Before the period's window ends the status is "not due" even with an actual value,
    because a figure entered mid-period is interim and should not change what families
    and the board read.
    """
    if not due:
        return NOT_DUE
    if actual is None or target is None:
        return NO_DATA
    actual, target = round(actual, PRECISION), round(target, PRECISION)
    if direction == "decrease":
        return ON_TRACK if actual <= target else OFF_TRACK
    return ON_TRACK if actual >= target else OFF_TRACK


def rolled_up_status(statuses_by_indicator):
    """Combine indicators' statuses (each a list in period order) into one status.

    Each indicator counts with its latest assessed period; one indicator off track makes
    the whole off track.
    """
    latest = []
    for statuses in statuses_by_indicator:
        assessed = [status for status in statuses if status in (ON_TRACK, OFF_TRACK)]
        if assessed:
            latest.append(assessed[-1])
        elif NO_DATA in statuses:
            latest.append(NO_DATA)
        else:
            latest.append(NOT_DUE)
    for status in (OFF_TRACK, ON_TRACK, NO_DATA):
        if status in latest:
            return status
    return NOT_DUE


def local_date(moment, time_zone):
    """Return the date in time_zone of a naive UTC moment, as stored in the database."""
    return moment.replace(tzinfo=datetime.timezone.utc).astimezone(zoneinfo.ZoneInfo(time_zone)).date()


def plan_today(plan):
    """Return today's date in the district's time zone."""
    return datetime.datetime.now(zoneinfo.ZoneInfo(plan.time_zone)).date()


@dataclasses.dataclass
class Cell:
    period: MonitoringPeriod
    benchmark: Benchmark | None
    replaced: list
    check_in: CheckIn | None
    reflection: Reflection | None
    status: str

    @property
    def actual(self):
        return self.check_in.actual if self.check_in else None


@dataclasses.dataclass
class IndicatorRow:
    indicator: LeadingIndicator
    cells: list

    @property
    def status(self):
        return rolled_up_status([[cell.status for cell in self.cells]])


@dataclasses.dataclass
class StrategyProgress:
    rows: list

    @property
    def status(self):
        return rolled_up_status([[cell.status for cell in row.cells] for row in self.rows])


def progress_for(plan, strategies, today=None):
    """Return {strategy id: StrategyProgress} with a fixed number of queries."""
    today = today or plan_today(plan)
    strategy_ids = [strategy.id for strategy in strategies]
    periods = list(MonitoringPeriod.select().where(MonitoringPeriod.plan == plan).order_by(MonitoringPeriod.position))
    indicators = list(
        LeadingIndicator.select()
        .where(LeadingIndicator.strategy.in_(strategy_ids))
        .order_by(LeadingIndicator.position)
    )
    indicator_ids = [indicator.id for indicator in indicators]
    benchmarks = {}
    for benchmark in Benchmark.select().where(Benchmark.indicator.in_(indicator_ids)).order_by(Benchmark.id):
        benchmarks.setdefault((benchmark.indicator_id, benchmark.period_id), []).append(benchmark)
    check_ins = {(c.indicator_id, c.period_id): c for c in CheckIn.select().where(CheckIn.indicator.in_(indicator_ids))}
    reflections = {
        (r.indicator_id, r.period_id): r for r in Reflection.select().where(Reflection.indicator.in_(indicator_ids))
    }

    progress = {strategy_id: StrategyProgress(rows=[]) for strategy_id in strategy_ids}
    for indicator in indicators:
        cells = []
        for period in periods:
            versions = benchmarks.get((indicator.id, period.id), [])
            in_force = next((b for b in versions if b.in_force), None)
            check_in = check_ins.get((indicator.id, period.id))
            status = benchmark_status(
                indicator.direction,
                in_force.target if in_force else None,
                check_in.actual if check_in else None,
                period.is_due(today),
            )
            cells.append(
                Cell(
                    period=period,
                    benchmark=in_force,
                    replaced=[b for b in versions if not b.in_force],
                    check_in=check_in,
                    reflection=reflections.get((indicator.id, period.id)),
                    status=status,
                )
            )
        progress[indicator.strategy_id].rows.append(IndicatorRow(indicator=indicator, cells=cells))
    return progress
