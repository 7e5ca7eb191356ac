"""English synonyms and phrases, mapped to the words the drawing code knows (other English words pass as they are)."""

WORDS = {
    # places
    "living room": "room", "drawing room": "room parlor", "subway station": "subway station", "manor": "mansion",
    "coffee shop": "cafe", "coffeehouse": "cafe", "backstreet": "alley", "lane": "alley", "plaza": "town",
    "woodland": "woods", "seaside": "beach", "shore": "beach", "metro": "subway", "underground": "subway",
    # weather and time of day
    "rainy": "rain", "raining": "rain", "drizzle": "rain", "downpour": "rain", "snowy": "snow",
    "snowing": "snow", "blizzard": "snow", "foggy": "fog", "misty": "fog", "mist": "fog", "haze": "fog",
    "hazy": "fog", "stormy": "storm rain", "thunderstorm": "storm rain", "thunder": "storm",
    "twilight": "dusk", "daybreak": "dawn", "nighttime": "night",
    # styles and palettes
    "film noir": "noir", "black and white": "monochrome", "b&w": "monochrome", "grayscale": "monochrome",
    "greyscale": "monochrome", "desaturated": "muted", "faded": "muted", "subdued": "muted",
    "vibrant": "vivid", "saturated": "vivid", "gray": "grey",
    # species
    "kitten": "cat", "kitty": "cat", "feline": "cat", "puppy": "dog", "hound": "dog", "canine": "dog",
    "android": "robot", "droid": "robot", "cyborg": "robot", "automaton": "robot", "bunny": "rabbit",
    "hare": "rabbit", "teddy": "bear",
}
