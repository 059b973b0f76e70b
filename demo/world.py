"""The demo's Tomsk oblast: the Governor, the Administration, the executive bodies (real names), their heads,
~440 subordinate institutions, and their pages with realistic gaps. Deterministic for a given seed."""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

DISTRICTS = ["Александровский", "Асиновский", "Бакчарский", "Верхнекетский", "Зырянский", "Каргасокский",
             "Кожевниковский", "Колпашевский", "Кривошеинский", "Молчановский", "Парабельский", "Первомайский",
             "Тегульдетский", "Томский", "Чаинский", "Шегарский"]
DISTRICT_GENITIVE = {d: d[:-2] + "ого" for d in DISTRICTS}
TOWNS = ["Томска", "Северска", "Стрежевого", "Колпашево", "Асино", "Кедрового"]

# (name, short slug, sphere, institution templates) — executive bodies of Tomsk oblast.
BODIES = [
    ("Департамент здравоохранения Томской области", "zdrav", [
        "ОГБУЗ «{D} районная больница»", "ОГАУЗ «Стоматологическая поликлиника {T}»",
        "ОГАУЗ «Поликлиника № {N} г. Томска»"]),
    ("Департамент общего образования Томской области", "obrazovanie", [
        "ОГБОУ «{D} школа-интернат»", "ОГКОУ «Школа для обучающихся с ОВЗ {T}»",
        "ОГБОУ «Томский областной лицей № {N}»"]),
    ("Департамент профессионального образования Томской области", "profobr", [
        "ОГБПОУ «{D} промышленно-гуманитарный техникум»", "ОГБПОУ «Томский колледж № {N}»"]),
    ("Департамент социальной защиты населения Томской области", "soczashita", [
        "ОГКУ «Центр социальной поддержки населения {d} района»", "ОГБУ «Центр социальной помощи семье и детям {d} района»",
        "ОГАУ «Дом-интернат для престарелых и инвалидов {d} района»"]),
    ("Департамент труда и занятости населения Томской области", "trud", [
        "ОГКУ «Центр занятости населения {d} района»"]),
    ("Департамент финансов Томской области", "finance", []),
    ("Департамент экономики Томской области", "economy", ["ОГКУ «Центр экономического развития {T}»"]),
    ("Департамент по культуре Томской области", "culture", [
        "ОГАУК «{D} районный дом культуры»", "ОГАУК «Библиотека {T}»",
        "ОГАУК «Томский областной музей № {N}»"]),
    ("Департамент по молодёжной политике, физической культуре и спорту Томской области", "sport", [
        "ОГАУ «Спортивная школа олимпийского резерва {T}»", "ОГБУ «Молодёжный центр {d} района»"]),
    ("Департамент транспорта, дорожной деятельности и связи Томской области", "transport", [
        "ОГКУ «Дорожное управление {d} района»"]),
    ("Департамент ЖКХ и государственного жилищного надзора Томской области", "gkh", [
        "ОГКУ «Служба заказчика ЖКХ {T}»"]),
    ("Департамент архитектуры и строительства Томской области", "stroy", ["ОГКУ «Облстройзаказчик {T}»"]),
    ("Департамент лесного хозяйства Томской области", "les", ["ОГКУ «{D} лесничество»"]),
    ("Департамент природных ресурсов и охраны окружающей среды Томской области", "priroda", [
        "ОГБУ «Дирекция особо охраняемых природных территорий {d} района»"]),
    ("Департамент по управлению государственной собственностью Томской области", "gosim", []),
    ("Департамент потребительского рынка Томской области", "potreb", []),
    ("Департамент тарифного регулирования Томской области", "tarif", []),
    ("Департамент по социально-экономическому развитию села Томской области", "selo", [
        "ОГБУ «Центр поддержки сельхозпроизводителей {d} района»"]),
    ("Департамент ветеринарии Томской области", "vet", [
        "ОГБУ «Станция по борьбе с болезнями животных {d} района»"]),
    ("Департамент по недропользованию и развитию нефтегазодобывающего комплекса Томской области", "nedra", []),
    ("Департамент инвестиций Томской области", "invest", ["ОГАУ «Агентство развития {T}»"]),
    ("Департамент промышленности и энергетики Томской области", "prom", []),
    ("Департамент государственного заказа Томской области", "goszakaz", []),
    ("Департамент по вопросам семьи и детей Томской области", "semya", [
        "ОГКУ «Социально-реабилитационный центр для несовершеннолетних {d} района»"]),
    ("Департамент международных и региональных связей Томской области", "mrs", []),
    ("Департамент информационной политики Томской области", "infopolit", ["ОГАУ «Редакция газеты {d} района»"]),
    ("Департамент внутренней политики Томской области", "vnutpolit", []),
    ("Департамент по вопросам общественной безопасности Томской области", "bezopasnost", [
        "ОГКУ «Пожарная часть {d} района»"]),
    ("Департамент цифровой трансформации Томской области", "cifra", ["ОГКУ «Центр цифровых сервисов {T}»"]),
    ("Департамент науки и высшего образования Томской области", "nauka", []),
    ("Комитет по делам ЗАГС Томской области", "zags", ["ОГКУ «Отдел ЗАГС {d} района»"]),
    ("Комитет по охране объектов культурного наследия Томской области", "nasledie", []),
    ("Комитет государственного финансового контроля Томской области", "finkontrol", []),
    ("Комитет по контролю, надзору и лицензированию в сфере образования Томской области", "obrnadzor", []),
    ("Комитет охотничьего и рыбного хозяйства Томской области", "ohota", [
        "ОГБУ «Охотнадзор {d} района»"]),
    ("Инспекция государственного технического надзора Томской области", "gostehnadzor", []),
    ("Комитет по обеспечению деятельности мировых судей Томской области", "mirsud", []),
]

