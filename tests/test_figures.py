import numpy as np
import pytest

from translocal.figures import class_labels, classify


def test_zero_has_its_own_class_and_intervals_include_their_upper_bound():
    breaks = [0, 1, 2.5, 5, 10, 20]
    values = np.array([0, 0.5, 1, 1.01, 2.5, 20, 21, np.nan])
    assert classify(values, breaks).tolist() == [0, 1, 1, 2, 2, 5, 6, -1]
    assert class_labels(breaks) == ["0", "> 0 to 1", "> 1 to 2.5", "> 2.5 to 5", "> 5 to 10", "> 10 to 20", "> 20"]


@pytest.mark.parametrize("breaks", [[1, 2], [0, 2, 1]])
def test_breaks_must_start_at_zero_and_increase(breaks):
    with pytest.raises(ValueError, match="class breaks"):
        classify(np.array([1.0]), breaks)


def test_negative_values_are_refused():
    with pytest.raises(ValueError, match="at least 0"):
        classify(np.array([-1.0]), [0, 1])


def test_synthetic_figures_are_marked_and_real_ones_not():
    import matplotlib.pyplot as plt

    from translocal.figures import SYNTHETIC_LABEL, mark_synthetic

    fig = plt.figure()
    mark_synthetic(fig, "synthetic")
    assert {t.get_text() for t in fig.texts} == {"SYNTHETIC DATA", SYNTHETIC_LABEL}
    real = plt.figure()
    mark_synthetic(real, "real")
    assert real.texts == []
    with pytest.raises(ValueError):
        mark_synthetic(real, "fake")


def test_categorical_choropleth_refuses_values_without_a_colour():
    import geopandas as gpd
    import matplotlib.pyplot as plt
    from shapely.geometry import box

    from translocal import figures

    gdf = gpd.GeoDataFrame({"c": ["a", "b", None]}, geometry=[box(0, 0, 1, 1), box(1, 0, 2, 1), box(2, 0, 3, 1)])
    fig, ax = plt.subplots()
    handles = figures.categorical_choropleth(
        ax, gdf, "c", {"a": ("red", "A"), "b": ("blue", "B"), "<NA>": ("grey", "?")}
    )
    assert [h.get_label() for h in handles] == ["A", "B", "?"]
    assert len(ax.collections) == 3
    with pytest.raises(ValueError, match="values without a colour: \\['b'\\]"):
        figures.categorical_choropleth(ax, gdf, "c", {"a": ("red", "A"), "<NA>": ("grey", "?")})
    plt.close(fig)


def test_prefecture_outlines_by_coverage_union_equal_the_general_union():
    """``prefecture_borders`` relies on the municipalities tiling the land (a coverage union is
    wrong for overlapping polygons); on the frame it must give the general union's outlines."""
    import geopandas as gpd
    import pytest

    from translocal import frame
    from translocal.base import paths

    if not paths.MUNICIPALITIES.exists():
        pytest.skip("the frame is not built (run make)")
    data = gpd.read_file(paths.MUNICIPALITIES, layer="municipalities", columns=["prefecture"]).to_crs(frame.MAP_CRS)
    fast = data.dissolve("prefecture", method="coverage")
    slow = data.dissolve("prefecture", method="unary")
    assert list(fast.index) == list(slow.index)
    assert max(a.symmetric_difference(b).area for a, b in zip(fast.geometry, slow.geometry)) < 1.0  # m², projected
