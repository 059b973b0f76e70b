"""What scoring reads: the frames of one quarter (read by storage, or built by tests) and the quarter's window."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import polars as pl

from core.calendar import Quarter
from core.quarter_frames import QuarterFrames
from core.schemas import COMMENT, POST, SCORING, STREAM

UTC = pl.Datetime("us", "UTC")
# what scoring reads of posts, streams and comments: the `scoring` stage of the declarations in core.schemas
POST_COLUMNS = POST.schema(SCORING)
STREAM_COLUMNS = STREAM.schema(SCORING)
COMMENT_COLUMNS = COMMENT.schema(SCORING)
# a page's reply to a comment may come after the quarter's last week; replies are looked for this long after it
REPLY_LOOKAHEAD = timedelta(days=31)


@dataclass(frozen=True)
class QuarterWindow:
    """The quarter's ISO weeks (Thursday rule) and its calendar days, in the region's zone."""
    quarter: Quarter
    tz: ZoneInfo

    @property
    def weeks(self) -> list[date]:
        return self.quarter.weeks()

    @property
    def first_week(self) -> date:
        return self.weeks[0]

    @property
    def week_end(self) -> date:
        """The day after the last Sunday of the quarter's weeks."""
        return self.weeks[-1] + timedelta(days=7)

    def utc(self, day: date) -> datetime:
        return datetime(day.year, day.month, day.day, tzinfo=self.tz).astimezone(ZoneInfo("UTC"))

    @property
    def load_from(self) -> datetime:
        """Earliest moment any indicator of the quarter reads (its first Monday or its first day)."""
        return self.utc(min(self.first_week, self.quarter.first_day))

    @property
    def load_to(self) -> datetime:
        """Latest moment (exclusive): after the last week and the last day, plus the reply look-ahead."""
        return self.utc(max(self.week_end, self.quarter.next().first_day)) + REPLY_LOOKAHEAD


# what scoring reads: the quarter's frames (core.quarter_frames, the declaration storage reads them into), posts,
# streams and comments at the `scoring` stage of their declarations in core.schemas (current versions only)
ScoringInput = QuarterFrames