SURNAMES = ["Иванов", "Петров", "Смирнов", "Кузнецов", "Соколов", "Попов", "Лебедев", "Козлов", "Новиков", "Морозов",
            "Волков", "Алексеев", "Лазарев", "Семёнов", "Егоров", "Павлов", "Степанов", "Никитин", "Орлов", "Андреев",
            "Макаров", "Захаров", "Зайцев", "Соловьёв", "Борисов", "Яковлев", "Григорьев", "Романов", "Воробьёв",
            "Сергеев", "Фролов", "Александров", "Дмитриев", "Королёв", "Гусев", "Киселёв", "Ильин", "Максимов"]
FIRST_M = ["Сергей", "Андрей", "Алексей", "Дмитрий", "Игорь", "Олег", "Михаил", "Владимир", "Евгений", "Павел"]
FIRST_F = ["Елена", "Ольга", "Наталья", "Татьяна", "Ирина", "Светлана", "Анна", "Марина", "Юлия", "Людмила"]
PATRONYMIC_M = ["Александрович", "Викторович", "Николаевич", "Петрович", "Сергеевич", "Иванович", "Юрьевич"]
PATRONYMIC_F = ["Александровна", "Викторовна", "Николаевна", "Петровна", "Сергеевна", "Ивановна", "Юрьевна"]

# Behaviour profiles: weekly posting relative to the norm, replies, streams (share of each in the demo).
PROFILES = {
    "exemplary": {"share": 0.30, "rate": 1.25, "silent_weeks": 0.02, "reply": 0.95, "latency_h": 3, "stream": 0.95},
    "steady": {"share": 0.30, "rate": 1.0, "silent_weeks": 0.06, "reply": 0.75, "latency_h": 10, "stream": 0.7},
    "uneven": {"share": 0.22, "rate": 0.8, "silent_weeks": 0.2, "reply": 0.45, "latency_h": 26, "stream": 0.45},
    "lagging": {"share": 0.13, "rate": 0.45, "silent_weeks": 0.35, "reply": 0.15, "latency_h": 60, "stream": 0.15},
    "silent": {"share": 0.05, "rate": 0.7, "silent_weeks": 0.1, "reply": 0.3, "latency_h": 30, "stream": 0.2},
}


@dataclass
class Owner:
    name: str
    kind: str
    parent: str | None
    slug: str
    profile: str
    ogrn: str | None = None


@dataclass
class Page:
    owner: Owner
    platform: str
    key: str  # screen name / username
    numeric_id: int
    registered_on: date
    id_in_registry: bool  # False → matched through the export (screen name) or linked by the analyst
    checklist: dict = field(default_factory=dict)
    subscribers: int = 1000
    growth: float = 0.02  # per quarter
    silent_from: date | None = None  # page stops posting (profile "silent")

    @property
    def url(self) -> str:
        if self.platform == "vk":
            return f"https://vk.com/{self.key}"
        if self.platform == "ok":
            return f"https://ok.ru/group/{self.numeric_id}" if self.key.isdigit() else f"https://ok.ru/{self.key}"
        return f"https://t.me/{self.key}"


def _person(rng: random.Random) -> str:
    if rng.random() < 0.6:
        return f"{rng.choice(SURNAMES)} {rng.choice(FIRST_M)} {rng.choice(PATRONYMIC_M)}"
    surname = rng.choice(SURNAMES)
    surname = surname[:-1] + "а" if surname.endswith("й") else surname + "а"
    return f"{surname} {rng.choice(FIRST_F)} {rng.choice(PATRONYMIC_F)}"


