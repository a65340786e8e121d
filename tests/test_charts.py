"""Chart geometry (lindung/charts.py): coverage bars and 12-month lines are
computed in Python, so the templates only write SVG elements out."""
import datetime as dt

import pytest

from lindung.build.charts import bar, line_chart, nice_ceiling, number


def months(values):
    return tuple((dt.date(2026, m, 23), v) for m, v in enumerate(values, start=1))


def test_numbers_are_short_stable_svg_text():
    assert number(40.69) == "40.69"
    assert number(40.0) == "40"
    assert number(12.5) == "12.5"
    assert number(1 / 3) == "0.33"
    assert number(-0.0001) == "0"


def test_a_bar_fills_its_percentage_of_100_units():
    assert bar(40.69).isi == "40.69"
    assert not bar(40.69).lebih
    assert bar(0).isi == "0"


def test_a_bar_over_100_percent_is_full_and_says_so():
    over = bar(130.5)
    assert over.isi == "100" and over.lebih


def test_no_target_means_no_bar_not_an_empty_one():
    assert bar(None) is None


@pytest.mark.parametrize("value, top, step", [
    (0, 4, 1), (1, 4, 1), (3, 4, 1), (4, 4, 1), (5, 8, 2), (70, 80, 20), (81, 100, 25),
    (2878, 4000, 1000), (39057, 40000, 10000), (101, 200, 50),
])
def test_the_y_axis_ends_on_a_round_number_above_the_top(value, top, step):
    assert nice_ceiling(value) == (top, step)
    assert top >= value and top % step == 0


def test_a_line_runs_left_to_right_from_zero_up():
    chart = line_chart(months([0, 10, 20, 40]), width=360, height=170, left=40, right=12, top=10,
                       bottom_margin=26)
    assert chart.bottom == 144
    xs_ys = [tuple(map(float, p.split(","))) for p in chart.points.split()]
    assert [x for x, _ in xs_ys] == sorted(x for x, _ in xs_ys)
    assert xs_ys[0] == (40.0, 144.0)  # zero sits on the zero line
    assert xs_ys[-1] == (348.0, 10.0)  # the maximum touches the top: 40 is the axis' end
    assert chart.last == ("348", "10")
    assert (chart.first_value, chart.last_value, chart.max_value) == (0, 40, 40)


def test_gridlines_are_evenly_spaced_and_labelled_with_counts():
    chart = line_chart(months([3, 5, 70]))
    assert [t.value for t in chart.y_ticks] == [0, 20, 40, 60, 80]
    ys = [float(t.pos) for t in chart.y_ticks]
    gaps = {round(a - b, 2) for a, b in zip(ys, ys[1:])}
    assert len(gaps) == 1 and ys[0] == chart.bottom


def test_the_newest_month_is_always_labelled():
    series = months([1] * 12)
    chart = line_chart(series, x_every=3)
    assert [t.value for t in chart.x_ticks] == [series[i][0] for i in (2, 5, 8, 11)]
    assert chart.x_ticks[-1].pos == str(chart.right)


def test_the_area_closes_on_the_zero_line():
    chart = line_chart(months([2, 4]))
    assert chart.area.startswith(f"M{chart.left},{chart.bottom} L")
    assert chart.area.endswith(f" L{chart.right},{chart.bottom} Z")


def test_a_flat_line_of_zeros_stays_on_the_axis():
    chart = line_chart(months([0] * 12))
    assert {p.split(",")[1] for p in chart.points.split()} == {str(chart.bottom)}


def test_one_point_is_drawn_in_the_middle():
    chart = line_chart(months([5]))
    x, _ = chart.points.split(",")
    assert float(x) == chart.left + (chart.right - chart.left) / 2


def test_labels_sit_outside_the_plot():
    chart = line_chart(months([1, 2]))
    assert chart.y_label_x < chart.left and chart.x_label_y > chart.bottom


def test_same_series_same_geometry():
    assert line_chart(months([1, 5, 9])) == line_chart(months([1, 5, 9]))


def test_an_empty_series_is_refused():
    with pytest.raises(ValueError):
        line_chart(())
