"""Line charts of an indicator's benchmarks against its actual values, drawn as SVG on the server.

The chart is an image to assistive technology (role="img" with a title and a description
that lists every value), and the page shows the same numbers in a table. Benchmarks and
actual values differ by line style (dashed and solid) and marker shape (square and
circle) as well as by colour, and every point carries its value as text.
"""

from markupsafe import Markup, escape

from portal.monitoring.worksheet import format_measure

WIDTH = 560
HEIGHT = 240
LEFT, RIGHT, TOP, BOTTOM = 56, 64, 20, 56
BENCHMARK_COLOUR = "#5c5c5c"  # USWDS base-dark
ACTUAL_COLOUR = "#005ea2"  # USWDS primary


def format_value(value, unit):
    """Format a value for a chart or its table, to one decimal, or "none"."""
    return format_measure(value, unit, places=1, missing="none")


def scale(values):
    """Return (low, high) for the y axis: zero or a little below the least value, and a little above the greatest."""
    low, high = min(values), max(values)
    if low == high:
        high = low + 1
    padding = (high - low) * 0.15
    low = 0 if low - padding < 0 or low <= (high - low) else low - padding
    return low, high + padding


def describe(indicator, points):
    parts = []
    for label, target, actual in points:
        parts.append(f"{label}: benchmark {format_value(target, indicator.unit)}, actual {format_value(actual, indicator.unit)}")
    return "; ".join(parts) + "."


def indicator_chart(indicator, row, chart_id):
    """Return the SVG for one indicator's row of progress (cells in period order) as Markup."""
    points = [
        (cell.period.label, cell.benchmark.target if cell.benchmark else None, cell.actual)
        for cell in row.cells
    ]
    values = [value for _label, target, actual in points for value in (target, actual) if value is not None]
    title = f"{indicator.name}: benchmark and actual by period"
    description = describe(indicator, points) if values else "No benchmarks or actual values yet."
    pieces = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="review-chart" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-labelledby="{chart_id}-title {chart_id}-desc">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]
    plot_width = WIDTH - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    count = len(points)
    step = plot_width / max(count - 1, 1)

    def x_of(index):
        return LEFT + (index * step if count > 1 else plot_width / 2)

    low, high = scale(values) if values else (0, 1)

    def y_of(value):
        return TOP + plot_height - (value - low) / (high - low) * plot_height

    # Axes and the y-axis range.
    pieces.append(f'<line x1="{LEFT}" y1="{TOP + plot_height}" x2="{WIDTH - RIGHT}" y2="{TOP + plot_height}" stroke="#1b1b1b"/>')
    pieces.append(f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_height}" stroke="#1b1b1b"/>')
    for value in (low, high):
        pieces.append(
            f'<text x="{LEFT - 6}" y="{y_of(value) + 4:.1f}" text-anchor="end" font-size="12" fill="#1b1b1b">'
            f"{escape(format_value(value, indicator.unit))}</text>"
        )
    for index, (label, _target, _actual) in enumerate(points):
        pieces.append(
            f'<text x="{x_of(index):.1f}" y="{TOP + plot_height + 18}" text-anchor="middle" font-size="12" fill="#1b1b1b">'
            f"{escape(short_label(label))}</text>"
        )

    series = (
        (1, BENCHMARK_COLOUR, 'stroke-dasharray="6 4"', "square"),
        (2, ACTUAL_COLOUR, "", "circle"),
    )
    for position, colour, dash, marker in series:
        coordinates = [(x_of(i), y_of(point[position])) for i, point in enumerate(points) if point[position] is not None]
        if len(coordinates) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coordinates)
            pieces.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2" {dash}/>')
        for i, point in enumerate(points):
            if point[position] is None:
                continue
            x, y = x_of(i), y_of(point[position])
            if marker == "square":
                pieces.append(f'<rect x="{x - 5:.1f}" y="{y - 5:.1f}" width="10" height="10" fill="#ffffff" stroke="{colour}" stroke-width="2"/>')
            else:
                pieces.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="5" fill="{colour}"/>')
            pieces.append(
                f'<text x="{x + 8:.1f}" y="{y + label_offset(point, position):.1f}" font-size="12" fill="{colour}">'
                f"{escape(format_value(point[position], indicator.unit))}</text>"
            )

    # Legend: line style and marker shape name each series, not colour alone.
    legend_y = HEIGHT - 12
    pieces.append(f'<line x1="{LEFT}" y1="{legend_y}" x2="{LEFT + 30}" y2="{legend_y}" stroke="{BENCHMARK_COLOUR}" stroke-width="2" stroke-dasharray="6 4"/>')
    pieces.append(f'<rect x="{LEFT + 10}" y="{legend_y - 5}" width="10" height="10" fill="#ffffff" stroke="{BENCHMARK_COLOUR}" stroke-width="2"/>')
    pieces.append(f'<text x="{LEFT + 36}" y="{legend_y + 4}" font-size="12" fill="#1b1b1b">Benchmark (dashed, squares)</text>')
    pieces.append(f'<line x1="{LEFT + 230}" y1="{legend_y}" x2="{LEFT + 260}" y2="{legend_y}" stroke="{ACTUAL_COLOUR}" stroke-width="2"/>')
    pieces.append(f'<circle cx="{LEFT + 245}" cy="{legend_y}" r="5" fill="{ACTUAL_COLOUR}"/>')
    pieces.append(f'<text x="{LEFT + 266}" y="{legend_y + 4}" font-size="12" fill="#1b1b1b">Actual (solid, circles)</text>')
    pieces.append("</svg>")
    return Markup("".join(pieces))


def label_offset(point, position):
    """Return the y offset of a value's label: above its marker, or below it for the lower of two values."""
    _label, target, actual = point
    other = actual if position == 1 else target
    if other is not None and point[position] < other:
        return 18
    return -8


def short_label(label):
    """Return a period label without a trailing " benchmark", so axis labels fit."""
    return label.removesuffix(" benchmark")
