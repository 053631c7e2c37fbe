"""The words synthetic records are made of: countries and their admin areas, place-name parts,
group and brand name parts (with their Arabic script and English meaning), publishers, and the
weighted vocabularies of incidents and claims.

Every name here is made up or generic; only country and first-level admin-area names are real (so
that the map and the filters look like real data). Weights are relative, not percentages.
"""

# fmt: off

# Countries: weight (share of incidents), name style, jitter (degrees around an admin area's
# centre), and first-level admin areas with approximate centres (latitude, longitude).
COUNTRIES = {
    "IQ": (22, "arabic", 0.35, [
        ("Baghdad", 33.31, 44.37), ("Anbar", 33.40, 42.00), ("Nineveh", 36.20, 43.00),
        ("Salah al-Din", 34.50, 43.70), ("Diyala", 33.90, 45.00), ("Kirkuk", 35.40, 44.30),
        ("Basra", 30.60, 47.50), ("Babil", 32.50, 44.50), ("Erbil", 36.20, 44.00),
        ("Dhi Qar", 31.00, 46.20),
    ]),
    "SY": (18, "arabic", 0.3, [
        ("Aleppo", 36.20, 37.30), ("Idlib", 35.80, 36.60), ("Deir ez-Zor", 35.20, 40.10),
        ("Raqqa", 35.90, 39.00), ("Hasakah", 36.50, 40.80), ("Homs", 34.70, 37.50),
        ("Hama", 35.10, 36.80), ("Damascus", 33.51, 36.29), ("Daraa", 32.70, 36.20),
        ("Latakia", 35.60, 35.95),
    ]),
    "YE": (10, "arabic", 0.3, [
        ("Sanaa", 15.40, 44.20), ("Aden", 12.90, 45.00), ("Marib", 15.50, 45.40),
        ("Hodeidah", 14.80, 43.10), ("Taiz", 13.60, 44.00), ("Shabwah", 14.60, 47.00),
        ("Hadramawt", 15.90, 48.80), ("Saada", 16.90, 43.80),
    ]),
    "AF": (9, "persian", 0.35, [
        ("Kabul", 34.50, 69.20), ("Kandahar", 31.60, 65.70), ("Helmand", 31.40, 64.30),
        ("Nangarhar", 34.30, 70.40), ("Kunduz", 36.70, 68.90), ("Herat", 34.30, 62.30),
        ("Ghazni", 33.50, 68.40), ("Paktia", 33.60, 69.40),
    ]),
    "SO": (7, "sahel", 0.3, [
        ("Banadir", 2.05, 45.30), ("Lower Shabelle", 1.90, 44.60),
        ("Middle Shabelle", 2.90, 45.60), ("Bay", 2.80, 43.60), ("Gedo", 3.30, 42.60),
        ("Hiran", 4.30, 45.40), ("Lower Juba", 0.40, 42.50),
    ]),
    "NG": (7, "sahel", 0.4, [
        ("Borno", 11.80, 13.10), ("Yobe", 12.30, 11.40), ("Adamawa", 9.30, 12.40),
        ("Kaduna", 10.50, 7.40), ("Zamfara", 12.10, 6.20), ("Katsina", 12.90, 7.60),
        ("Plateau", 9.20, 9.50),
    ]),
    "PK": (6, "persian", 0.35, [
        ("Khyber Pakhtunkhwa", 34.00, 71.50), ("Balochistan", 29.50, 66.50),
        ("Punjab", 31.20, 73.00), ("Sindh", 25.80, 68.60),
        ("Islamabad Capital Territory", 33.70, 73.05),
    ]),
    "ML": (5, "sahel", 0.5, [
        ("Gao", 16.30, 0.00), ("Timbuktu", 16.80, -3.00), ("Kidal", 18.40, 1.40),
        ("Mopti", 14.50, -4.20), ("Ségou", 13.40, -6.30), ("Ménaka", 15.90, 2.40),
    ]),
    "LB": (5, "arabic", 0.08, [
        ("South Lebanon", 33.27, 35.30), ("Nabatieh", 33.38, 35.48), ("Beqaa", 33.85, 35.95),
        ("Beirut", 33.89, 35.50), ("Mount Lebanon", 33.80, 35.62), ("North Lebanon", 34.40, 35.90),
    ]),
    "LY": (3, "arabic", 0.3, [
        ("Tripoli", 32.85, 13.20), ("Benghazi", 32.10, 20.10), ("Misrata", 32.30, 15.10),
        ("Sirte", 31.20, 16.60), ("Sabha", 27.00, 14.40), ("Derna", 32.70, 22.60),
    ]),
    "IL": (3, "hebrew", 0.07, [
        ("Northern District", 32.90, 35.40), ("Haifa District", 32.70, 35.05),
        ("Central District", 32.00, 34.90), ("Southern District", 31.00, 34.80),
        ("Jerusalem District", 31.78, 35.10), ("Tel Aviv District", 32.07, 34.80),
    ]),
    "IR": (2, "persian", 0.35, [
        ("Tehran", 35.70, 51.40), ("Khuzestan", 31.30, 48.70),
        ("Sistan and Baluchestan", 29.50, 60.80), ("Kurdistan", 35.30, 47.00),
        ("Kermanshah", 34.30, 46.90), ("West Azerbaijan", 37.50, 45.00),
    ]),
    "EG": (2, "arabic", 0.15, [
        ("North Sinai", 31.00, 33.80), ("South Sinai", 28.70, 33.90), ("Cairo", 30.05, 31.25),
        ("Giza", 29.95, 31.10), ("Alexandria", 31.20, 29.90), ("Ismailia", 30.60, 32.25),
    ]),
    "SA": (1.5, "arabic", 0.3, [
        ("Riyadh", 24.70, 46.70), ("Eastern Province", 26.30, 49.80), ("Jizan", 16.90, 42.60),
        ("Najran", 17.50, 44.20), ("Asir", 18.30, 42.70), ("Makkah", 21.40, 39.90),
    ]),
    "JO": (1, "arabic", 0.12, [
        ("Amman", 31.95, 35.95), ("Irbid", 32.55, 35.85), ("Zarqa", 32.07, 36.10),
        ("Mafraq", 32.34, 36.30), ("Aqaba", 29.60, 35.10), ("Ma'an", 30.20, 35.75),
    ]),
}

