"""The preview's figure, its pose skeleton and its depth silhouette share one set of proportions: measured on drawn
pixels over several seeded layouts, the figure covers its silhouette, its head is where the skeleton's head is and
its feet where the skeleton's ankles are."""
from __future__ import annotations

import numpy as np
import pytest
from PIL import Image, ImageDraw

from zflow_preview.figure import draw_figure
from zflow_preview.layout import Layout, layout_for
from zflow_preview.looks import look_of
from zflow_preview.maps import depth_map
from zflow_preview.pose import KEYPOINTS, skeleton

SIZE = (256, 192)
#: Figure grey levels of the depth map start above the ground's nearest (150).
FIGURE_DEPTH = 170


def placements():
    for seed in (1, 7, 23):
        for index in range(3):
            layout = layout_for(seed, index, 3, SIZE[0] / SIZE[1])
            for place in layout.placements:
                yield Layout(layout.shot, layout.horizon, (place,), layout.subject), place


@pytest.mark.parametrize("looks", ["barista, green apron", "long red hair, round glasses"])
def test_a_drawn_figure_lines_up_with_its_silhouette_and_skeleton(looks):
    measured = 0
    for alone, place in placements():
        width, height = SIZE
        cx, feet, tall = place.x * width, place.feet * height, place.height * height
        canvas = Image.new("RGB", SIZE, (255, 255, 255))
        head = draw_figure(ImageDraw.Draw(canvas), look_of("mina", looks), cx, feet, tall, "front", place.facing)
        drawn = (np.asarray(canvas) != 255).any(axis=2)
        silhouette = np.asarray(depth_map(SIZE, alone))[..., 0] >= FIGURE_DEPTH
        overlap = (drawn & silhouette).sum() / (drawn | silhouette).sum()
        assert overlap > 0.85, f"figure and depth silhouette overlap {overlap:.2f} at {place}"
        points = dict(zip(KEYPOINTS, skeleton(cx, feet, tall)))
        ears = [points["right_ear"], points["left_ear"]]
        centre = ((head[0] + head[2]) / 2, (head[1] + head[3]) / 2)
        assert abs(centre[0] - (ears[0][0] + ears[1][0]) / 2) < 1e-6 and abs(centre[1] - ears[0][1]) < 1e-6
        assert abs((ears[1][0] - ears[0][0]) - (head[2] - head[0])) < 1e-6  # the ears on the head's sides
        rows = np.nonzero(drawn.any(axis=1))[0]
        assert abs(rows[-1] + 1 - feet) <= 1, f"drawn feet at {rows[-1] + 1}, placed at {feet:.1f}"
        for ankle in (points["right_ankle"], points["left_ankle"]):
            x, y = round(ankle[0]), round(ankle[1])
            assert drawn[y, x], f"ankle {ankle} off the drawn legs at {place}"
            assert 0 < feet - ankle[1] < 0.05 * tall  # within the shoe
        measured += 1
    assert measured >= 9
