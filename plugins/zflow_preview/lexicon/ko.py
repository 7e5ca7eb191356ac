"""Korean words (found inside words, so particles such as 에서 or 를 may follow them)."""

WORDS = {
    # places
    "골목": "alley", "뒷골목": "alley", "거리": "street", "도시": "city", "시내": "downtown", "옥상": "rooftop",
    "지하철역": "subway station", "지하철": "subway", "기차역": "station", "정류장": "station", "빌딩": "building",
    "카페": "cafe", "커피숍": "cafe", "찻집": "cafe", "방 안": "room", "침실": "bedroom", "거실": "room",
    "응접실": "room parlor", "부엌": "kitchen", "주방": "kitchen", "사무실": "office", "교실": "classroom",
    "학교": "school", "도서관": "library", "서점": "shop", "가게": "shop", "상점": "shop", "식당": "restaurant",
    "술집": "bar", "빵집": "bakery", "저택": "mansion", "아파트": "apartment", "실내": "indoor", "숲": "forest",
    "공원": "park", "정원": "garden", "나무": "tree", "산속": "mountain", "산길": "mountain", "산꼭대기": "mountain",
    "언덕": "hill", "계곡": "valley", "절벽": "cliff", "바다": "sea", "해변": "beach", "바닷가": "beach",
    "호수": "lake", "강가": "river", "강변": "river", "항구": "harbor", "수영장": "pool", "들판": "meadow",
    "초원": "meadow", "사막": "desert", "마을": "town", "시골": "countryside",
    # weather and time of day
    "비가": "rain", "비 내리": "rain", "비 오": "rain", "비오": "rain", "빗속": "rain", "빗줄기": "rain",
    "빗방울": "rain", "소나기": "rain", "폭우": "rain", "장맛비": "rain", "우산": "umbrella", "눈이 내리": "snow",
    "눈 내리": "snow", "눈 오": "snow", "눈보라": "snow", "눈밭": "snow", "설원": "snow", "안개": "fog",
    "폭풍": "storm rain", "천둥": "storm", "번개": "storm", "흐린": "cloudy", "맑은": "sunny", "밤": "night",
    "한밤중": "midnight", "심야": "night", "야경": "night", "새벽": "dawn", "아침": "morning", "한낮": "noon",
    "대낮": "noon", "오후": "afternoon", "저녁": "evening", "해질녘": "dusk", "노을": "sunset", "석양": "sunset",
    "일출": "sunrise",
    # moods and seasons
    "따뜻한": "warm", "아늑한": "cozy", "어두운": "dark", "차가운": "cold", "추운": "cold", "겨울": "winter",
    "봄": "spring", "가을": "autumn", "여름": "summer", "쓸쓸한": "lonely", "슬픈": "sad", "밝은": "bright",
    "우울한": "gloomy", "신비로운": "mysterious", "네온": "neon", "사이버펑크": "cyberpunk",
    # styles and palettes
    "누아르": "noir", "느와르": "noir", "흑백": "monochrome", "수채화": "watercolor", "유화": "oil painting",
    "만화": "comic", "웹툰": "comic", "스케치": "sketch", "연필": "pencil", "파스텔": "pastel", "애니": "anime",
    "빈티지": "vintage", "세피아": "sepia", "차분한": "muted", "탁한": "muted", "선명한": "vivid",
    # colours
    "빨간": "red", "빨강": "red", "붉은": "red", "검은": "black", "검정": "black", "까만": "black",
    "하얀": "white", "흰": "white", "하양": "white", "파란": "blue", "파랑": "blue", "푸른": "blue",
    "남색": "navy", "노란": "yellow", "노랑": "yellow", "초록": "green", "녹색": "green", "회색": "grey",
    "잿빛": "grey", "갈색": "brown", "금발": "blonde hair", "은발": "silver hair", "분홍": "pink", "핑크": "pink",
    "보라": "purple", "주황": "orange", "베이지": "beige", "청록": "teal",
    # species
    "고양이": "cat", "냥이": "cat", "강아지": "dog", "멍멍이": "dog", "로봇": "robot", "안드로이드": "robot",
    "토끼": "rabbit", "곰": "bear", "여우": "fox", "펭귄": "penguin", "쥐": "mouse", "사람": "person",
    # clothes, hair, glasses
    "트렌치코트": "trench coat", "코트": "coat", "재킷": "jacket", "자켓": "jacket", "원피스": "dress",
    "드레스": "dress", "앞치마": "apron", "셔츠": "shirt", "후드티": "hoodie", "교복": "uniform", "제복": "uniform",
    "정장": "suit", "목도리": "scarf", "스카프": "scarf", "스웨터": "sweater", "모자": "hat", "치마": "skirt",
    "바지": "trousers", "청바지": "jeans", "망토": "cloak", "한복": "hanbok", "머리": "hair", "단발": "short bob",
    "긴 머리": "long hair", "장발": "long hair", "포니테일": "ponytail", "안경": "glasses",
}