# Place names: a first and a second part, each (transliteration, Arabic script or "").
PLACE_PARTS = {
    "arabic": (
        [("Tal", "تل"), ("Ain", "عين"), ("Bir", "بئر"), ("Kafr", "كفر"), ("Deir", "دير"),
         ("Jabal", "جبل"), ("Wadi", "وادي"), ("Qasr", "قصر"), ("Khan", "خان"), ("Ras", "رأس"),
         ("Umm", "أم"), ("Abu", "أبو"), ("Suq", "سوق"), ("Nahr", "نهر")],
        [("al-Hamra", "الحمراء"), ("al-Zahra", "الزهراء"), ("al-Nur", "النور"),
         ("al-Salam", "السلام"), ("al-Kabir", "الكبير"), ("al-Shams", "الشمس"),
         ("al-Qamar", "القمر"), ("al-Nakhl", "النخل"), ("al-Zaytun", "الزيتون"),
         ("al-Rimal", "الرمال"), ("al-Milh", "الملح"), ("al-Hajar", "الحجر"),
         ("al-Dhahab", "الذهب"), ("al-Sabah", "الصباح"), ("al-Ward", "الورد"),
         ("al-Rumman", "الرمان"), ("al-Tin", "التين"), ("al-Sahil", "الساحل"),
         ("al-Fadl", "الفضل"), ("al-Jadid", "الجديد"), ("al-Gharbi", "الغربي"),
         ("al-Sharqi", "الشرقي"), ("al-Ahmar", "الأحمر"), ("al-Abyad", "الأبيض")],
    ),
    "persian": (
        [("Qala", ""), ("Deh", ""), ("Sang", ""), ("Shah", ""), ("Mir", ""), ("Gul", ""),
         ("Khwaja", ""), ("Sar", ""), ("Chah", ""), ("Nav", "")],
        [("abad", ""), ("kot", ""), ("khel", ""), ("pur", ""), ("dara", ""), ("garh", ""),
         ("bagh", ""), ("shahr", ""), ("zai", ""), ("ganj", "")],
    ),
    "sahel": (
        [("Dan", ""), ("Gidan", ""), ("Kara", ""), ("Bani", ""), ("Tin", ""), ("Wala", ""),
         ("Kolo", ""), ("Moda", ""), ("Sabon", ""), ("Dour", "")],
        [("wa", ""), ("ri", ""), ("bougou", ""), ("ko", ""), ("dou", ""), ("gari", ""),
         ("nde", ""), ("kassa", ""), ("fara", ""), ("mali", "")],
    ),
    "hebrew": (
        [("Kfar", ""), ("Givat", ""), ("Ramat", ""), ("Ein", ""), ("Beit", ""), ("Neve", ""),
         ("Mitzpe", ""), ("Nahal", "")],
        [("Oren", ""), ("Shalom", ""), ("Tamar", ""), ("Zahav", ""), ("Yam", ""), ("Hadas", ""),
         ("Eshel", ""), ("Gefen", ""), ("Arava", ""), ("Dekel", "")],
    ),
}

