"""«Реестр»: the registry's owners and pages under the shared filters, with the numbers at the top of the screen
(the compliance itself — checklist items, missing platforms — is scoring.registry_view's, which services use too)."""
from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from core.domain import PLATFORMS
from core.labels import PLATFORM_LABELS, number_ru
from scoring.registry_view import RegistryView, filter_rows
from scoring.views import Kpi

PAGE_COLUMNS = ("owner_name", "kind_label", "body_name", "platform_label", "url", "registered_on", "checklist_share",
                "checklist_missing", "checklist_unknown", "subscribers", "as_of", "closed_on")
DATE_COLUMNS = ("registered_on", "as_of", "closed_on")
OWNER_COLUMNS = ("owner_name", "kind_label", "body_name", *PLATFORMS, "missing_platforms", "exemption")


@dataclass(frozen=True)
class RegistryScreen:
    pages: pl.DataFrame  # the filtered pages with every column of the registry view (the editor needs their ids)
    owners: pl.DataFrame  # the filtered owners (kind and executive body; the platform filter does not apply)
    kpis: tuple[Kpi, ...]

    @property
    def pages_table(self) -> pl.DataFrame:
        """The pages as shown: dates as ДД.ММ.ГГГГ with «—» where there is none (an open page has no closing day;
        a date column would show an empty one as «None»)."""
        return self.pages.select(PAGE_COLUMNS).with_columns(
            pl.col(c).dt.strftime("%d.%m.%Y").fill_null("—") for c in DATE_COLUMNS)

    @property
    def pages_in_force(self) -> pl.DataFrame:
        """The filtered pages not closed (those a checklist item can be set for)."""
        return self.pages.filter(pl.col("is_open"))

    def owners_table(self, only_missing: bool = False) -> pl.DataFrame:
        """The owners as shown; `only_missing`: those without an open page on a required platform."""
        owners = self.owners.filter(pl.col("missing_count") > 0) if only_missing else self.owners
        return owners.select(*OWNER_COLUMNS[:-1], pl.col("exemption").fill_null(""))


def registry_screen(view: RegistryView, kinds: list[str], body: str | None, platforms: list[str],
                    search: str = "") -> RegistryScreen:
    pages = filter_rows(view.pages, kinds, body, platforms, search)
    owners = filter_rows(view.owners, kinds, body, None, search)
    in_force = pages.filter(pl.col("is_open"))
    kpis = (Kpi("Владельцев", number_ru(owners.height)),
            Kpi("Страниц", number_ru(in_force.height),
                help="Действующие страницы; закрытые остаются в реестре со своей историей"),
            *[Kpi(PLATFORM_LABELS[p], number_ru(in_force.filter(pl.col("platform") == p).height)) for p in PLATFORMS],
            Kpi("Без обязательной платформы", number_ru(owners.filter(pl.col("missing_count") > 0).height),
                help="Владельцы, у которых нет действующей страницы хотя бы на одной обязательной платформе "
                     "(Порядок §1 п.2)"))
    return RegistryScreen(pages, owners, kpis)


def executive_bodies(owners: pl.DataFrame, but: int | None = None) -> list[str]:
    """The executive bodies' names, sorted (the sidebar's filter, an owner's superior body); `but`: without that
    owner (an owner is not its own superior)."""
    bodies = owners.filter(pl.col("kind") == "executive_body")
    if but is not None:
        bodies = bodies.filter(pl.col("owner_id") != but)
    return sorted(bodies["owner_name"].to_list())


def page_choices(pages: pl.DataFrame) -> dict[int, str]:
    """page_id → «владелец · платформа · ссылка (закрыта ДД.ММ.ГГГГ)», the registry editor's list of pages."""
    names = [f"{o} · {p} · {u}" + (f" (закрыта {c:%d.%m.%Y})" if c else "") for o, p, u, c in
             pages.select("owner_name", "platform_label", "url", "closed_on").iter_rows()]
    return dict(zip(pages["page_id"], names))


def owner_choices(owners: pl.DataFrame) -> dict[int, str]:
    """owner_id → «наименование (тип)», the registry editor's list of owners."""
    names = [f"{n} ({k})" for n, k in owners.select("owner_name", "kind_label").iter_rows()]
    return dict(zip(owners["owner_id"], names))
