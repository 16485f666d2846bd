"""The generated catalog: pet food, litter, snacks and toys, with cost prices and stock.

Deterministic for a given seed, so two sandbox runs have the same SKUs.
"""
import random

BRANDS = [("麦富迪", "Myfoodie"), ("伯纳天纯", "Pure&Natural"), ("网易严选", "Yanxuan"), ("诺瓦", "Nova"),
          ("渴望", "Orijen"), ("爱肯拿", "Acana"), ("皇家", "Royal"), ("冠能", "Pro Plan"),
          ("比瑞吉", "Nature Bridge"), ("卫仕", "Nourse")]  # fmt: skip
FOOD = [("成猫粮", "adult cat food", "C"), ("幼猫粮", "kitten food", "C"), ("成犬粮", "adult dog food", "D"),
        ("幼犬粮", "puppy food", "D"), ("老年猫粮", "senior cat food", "C"), ("冻干双拼猫粮", "freeze-dried cat food", "C")]
FOOD_SIZES = [(1500, "1.5kg"), (2000, "2kg"), (5000, "5kg"), (10000, "10kg")]
FLAVOURS = [("鸡肉", "chicken"), ("三文鱼", "salmon"), ("牛肉", "beef"), ("鸭肉", "duck")]
LITTER = [("豆腐猫砂", "tofu litter"), ("膨润土猫砂", "bentonite litter"), ("混合猫砂", "mixed litter"),
          ("松木猫砂", "pine litter"), ("水晶猫砂", "crystal litter")]
LITTER_SIZES = [(2500, "2.5kg"), (6000, "6kg"), (10000, "10kg")]
SNACKS = [("冻干鸡胸", "freeze-dried chicken"), ("猫条", "cat treat sticks"), ("洁齿骨", "dental chews"),
          ("鸭肉干", "duck jerky"), ("营养膏", "nutrition paste"), ("罐头", "wet food can")]
SNACK_SIZES = [(50, "50g"), (100, "100g"), (200, "200g"), (400, "400g")]
TOYS = [("逗猫棒", "teaser wand"), ("猫抓板", "scratching board"), ("发声球", "squeaky ball"), ("磨牙绳", "rope toy"),
        ("隧道", "play tunnel"), ("漏食球", "treat ball"), ("猫爬架", "cat tree"), ("飞盘", "flying disc")]
COLOURS = [("红色", "red"), ("蓝色", "blue"), ("灰色", "grey"), ("粉色", "pink"), ("绿色", "green")]


def generate(seed: int = 7) -> list[dict]:
    """About 1,200 SKUs. A SKU's unit is what one is sold as (a bag, a pack, a can, a piece: units
    the shop translates), never its size, which its names carry."""
    rng = random.Random(seed)
    rows: list[dict] = []
    counts: dict[str, int] = {}

    def add(prefix, category, name, name_en, unit, weight_g, cost_minor):
        counts[prefix] = counts.get(prefix, 0) + 1
        sku = f"{prefix}-{counts[prefix]:04d}"
        rows.append({"sku": sku, "name": name, "name_en": name_en, "category": category, "unit": unit,
                     "weight_g": weight_g, "cost_minor": cost_minor, "available": rng.randint(20, 400)})

    for brand, brand_en in BRANDS:
        for kind, kind_en, animal in FOOD:
            for flavour, flavour_en in FLAVOURS:
                for grams, label in FOOD_SIZES:
                    cost = round(grams / 1000 * rng.randint(2600, 9000) / 100) * 100
                    add(f"F{animal}", "food", f"{brand} {flavour}{kind} {label}",
                        f"{brand_en} {kind_en}, {flavour_en}, {label}", "bag", grams, cost)
    for brand, brand_en in BRANDS:
        for kind, kind_en in LITTER:
            for grams, label in LITTER_SIZES:
                add("L", "litter", f"{brand} {kind} {label}", f"{brand_en} {kind_en}, {label}", "bag", grams,
                    round(grams / 1000 * rng.randint(600, 1800) / 10) * 10)
    for brand, brand_en in BRANDS:
        for kind, kind_en in SNACKS:
            for grams, label in SNACK_SIZES:
                unit = "can" if kind == "罐头" else "pack"
                add("S", "snacks", f"{brand} {kind} {label}", f"{brand_en} {kind_en}, {label}", unit, grams,
                    round(grams * rng.randint(8, 30) / 10) * 10)
    for kind, kind_en in TOYS:
        for colour, colour_en in COLOURS:
            for size, size_en in (("小号", "small"), ("中号", "medium"), ("大号", "large")):
                name_en = f"{colour_en.capitalize()} {kind_en} ({size_en})"
                add("T", "toys", f"{colour}{kind}（{size}）", name_en, "piece", 0,
                    rng.randint(8, 120) * 100)
    return rows


# A product page needs more than a name: one sentence per category, in both languages.
DESCRIPTIONS = {
    "food": ("{name}，营养均衡，适合日常主食喂养。", "{name}: balanced nutrition for everyday feeding."),
    "litter": ("{name}，结团快、低粉尘，方便清理。", "{name}: clumps fast, low dust, easy to scoop."),
    "snacks": ("{name}，训练奖励与日常加餐皆宜。", "{name}: for training rewards and everyday treats."),
    "toys": ("{name}，陪伴玩耍，消耗精力。", "{name}: for play time and burning off energy."),
}
CATEGORY_COLOURS = {"food": "#e8a33d", "litter": "#7fa7c9", "snacks": "#d9735b", "toys": "#6bb38a"}


def describe(row) -> tuple[str, str]:
    """The product's description in Chinese and English, from its names and category."""
    zh, en = DESCRIPTIONS.get(row["category"], ("{name}", "{name}"))
    return zh.format(name=row["name"]), en.format(name=row["name_en"] or row["name"])


def image_svg(sku: str, category: str) -> bytes:
    """A placeholder product picture (a coloured tile with the SKU), so frontends have an image to show."""
    colour = CATEGORY_COLOURS.get(category, "#999999")
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400" viewBox="0 0 400 400">'
        f'<rect width="400" height="400" fill="{colour}"/>'
        f'<text x="200" y="215" font-family="sans-serif" font-size="40" text-anchor="middle" fill="#fff">{sku}</text>'
        "</svg>"
    ).encode()