# Location kind: weight, how the site is named from a place name ("{}" is the place).
LOCATION_KINDS = {
    "town": (45, "{}"),
    "city": (12, "{}"),
    "neighbourhood": (8, "{} district"),
    "military_base": (10, "Camp {}"),
    "air_base": (4, "{} Air Base"),
    "airport": (3, "{} Airport"),
    "camp": (3, "{} displacement camp"),
    "oil_field": (4, "{} Oil Field"),
    "gas_field": (2, "{} Gas Field"),
    "border_crossing": (4, "{} Border Crossing"),
    "other": (5, "{} Junction"),
}

# Group names: a prefix and a name, each (transliteration, Arabic script, English meaning), and
# the spelling variants of each transliterated word (aliases).
GROUP_PREFIXES = [
    ("Kata'ib", "كتائب", "Brigades"), ("Saraya", "سرايا", "Companies"),
    ("Liwa", "لواء", "Brigade"), ("Harakat", "حركة", "Movement"), ("Jaysh", "جيش", "Army"),
    ("Ansar", "أنصار", "Supporters"), ("Asa'ib", "عصائب", "Leagues"),
    ("Firqat", "فرقة", "Division"), ("Jabhat", "جبهة", "Front"), ("Quwwat", "قوات", "Forces"),
    ("Jama'at", "جماعة", "Group"), ("Fawj", "فوج", "Regiment"),
]
GROUP_NAMES = [
    ("al-Nasr", "النصر", "Victory"), ("al-Fath", "الفتح", "Conquest"),
    ("al-Haqq", "الحق", "Truth"), ("al-Sabirin", "الصابرين", "the Steadfast"),
    ("al-Ghadab", "الغضب", "Wrath"), ("al-Wa'd", "الوعد", "the Promise"),
    ("al-Tahrir", "التحرير", "Liberation"), ("al-Karama", "الكرامة", "Dignity"),
    ("al-Shuhada", "الشهداء", "the Martyrs"), ("al-Furqan", "الفرقان", "the Criterion"),
    ("al-Qisas", "القصاص", "Retribution"), ("al-Ahrar", "الأحرار", "the Free"),
    ("al-Rafidayn", "الرافدين", "the Two Rivers"), ("al-Sharq", "الشرق", "the East"),
    ("al-Janub", "الجنوب", "the South"), ("al-Shamal", "الشمال", "the North"),
    ("al-Fajr", "الفجر", "the Dawn"), ("al-Sumud", "الصمود", "Resilience"),
    ("al-Nukhba", "النخبة", "the Elite"), ("al-Difa'", "الدفاع", "Defence"),
    ("al-Thawra", "الثورة", "the Revolution"), ("al-Wafa'", "الوفاء", "Loyalty"),
    ("al-Huda", "الهدى", "Guidance"), ("al-Iqdam", "الإقدام", "Boldness"),
    ("al-Muhajirin", "المهاجرين", "the Emigrants"), ("al-Badiya", "البادية", "the Desert"),
    ("al-Jazira", "الجزيرة", "the Island"), ("al-Sa'iqa", "الصاعقة", "the Thunderbolt"),
    ("al-Burkan", "البركان", "the Volcano"), ("al-Asifa", "العاصفة", "the Storm"),
    ("al-Saif", "السيف", "the Sword"), ("al-Ra'd", "الرعد", "Thunder"),
]
SPELLINGS = {
    "Kata'ib": ["Kataib", "Kataeb", "Katayib"], "Saraya": ["Sarayah", "Saraia"],
    "Liwa": ["Liwaa", "Liwa'"], "Harakat": ["Harakah", "Harakat"], "Jaysh": ["Jaish", "Jeish"],
    "Ansar": ["Ansaar"], "Asa'ib": ["Asaib", "Asa'eb"], "Firqat": ["Firqa", "Firqah"],
    "Jabhat": ["Jebhat", "Jabhet"], "Quwwat": ["Quwat", "Qowat"], "Jama'at": ["Jamaat", "Jamaah"],
    "Fawj": ["Fouj", "Fauj"],
}
ARTICLE_VARIANTS = ["al ", "el-", "Al-", "ul-"]

