"""Simulated activity of the demo pages: posts, user comments with the page's replies, live streams.

Weekly posting follows each owner's behaviour profile against the order's norm (Порядок §2 п.9), so the
demo has pages that meet the norm, pages that fall behind in some weeks, pages that go silent, and
bodies that never stream. Times are UTC; the simulation thinks in the region's local time.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from demo.world import PROFILES, Page

LOCAL_OFFSET = timedelta(hours=7)  # Asia/Tomsk, no DST
FIRST_WEEK = date(2025, 9, 29)  # Monday of ISO week 2025-W40 (its Thursday is in IV кв. 2025)
DATA_END = date(2026, 11, 22)  # Sunday: the demo's last day of data (IV кв. 2026 is running)

SHORT_TEXTS = [
    "Сегодня провели приём граждан — ответили на все вопросы. Спасибо, что приходите!",
    "Как получить выплату на ребёнка? Рассказываем коротко в карточках 👇",
    "Открыта запись на бесплатные консультации. Пишите в комментариях, что вас волнует.",
    "Ремонт дороги идёт по графику: показываем, что сделано за неделю.",
    "Поздравляем с праздником! Делитесь фото в комментариях 🎉",
    "Отвечаем на частые вопросы: куда обращаться, если не пришло уведомление.",
    "Наши специалисты побывали в районе и встретились с жителями. Что обсудили — в посте.",
    "Напоминаем: с понедельника меняется график работы. Сохраните, чтобы не забыть.",
    "Опрос: в какое время вам удобнее получать услуги?",
    "Фоторепортаж с открытия новой площадки во дворе.",
]
PRESS_RELEASE_TEXTS = [
    "В рамках реализации мероприятий государственной программы, направленной на обеспечение повышения "
    "эффективности функционирования системы предоставления государственных услуг, состоялось рабочее "
    "совещание, в ходе которого были рассмотрены вопросы организации межведомственного взаимодействия "
    "и приняты соответствующие решения по итогам обсуждения.",
    "В целях обеспечения реализации положений действующего законодательства проведено заседание "
    "коллегии, на котором в соответствии с утверждённым планом мероприятий осуществлено рассмотрение "
    "результатов деятельности за отчётный период и определены задачи на предстоящий период.",
]
CONTENT_TYPES = [("photo", 0.58), ("video", 0.1), ("text", 0.14), ("repost", 0.09), ("poll", 0.03), ("link", 0.06)]


@dataclass
class Comment:
    comment_id: int
    post_id: int
    created_at: datetime
    author_id: int  # positive: a user
    text: str
    reply_id: int | None = None
    reply_at: datetime | None = None


@dataclass
class Post:
    post_id: int
    published_at: datetime
    content_type: str
    text: str
    views: int | None
    likes: int
    reposts: int
    reactions: int
    comments: list[Comment] = field(default_factory=list)
    is_live: bool = False
    is_pinned: bool = False


@dataclass
class Stream:
    stream_id: int
    started_at: datetime
    duration_s: int
    title: str


@dataclass
class PageActivity:
    page: Page
    posts: list[Post]
    streams: list[Stream]
    member_posts: list[Post]  # VK posts by members (from_id > 0): must not count


def _weekly_norm(kind: str) -> int:
    return 10 if kind in ("governor", "administration") else 3


def _content_type(rng: random.Random) -> str:
    x, acc = rng.random(), 0.0
    for name, p in CONTENT_TYPES:
        acc += p
        if x < acc:
            return name
    return "photo"


def _local_to_utc(day: date, hour: int, minute: int) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=timezone.utc) - LOCAL_OFFSET


def _comments_open(page: Page) -> bool:
    return page.checklist.get("comments_enabled") is not False


def simulate_page(page: Page, rng: random.Random) -> PageActivity:
    profile = PROFILES[page.owner.profile]
    norm = _weekly_norm(page.owner.kind)
    press_release_style = rng.random() < 0.25
    posts: list[Post] = []
    members: list[Post] = []
    streams: list[Stream] = []
    next_post = rng.randint(100, 3000)
    next_comment = rng.randint(1000, 90000)
    vr = {"vk": 0.35, "ok": 0.12, "telegram": 0.5}[page.platform] * rng.lognormvariate(0, 0.45)
    streamer = page.owner.kind == "executive_body" or rng.random() < 0.15
    week = FIRST_WEEK
    cutoff = _local_to_utc(DATA_END + timedelta(days=1), 0, 0)
    while week + timedelta(days=6) <= DATA_END:
        quarter_start_week = week.month in (1, 4, 7, 10) and week.day <= 7
        if week < page.registered_on or (page.silent_from and week >= page.silent_from):
            week += timedelta(days=7)
            continue
        if rng.random() < profile["silent_weeks"]:
            count = rng.randint(0, max(0, norm - 2))
        else:
            count = max(0, round(rng.gauss(norm * profile["rate"], max(1.0, norm * 0.25))))
        subscribers = page.subscribers * (1 + page.growth) ** ((week - FIRST_WEEK).days / 91)
        for _ in range(count):
            day = week + timedelta(days=rng.randint(0, 6))
            published = _local_to_utc(day, rng.randint(8, 20), rng.randint(0, 59))
            kind = _content_type(rng)
            views = int(subscribers * vr * rng.lognormvariate(0, 0.5)) + rng.randint(5, 40)
            likes = int(views * rng.uniform(0.005, 0.05))
            text = rng.choice(PRESS_RELEASE_TEXTS if press_release_style and rng.random() < 0.7 else SHORT_TEXTS)
            post = Post(next_post, published, kind, text, views, likes, int(likes * rng.uniform(0, 0.2)),
                        int(likes * 1.2) if page.platform == "telegram" else 0)
            next_post += rng.randint(1, 3)
            n_comments = min(40, int(rng.expovariate(1 / max(0.3, subscribers / 4000))))
            for _ in range(n_comments if _comments_open(page) else 0):
                created = published + timedelta(minutes=rng.randint(5, 3000))
                if created >= cutoff:  # the exports were taken on the last day of data
                    continue
                comment = Comment(next_comment, post.post_id, created, rng.randint(1_000_000, 800_000_000),
                                  "Подскажите, пожалуйста, куда обращаться по этому вопросу?")
                next_comment += 1
                if rng.random() < profile["reply"]:
                    comment.reply_id = next_comment
                    comment.reply_at = created + timedelta(hours=rng.lognormvariate(0, 0.8) * profile["latency_h"])
                    next_comment += 1
                    if comment.reply_at >= cutoff:  # not answered yet when the data was exported
                        comment.reply_id = comment.reply_at = None
                post.comments.append(comment)
            posts.append(post)
        if streamer and (quarter_start_week or rng.random() < 0.02) and rng.random() < profile["stream"] / 2:
            day = week + timedelta(days=rng.randint(0, 4))
            started = _local_to_utc(day, rng.randint(10, 17), 0)
            streams.append(Stream(next_post, started, rng.randint(20, 90) * 60, "Прямой эфир: отвечаем на вопросы"))
            next_post += 1
        if page.platform == "vk" and rng.random() < 0.15:
            day = week + timedelta(days=rng.randint(0, 6))
            members.append(Post(next_post, _local_to_utc(day, 12, 0), "text", "Вопрос от жителя", None, 1, 0, 0))
            next_post += 1
        week += timedelta(days=7)
    if posts:
        posts[len(posts) // 2].is_pinned = True
    return PageActivity(page, posts, streams, members)


def simulate(pages: list[Page], seed: int = 132) -> list[PageActivity]:
    rng = random.Random(seed + 1)
    return [simulate_page(page, rng) for page in pages]
