"""The preview's word lists, one module per language: each maps the words of a prompt to the English words the
drawing code knows (places, moods, weather, time of day, styles, palettes, species, colours, clothes)."""