# The few states: (name, ISO code, Arabic name).
STATES = [
    ("United States", "US", "الولايات المتحدة"), ("Iraq", "IQ", "العراق"),
    ("Israel", "IL", "إسرائيل"), ("Iran", "IR", "إيران"), ("Syria", "SY", "سوريا"),
    ("Saudi Arabia", "SA", "السعودية"), ("Turkey", "TR", "تركيا"), ("France", "FR", "فرنسا"),
]
ATTRIBUTOR_DETAILS = [
    "defence ministry spokesperson", "military spokesperson", "a senior security official",
    "interior ministry statement", "joint operations command", "state news agency",
    "foreign ministry briefing", "", "",
]

# Brands: (English, transliteration, Arabic) for the label and for the region it names.
BRAND_PREFIXES = [
    ("Islamic Resistance in", "al-Muqawama al-Islamiyya fi", "المقاومة الإسلامية في"),
    ("Joint Operations Room of", "Ghurfat al-Amaliyyat al-Mushtaraka fi",
     "غرفة العمليات المشتركة في"),
    ("Popular Resistance of", "al-Muqawama al-Sha'biyya fi", "المقاومة الشعبية في"),
    ("Liberation Front of", "Jabhat Tahrir", "جبهة تحرير"),
    ("Coordination of the Factions of", "Tansiqiyyat Fasa'il", "تنسيقية فصائل"),
]
BRAND_REGIONS = [
    ("the Two Rivers", "al-Rafidayn", "الرافدين"), ("the Levant", "Bilad al-Sham", "بلاد الشام"),
    ("the Eastern Desert", "al-Badiya al-Sharqiyya", "البادية الشرقية"),
    ("the North", "al-Shamal", "الشمال"), ("the South", "al-Janub", "الجنوب"),
    ("the Coast", "al-Sahil", "الساحل"), ("the Euphrates", "al-Furat", "الفرات"),
    ("the Highlands", "al-Murtafa'at", "المرتفعات"), ("the Valley", "al-Wadi", "الوادي"),
    ("the Borderlands", "al-Hudud", "الحدود"),
]

