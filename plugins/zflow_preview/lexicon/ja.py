"""Japanese words (found inside the text: Japanese does not separate its words with spaces)."""

WORDS = {
    # places
    "路地裏": "alley", "路地": "alley", "裏通り": "alley", "通り": "street", "街角": "street", "街": "city",
    "都市": "city", "屋上": "rooftop", "駅": "station", "地下鉄": "subway", "カフェ": "cafe", "喫茶店": "cafe",
    "部屋": "room", "寝室": "bedroom", "居間": "room", "台所": "kitchen", "キッチン": "kitchen",
    "事務所": "office", "オフィス": "office", "教室": "classroom", "学校": "school", "図書館": "library",
    "本屋": "shop", "お店": "shop", "レストラン": "restaurant", "酒場": "bar", "パン屋": "bakery",
    "屋敷": "mansion", "洋館": "mansion", "応接間": "room parlor", "森": "forest", "林": "woods", "公園": "park",
    "庭園": "garden", "庭": "garden", "山": "mountain", "丘": "hill", "谷": "valley", "崖": "cliff",
    "海辺": "beach", "浜辺": "beach", "砂浜": "beach", "海": "sea", "湖": "lake", "川": "river", "港": "harbor",
    "プール": "pool", "草原": "meadow", "砂漠": "desert", "村": "town", "町": "town",
    # weather and time of day
    "雨": "rain", "雪": "snow", "霧": "fog", "嵐": "storm rain", "雷": "storm", "曇り": "cloudy", "晴れ": "sunny",
    "深夜": "midnight", "真夜中": "midnight", "夜明け": "dawn", "夜": "night", "朝": "morning", "昼": "noon",
    "午後": "afternoon", "夕方": "evening", "夕暮れ": "dusk", "夕焼け": "sunset", "日の出": "sunrise",
    # moods and seasons
    "暖かい": "warm", "温かい": "warm", "居心地": "cozy", "暗い": "dark", "寒い": "cold", "冬": "winter",
    "春": "spring", "秋": "autumn", "夏": "summer", "寂しい": "lonely", "明るい": "bright", "ネオン": "neon",
    "サイバーパンク": "cyberpunk",
    # styles and palettes
    "ノワール": "noir", "白黒": "monochrome", "モノクロ": "monochrome", "水彩": "watercolor", "油絵": "oil painting",
    "漫画": "manga", "マンガ": "manga", "スケッチ": "sketch", "鉛筆": "pencil", "パステル": "pastel",
    "アニメ": "anime", "レトロ": "retro", "セピア": "sepia", "くすんだ": "muted", "落ち着いた": "muted",
    "鮮やか": "vivid",
    # colours (and words that start with a colour's character but mean something else)
    "青年": "young man", "赤ちゃん": "baby", "白衣": "white coat", "黒髪": "black hair", "赤": "red", "黒": "black", "白": "white", "青": "blue", "紺": "navy", "黄色": "yellow", "緑": "green",
    "灰色": "grey", "グレー": "grey", "茶色": "brown", "金髪": "blonde hair", "銀髪": "silver hair",
    "ピンク": "pink", "紫": "purple", "オレンジ": "orange", "ベージュ": "beige",
    # species
    "猫": "cat", "ネコ": "cat", "ねこ": "cat", "犬": "dog", "イヌ": "dog", "いぬ": "dog", "ロボット": "robot",
    "アンドロイド": "robot", "ウサギ": "rabbit", "うさぎ": "rabbit", "兎": "rabbit", "熊": "bear", "クマ": "bear",
    "狐": "fox", "キツネ": "fox", "鳥": "bird", "ペンギン": "penguin",
    # clothes, hair, glasses
    "トレンチコート": "trench coat", "コート": "coat", "ジャケット": "jacket", "ドレス": "dress",
    "ワンピース": "dress", "エプロン": "apron", "シャツ": "shirt", "パーカー": "hoodie", "制服": "uniform",
    "スーツ": "suit", "マフラー": "scarf", "セーター": "sweater", "帽子": "hat", "スカート": "skirt",
    "ズボン": "trousers", "マント": "cloak", "着物": "kimono", "髪": "hair", "ポニーテール": "ponytail",
    "眼鏡": "glasses", "メガネ": "glasses",
}
