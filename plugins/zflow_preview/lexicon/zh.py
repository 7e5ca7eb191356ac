"""Chinese words, simplified script (found inside the text: Chinese does not separate its words with spaces)."""

WORDS = {
    # single characters Chinese shares with Japanese
    "猫": "cat", "熊": "bear", "雨": "rain", "雪": "snow", "夜": "night", "深夜": "midnight", "湖": "lake",
    "山": "mountain", "海": "sea", "白": "white", "灰色": "grey", "黄色": "yellow", "水彩": "watercolor",
    "漫画": "comic", "帽子": "hat", "制服": "uniform",
    # places
    "小巷": "alley", "胡同": "alley", "巷子": "alley", "街道": "street", "街头": "street", "城市": "city",
    "屋顶": "rooftop", "车站": "station", "地铁": "subway", "咖啡馆": "cafe", "咖啡店": "cafe", "房间": "room",
    "卧室": "bedroom", "客厅": "room", "厨房": "kitchen", "办公室": "office", "教室": "classroom",
    "学校": "school", "图书馆": "library", "商店": "shop", "书店": "shop", "餐厅": "restaurant", "酒吧": "bar",
    "面包店": "bakery", "豪宅": "mansion", "宅邸": "mansion", "森林": "forest", "树林": "woods", "公园": "park",
    "花园": "garden", "树": "tree", "山丘": "hill", "山谷": "valley", "悬崖": "cliff", "大海": "sea",
    "海边": "beach", "海滩": "beach", "河": "river", "港口": "harbor", "游泳池": "pool", "沙漠": "desert",
    "村庄": "town", "小镇": "town",
    # weather and time of day
    "下雨": "rain", "下雪": "snow", "雾": "fog", "暴风雨": "storm rain", "阴天": "cloudy", "晴天": "sunny",
    "夜晚": "night", "晚上": "night", "午夜": "midnight", "黎明": "dawn", "清晨": "morning", "早晨": "morning",
    "中午": "noon", "下午": "afternoon", "傍晚": "evening", "黄昏": "dusk", "日落": "sunset", "日出": "sunrise",
    # moods and seasons
    "温暖": "warm", "温馨": "cozy", "黑暗": "dark", "阴暗": "dark", "寒冷": "cold", "冬天": "winter",
    "春天": "spring", "秋天": "autumn", "夏天": "summer", "孤独": "lonely", "明亮": "bright", "霓虹": "neon",
    "赛博朋克": "cyberpunk",
    # styles and palettes
    "黑色电影": "noir", "黑白": "monochrome", "油画": "oil painting", "素描": "sketch", "铅笔": "pencil",
    "粉彩": "pastel", "动漫": "anime", "复古": "retro", "怀旧": "vintage", "柔和": "muted", "低饱和": "muted",
    "鲜艳": "vivid",
    # colours (and words that start with a colour's character but mean something else)
    "青年": "young man", "网红": "influencer", "红色": "red", "红": "red", "黑色": "black", "黑": "black", "白色": "white", "蓝色": "blue", "蓝": "blue",
    "藏青": "navy", "绿色": "green", "绿": "green", "灰": "grey", "棕色": "brown", "褐色": "brown",
    "金发": "blonde hair", "银发": "silver hair", "粉色": "pink", "粉红": "pink", "紫色": "purple",
    "橙色": "orange", "米色": "beige",
    # species
    "小猫": "cat", "猫咪": "cat", "狗": "dog", "小狗": "dog", "机器人": "robot", "兔子": "rabbit", "狐狸": "fox",
    "鸟": "bird", "企鹅": "penguin",
    # clothes, hair, glasses
    "风衣": "trench coat", "大衣": "coat", "外套": "jacket", "夹克": "jacket", "连衣裙": "dress", "裙子": "skirt",
    "围裙": "apron", "衬衫": "shirt", "卫衣": "hoodie", "校服": "uniform", "西装": "suit", "围巾": "scarf",
    "毛衣": "sweater", "裤子": "trousers", "斗篷": "cloak", "头发": "hair", "短发": "short hair",
    "长发": "long hair", "马尾": "ponytail", "眼镜": "glasses",
}