AFFILIATION_STATUSES = {"announced": 25, "assessed": 35, "suspected": 25, "denied": 7, "ended": 8}
ASSESSORS = [
    "Institute for Conflict Studies", "Centre for Armed Group Research",
    "Middle East Security Forum", "a defence ministry", "a panel of experts",
    "Sahel Security Observatory",
]
CONFIDENCES = {"almost_certain": 10, "very_likely": 25, "likely": 35, "roughly_even": 20,
               "unlikely": 10}
RELATION_KINDS = {"sponsors": 30, "coordinates": 20, "allied_with": 25, "splinter_of": 15,
                  "subordinate_of": 10}

# Sources: kind -> (weight, publishers, reliability weights).
SOURCE_KINDS = {
    "news": (35, ["Levant Daily", "Gulf Observer", "Sahel Times", "Kabul Ledger",
                  "Tigris Herald", "Red Sea Post", "Maghreb Courier", "Horn Dispatch"],
             {"B": 35, "C": 45, "D": 15, "E": 5}),
    "wire": (15, ["Continental Press Agency", "Global Wire Service", "Meridian News Agency"],
             {"A": 10, "B": 60, "C": 25, "D": 5}),
    "state_media": (8, ["National Broadcasting Authority", "Official News Agency",
                        "People's Radio"], {"C": 20, "D": 45, "E": 30, "F": 5}),
    "think_tank": (8, ["Institute for Conflict Studies", "Centre for Armed Group Research",
                       "Middle East Security Forum"], {"B": 50, "C": 40, "F": 10}),
    "government": (8, ["Ministry of Defence", "Joint Task Force Command", "Ministry of Interior",
                       "Foreign Ministry"], {"B": 40, "C": 40, "D": 20}),
    "monitor": (12, ["Conflict Monitoring Network", "Civilian Harm Observatory",
                     "Frontline Monitor"], {"B": 45, "C": 40, "D": 10, "F": 5}),
    "claim_post": (10, ["Telegram channel", "claim website", "X account"],
                   {"D": 20, "E": 10, "F": 70}),
    "academic": (2, ["Journal of Conflict Research", "Security Studies Review"],
                 {"A": 20, "B": 60, "C": 20}),
    "reference": (1, ["Open Encyclopedia"], {"C": 70, "F": 30}),
    "other": (1, ["personal blog", "newsletter"], {"D": 40, "F": 60}),
}
SOURCE_LANGUAGES = {"en": 60, "ar": 30, "fr": 5, "fa": 3, "ur": 2}
AUTHORS = ["Staff reporter", "Correspondent", "Newsroom", "Analysis desk", "Field researcher"]
HEADLINE_VERBS = ["hits", "strikes", "targets", "shakes", "reported near", "claimed near"]
HEADLINE_SUBJECTS = ["Attack", "Blast", "Strike", "Clashes", "Drone", "Rockets", "Assault",
                     "Ambush", "Shelling", "Raid"]

CREDIBILITY = {1: 10, 2: 35, 3: 30, 4: 8, 5: 2, 6: 15}

