"""The studio's brand styles, written once and imported by every recipe."""
from zflow import Style

film = Style("warm-film", "35mm film photo, warm tones, soft window light, shallow depth of field",
             negative="blurry, extra fingers, watermark")
toon = Style("clean-toon", "clean webtoon line art, flat cel shading, pastel palette",
             negative="photo, noisy, watermark")
studio = Style("studio-white", "product photo on seamless white, softbox lighting, crisp shadows",
               negative="clutter, text, watermark")
neon = Style("neon-night", "night city, neon signs, rain reflections, cinematic teal and magenta",
             negative="daylight, text, watermark")