def _profile(rng: random.Random) -> str:
    x, acc = rng.random(), 0.0
    for name, params in PROFILES.items():
        acc += params["share"]
        if x < acc:
            return name
    return "steady"


def _ogrn(rng: random.Random) -> str:
    return "10270" + "".join(str(rng.randint(0, 9)) for _ in range(8))


def build_owners(rng: random.Random) -> list[Owner]:
    owners = [Owner("Губернатор Томской области", "governor", None, "gubernator", "exemplary"),
              Owner("Администрация Томской области", "administration", None, "tomskadm", "exemplary")]
    institutions: list[Owner] = []
    for index, (body, slug, templates) in enumerate(BODIES):
        owners.append(Owner(body, "executive_body", None, slug, _profile(rng), _ogrn(rng)))
        short = body.replace(" Томской области", "")
        role = "председатель" if short.startswith("Комитет") else "начальник"
        genitive = {"Департамент": "Департамента", "Комитет": "Комитета", "Инспекция": "Инспекции"}
        first, _, rest = short.partition(" ")
        owners.append(Owner(f"{_person(rng)}, {role} {genitive[first]} {rest}", "head", body, f"{slug}_head",
                            _profile(rng)))
        for template in templates:
            places = DISTRICTS if "{D}" in template or "{d}" in template else (
                [str(n) for n in range(1, 11)] if "{N}" in template else TOWNS)
            for place in places:
                name = template.format(D=place, d=DISTRICT_GENITIVE.get(place, place), T=place, N=place)
                n = len(institutions)
                institutions.append(Owner(name, "institution", body, f"{slug}{n}", _profile(rng), _ogrn(rng)))
    rng.shuffle(institutions)
    return owners + institutions[:440]


def build_pages(rng: random.Random, owners: list[Owner]) -> list[Page]:
    pages: list[Page] = []
    presence = {"governor": (1, 1, 1), "administration": (1, 1, 1), "executive_body": (1.0, 0.85, 0.9),
                "head": (0.8, 0.2, 0.55), "institution": (0.97, 0.78, 0.72)}
    base_subscribers = {"governor": 180_000, "administration": 95_000, "executive_body": 6_000, "head": 2_500,
                        "institution": 900}
    next_id = {"vk": 210_000_000, "ok": 70_000_000_000_000, "telegram": 1_800_000_000}
    for owner in owners:
        for platform, chance in zip(("vk", "ok", "telegram"), presence[owner.kind]):
            if rng.random() >= chance:
                continue
            next_id[platform] += rng.randint(1, 5000)
            numeric = next_id[platform]
            key = f"{owner.slug}_tomsk" if platform != "ok" else str(numeric)
            if platform == "ok" and rng.random() < 0.2:
                key = f"{owner.slug}.tomsk"
            registered = date(2023, rng.randint(6, 12), rng.randint(1, 28))
            if owner.kind == "institution" and rng.random() < 0.06:
                registered = date(2026, rng.randint(2, 8), rng.randint(1, 28))  # pages created mid-year
            status = rng.random() < (0.95 if owner.kind != "institution" else 0.75)
            checklist = {
                "status_mark": status, "gospubliki": rng.random() < 0.9,
                "comments_enabled": rng.random() < 0.88, "avatar": rng.random() < 0.97,
                "cover": None if platform == "telegram" else rng.random() < 0.8,
                "description": rng.random() < 0.9, "contacts": rng.random() < 0.8,
                "moderation_rules": rng.random() < 0.55, "unified_style": rng.random() < 0.7,
                "pos_widgets": None if platform == "telegram" else rng.choice((0, 1, 2, 2, 2)),
            }
            for item in list(checklist):
                if checklist[item] is not None and rng.random() < 0.03:
                    checklist[item] = None  # unknown: an empty cell in the registry
            share = {"vk": 1.0, "ok": 0.35, "telegram": 0.45}[platform]
            subscribers = int(base_subscribers[owner.kind] * share * rng.lognormvariate(0, 0.6)) + 50
            silent_from = date(2026, rng.randint(4, 9), rng.randint(1, 28)) if owner.profile == "silent" else None
            pages.append(Page(owner, platform, key, numeric, registered, rng.random() < 0.85, checklist,
                              subscribers, rng.uniform(-0.01, 0.08), silent_from))
    return pages


def build_world(seed: int = 132) -> tuple[list[Owner], list[Page]]:
    rng = random.Random(seed)
    owners = build_owners(rng)
    return owners, build_pages(rng, owners)
