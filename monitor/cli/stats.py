"""``hate-monitor stats``: the figures for the force's returns (monitor.reporting.stats)."""

from __future__ import annotations

import click

from monitor.cli.context import obj_of, parse_day
from monitor.reporting import stats as stats_mod


@click.command("stats")
@click.option("--csv", "as_csv", is_flag=True, help="CSV for the force's returns.")
@click.option("--since", default=None, help="First day (UTC), e.g. 2026-11-01.")
@click.option("--until", default=None, help="Last day (UTC), inclusive.")
@click.pass_context
def stats_cmd(ctx: click.Context, as_csv: bool, since: str | None, until: str | None) -> None:
    """Counts by strand, platform, source, outcome and week; queue age."""
    lo, hi = parse_day(since, "--since"), parse_day(until, "--until")
    with obj_of(ctx).database().read() as session:
        st = stats_mod.compute(session, since=lo, until=hi)
    if as_csv:
        click.echo(stats_mod.to_csv(st), nl=False)
        return
    click.echo(f"items {st.items_total}, decisions {st.decisions_total}, cases {st.cases_total}"
               f" ({st.cases_cyber_enabled} cyber-enabled)")
    click.echo(f"open items {st.open_items}, oldest open age {st.oldest_open_age_hours} h, "
               f"median time to decision {st.median_hours_to_decision} h")
    for name, counts in st.sections().items():
        rows = stats_mod.ordered(counts, by_key=name.endswith("_week"))
        click.echo(f"{stats_mod.CHART_TITLES[name]}: "
                   + (", ".join(f"{k} {n}" for k, n in rows) or "none"))