# Incidents: weapon -> (weight, how a title names the event, details).
WEAPONS = {
    "one_way_drone": (15, ["Drone attack", "One-way drone attack", "Kamikaze drone strike",
                           "Loitering munition attack"],
                      ["delta-wing drone", "two fixed-wing drones", "quadcopter with a grenade",
                       "three explosive drones"]),
    "armed_drone_strike": (5, ["Drone strike", "Armed drone strike", "UAV strike"],
                           ["missile fired from a drone", "two guided missiles"]),
    "air_strike": (10, ["Air strike", "Airstrike", "Aerial bombardment", "Warplane strike"],
                   ["fighter jets", "helicopter gunship", "guided bombs"]),
    "rocket": (18, ["Rocket attack", "Rocket fire", "Katyusha rocket attack", "Rocket barrage"],
               ["107 mm rockets", "122 mm Grad rockets", "a single rocket", "several rockets"]),
    "ballistic_missile": (3, ["Ballistic missile strike", "Missile attack"],
                          ["short-range ballistic missile", "two ballistic missiles"]),
    "cruise_missile": (1, ["Cruise missile strike", "Missile strike"], ["cruise missile"]),
    "mortar": (10, ["Mortar attack", "Mortar fire", "Mortar shelling"],
               ["82 mm mortar rounds", "120 mm mortar", "several mortar shells"]),
    "ied": (15, ["Roadside bomb", "IED blast", "Bomb attack", "Car bomb",
                 "Explosive device blast"],
            ["roadside IED", "vehicle-borne IED", "sticky bomb", "buried explosive device"]),
    "small_arms": (15, ["Armed assault", "Small-arms attack", "Ambush", "Gunfire attack"],
                   ["rifles", "machine guns", "sniper fire", "gunmen on motorcycles"]),
    "mixed": (3, ["Combined attack", "Complex attack", "Coordinated assault"],
              ["rockets and drones", "gunmen and a car bomb"]),
    "unknown": (4, ["Attack", "Explosion", "Reported attack"], []),
    "other": (1, ["Arson attack", "Sabotage attack"], ["arson", "sabotage"]),
}
# Target -> (weight, the target as text, details).
TARGETS = {
    "foreign_forces": (15, "foreign forces", ["coalition base", "US troops", "foreign convoy",
                                              "logistics hub", "coalition patrol"]),
    "partner_forces": (12, "partner forces", ["border guards", "counter-terrorism unit",
                                              "local security forces", "army checkpoint"]),
    "armed_group": (15, "armed group positions", ["militia headquarters", "weapons depot",
                                                   "training camp", "fighters' vehicle"]),
    "armed_group_leader": (3, "a commander", ["senior commander", "field commander's car",
                                              "leader's residence"]),
    "government": (15, "government forces", ["police station", "army barracks",
                                              "government building", "military convoy"]),
    "civilians": (20, "civilians", ["market", "residential area", "mosque", "bus",
                                    "wedding gathering", "farmland"]),
    "infrastructure": (10, "infrastructure", ["power station", "water plant", "bridge",
                                              "telecom tower", "oil well", "refinery",
                                              "highway", "fuel depot"]),
    "unknown": (8, "an unspecified target", []),
    "other": (2, "other targets", ["media office", "aid warehouse"]),
}
# Incidents whose text says "pipeline": 5 % of infrastructure targets, ~1 in 200 incidents.
PIPELINES = ["gas pipeline", "oil pipeline"]
CONFIRMATIONS = {"confirmed": 30, "denied": 5, "no_comment": 15, "unknown": 50}
PREPOSITIONS = ["near", "in", "at", "outside", "north of", "south of", "east of", "west of"]
REPORTERS = ["Local sources", "A security official", "Monitors", "State media", "Residents",
             "A military statement", "Wire reports", "Hospital officials", "An NGO"]
CONFIRMATION_SENTENCES = {
    "confirmed": ["Officials confirmed the attack.", "The authorities confirmed the incident."],
    "denied": ["The authorities denied that the attack took place."],
    "no_comment": ["Officials declined to comment."],
    "unknown": [""],
}

# Claims.
MEDIA = {"statement": 70, "video": 15, "image": 10, "audio": 3, "other": 2}
CHANNEL_DETAILS = ["statement on Telegram", "video posted online", "post on its website",
                   "statement read on television", ""]
SUPERSEDE_REASONS = [
    "a later statement corrected the date",
    "a later statement named the group behind the brand",
    "the first report misread the claim",
    "the claimant reissued the statement with a different target",
]
ENGLISH_CLAIMS = [
    "Our fighters targeted an enemy position near {place}.",
    "The mujahideen struck the occupiers at {place}.",
    "We announce the targeting of an enemy base in {place}.",
]
ARABIC_CLAIM = "بيان صادر عن {name}: استهدف مجاهدونا موقعاً للعدو"

# fmt: on
