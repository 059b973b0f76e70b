"""Command line over the same functions as the app: `python cli.py --help`."""
from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from core.config import DEMO_DIR, TEMPLATES_DIR, current_user
from loaders.errors import LoadError


def _engine():
    from storage.db import get_engine
    return get_engine()


def cmd_migrate(args) -> int:
    """Bring the database's schema to the current version (storage/migrate.py); a no-op when it is there."""
    from storage.db import make_engine
    from storage.migrate import migrate
    engine = make_engine(migrate=False)
    message = migrate(engine).message
    engine.dispose()
    print(message[:1].upper() + message[1:])
    return 0


def cmd_init_db(args) -> int:
    from reports.registry_template import registry_workbook
    cmd_migrate(args)
    TEMPLATES_DIR.mkdir(parents=True, exist_ok=True)
    (TEMPLATES_DIR / "registry.xlsx").write_bytes(registry_workbook())
    print("База данных готова; шаблон реестра: data/templates/registry.xlsx")
    return 0


def cmd_demo(args) -> int:
    from demo.build import load_demo
    from storage.db import is_empty
    engine = _engine()
    if args.if_empty and not is_empty(engine):
        print("Демонстрационные данные не загружены: база уже содержит данные")
        return 0
    summary = load_demo(engine, Path(args.dir) if args.dir else DEMO_DIR)
    print(f"Демонстрационные данные загружены: файлов {summary['files']}, публикаций {summary['posts']}")
    return 0


def _period(text: str | None) -> tuple[date, date] | None:
    if not text:
        return None
    try:
        start, _, end = text.partition(":")
        return date.fromisoformat(start), date.fromisoformat(end)
    except ValueError:
        raise ValueError(f"период «{text}» задан неверно; нужно ГГГГ-ММ-ДД:ГГГГ-ММ-ДД") from None


def _date(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        raise ValueError(f"дата «{text}» задана неверно; нужно ГГГГ-ММ-ДД") from None


def cmd_inspect(args) -> int:
    from storage.ingest import error_report, inspect_bytes, read_path
    try:
        report = inspect_bytes(read_path(Path(args.file)), Path(args.file).name)
    except LoadError as error:
        if not args.json:
            raise
        print(json.dumps(error_report(Path(args.file).name, error), ensure_ascii=False, indent=1))
        return 1
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=1, default=str))
    else:
        print("\n".join(f"{k}: {v}" for k, v in report.items()))
    return 0


def cmd_ingest(args) -> int:
    from storage.ingest import error_report, ingest_path
    engine = _engine()
    as_of, period = _date(args.as_of), _period(args.period)
    if args.page and len(args.files) > 1:
        raise ValueError("--page относится к одному файлу: загрузите файлы для разных страниц по отдельности")
    reports, failed = [], False
    for name in args.files:
        try:
            report = ingest_path(engine, Path(name), user=current_user(), as_of=as_of, period=period,
                                 page=args.page)
        except LoadError as error:
            failed = True
            report = error_report(Path(name).name, error)
            if not args.json:
                print(f"Ошибка: {error}", file=sys.stderr)
        reports.append(report)
        if not args.json and not report.get("errors"):
            print(_describe(report))
    if args.json:
        print(json.dumps(reports if len(reports) > 1 else reports[0], ensure_ascii=False, indent=1, default=str))
    return 1 if failed else 0


def _describe(report: dict) -> str:
    if "posts" in report:
        return _describe_activity(report)
    if report.get("duplicate_of"):
        return f"«{report['filename']}»: этот файл уже загружен (пакет {report['duplicate_of']}), изменений нет"
    return (f"«{report['filename']}»: пакет {report['batch_id']}; владельцев добавлено {report['owners_added']}, "
            f"обновлено {report['owners_updated']}; страниц добавлено {report['pages_added']}, обновлено "
            f"{report['pages_updated']}, без изменений {report['pages_unchanged']}; предупреждений "
            f"{len(report['warnings'])}")


def _describe_activity(report: dict) -> str:
    head = f"«{report['filename']}» ({report['format']}): "
    if report["batch_id"] is None:
        head += "новых данных нет, ничего не записано"
    else:
        head += (f"пакет {report['batch_id']}; публикаций добавлено {report.get('posts_added', 0)}, обновлено "
                 f"{report.get('posts_updated', 0)}, без изменений {report.get('posts_unchanged', 0)}; эфиров "
                 f"{report['live_streams']}, комментариев {report['comments']}, ответов страницы "
                 f"{report['page_replies']}")
    if report.get("observed_label"):
        head += f"; {report['observed_label']}"
    if report.get("older_note"):
        head += f"; {report['older_note']}"
    if report["rejected"]:
        head += "; не учтено: " + ", ".join(f"{k} — {v}" for k, v in report["rejected_reasons"].items())
    if report["unmatched_pages"]:
        head += f"; страниц нет в реестре: {len(report['unmatched_pages'])}"
    if report.get("assigned_page"):
        head += f"; страница {report['assigned_page']['url']} (указана при загрузке)"
    if report.get("period"):
        start, end = (date.fromisoformat(d) for d in report["period"])
        head += f"; период {start:%d.%m.%Y}–{end:%d.%m.%Y}"
    if report.get("coverage_note"):
        head += f"; {report['coverage_note']}"
    conflicts = report.get("comments_conflicts") or {}
    if conflicts.get("count"):
        head += (f"; не сохранено комментариев с уже занятым id: {conflicts['count']} (в базе остались прежние): "
                 + "; ".join(conflicts["examples"]))
    return head


def cmd_revert(args) -> int:
    from storage.activity_store import revert_batch
    result = revert_batch(_engine(), args.batch_id, current_user())
    print(result["message"])
    return 0


def cmd_stats(args) -> int:
    from storage.queries import stats
    result = stats(_engine())
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        pages = result["pages"]
        print(f"Владельцев: {result['owners']}; страниц: ВКонтакте {pages['vk']}, Одноклассники {pages['ok']}, "
              f"Telegram {pages['telegram']}; публикаций: {result['posts']}; пакетов загрузки: {result['batches']}")
    return 0


def _quarter(code: str | None):
    """The quarter asked for, else the last ended one (the quarter a rating is final for)."""
    from core.calendar import Quarter, local_today
    from core.config import region_tz
    from services.quarters import last_ended_quarter
    return Quarter.parse(code) if code else last_ended_quarter(local_today(region_tz()))


def cmd_rate(args) -> int:
    """The quarter's rating: the approved one if the quarter is approved (unless --fresh), else computed."""
    from scoring.tables import from_payload, rows_of, to_payload, with_fields
    from services.quarters import quarter_view
    from storage.rating_store import approved_payload
    engine, quarter = _engine(), _quarter(args.quarter)
    approved = None if args.fresh else approved_payload(engine, quarter.code)
    tables = from_payload(approved) if approved is not None else None
    if tables is None or args.compare:  # the computation stored for the current data (computed if there is none)
        view = quarter_view(engine, quarter)
        if tables is None:
            tables = view.fresh_tables
        else:  # the approved rows against the fresh ones, compared on the frames (scoring.tables.differences)
            tables = with_fields(tables, {"differences": view.differences})
    if "approved" not in tables.keys:
        tables = with_fields(tables, {"approved": None})
    if args.sensitivity is not False:  # the range of places when the block weights move (scoring.sensitivity)
        from services.quarters import with_place_ranges
        tables = with_place_ranges(tables, quarter, args.sensitivity)
    if "has_data" not in tables.keys:
        tables = with_fields(tables, {"has_data": True})
    if args.xlsx:
        from core.config import region_tz
        from reports.rating_workbook import rating_workbook
        from services.style import quarter_styles, style_by_page
        style = style_by_page(quarter_styles(engine, quarter))  # Порядок §2 п.8, справочно: «Стиль публикаций»
        Path(args.xlsx).write_bytes(rating_workbook(tables, region_tz(), style=style))
    if args.json:  # the one JSON edge besides approval (scoring.tables.to_payload)
        print(json.dumps(to_payload(tables), ensure_ascii=False, default=str))
        return 0
    status = "утверждён" if tables.get("approved") else "расчёт по текущим данным (не утверждён)"
    print(f"Рейтинг за {quarter.label}: методика {tables.get('methodology')}; {status}")
    if not tables.has_data:  # methodology.md §4: no leaders, zones or means without data
        print(f"За {quarter.label} нет загруженных выгрузок активности: рейтинга нет.")
        return 0
    if tables.get("methodology_warning"):
        print(f"Внимание: {tables.get('methodology_warning')}")
    warning = tables.early_warning
    if warning:
        print(f"Квартал идёт: страниц, рискующих не выполнить норму публикаций, — {warning['weekly_norm'].height}; "
              f"органов без прямого эфира в квартале — {warning['live_stream'].height}")
    for name, title in (("bodies", "Исполнительные органы"), ("institutions", "Учреждения"),
                        ("heads", "Руководители")):
        rows = rows_of(tables.table(name))
        ranked = [r for r in rows if r.get("rank")]
        unrated = [r for r in rows if not r.get("rank")]
        print(f"\n{title}: в рейтинге {len(ranked)}, не оцениваются {len(unrated)}")
        for row in ranked[: args.top]:
            print(f"  {row['rank']:>4}. {row['owner'][:70]:<70} {row['score']:>6.1f}  {row.get('zone') or ''}  "
                  f"({row.get('completeness') or ''})")
        if len(ranked) > args.top:
            print(f"  … ещё {len(ranked) - args.top}")
        for row in unrated[: args.top]:
            print(f"     — {row['owner'][:70]:<70} не оценивается: {row.get('not_rated_reason') or ''}")
        if len(unrated) > args.top:
            print(f"     … ещё {len(unrated) - args.top} без оценки")
    if args.xlsx:
        print(f"\nExcel: {args.xlsx}")
    return 0


def cmd_refresh(args) -> int:
    """Compute and store the quarters whose stored rating no longer matches the data (after `ingest`; `make run`
    does it before the server starts), so that the screens, `rate` and `approve` read them back."""
    from services.quarters import refresh
    done = refresh(_engine(), progress=lambda q, i, n: print(f"Пересчёт рейтинга: {q.label} ({i} из {n})…",
                                                              flush=True))
    print(f"Рейтинги пересчитаны и сохранены: {', '.join(q.label for q in done)}" if done else
          "Сохранённые рейтинги соответствуют данным: пересчитывать нечего")
    return 0


def cmd_approve(args) -> int:
    from services.quarters import approve
    quarter = _quarter(args.quarter)
    payload = approve(_engine(), quarter, current_user(), accept_gaps=args.accept_gaps)
    gaps = payload.get("gaps") or {}
    print(f"Рейтинг за {quarter.label} утверждён (методика {payload['methodology']}, пакетов загрузки "
          f"{len(payload['approved']['batch_ids'])}); дальнейшие загрузки его не изменят")
    if gaps.get("pages_not_rated") or gaps.get("page_weeks_no_data") or gaps.get("page_weeks_partial"):
        from services.quarters import gaps_text
        print(f"Подтверждённые пробелы в данных: {gaps_text(gaps)}")
    return 0


def cmd_unapprove(args) -> int:
    from services.quarters import unapprove
    quarter = _quarter(args.quarter)
    withdrawn = unapprove(_engine(), quarter, current_user(), args.reason)
    print(f"Утверждение рейтинга за {quarter.label} (от {withdrawn['approved_at'][:10]}, "
          f"{withdrawn['approved_by']}) отозвано. Причина: {args.reason.strip()}")
    return 0


def _report_quarter(code: str | None):
    """The quarter asked for, «current» — the running one (an interim report, e.g. a monthly run), else the last
    ended one."""
    from core.calendar import Quarter, local_today
    from core.config import region_tz
    from services.quarters import last_ended_quarter
    today = local_today(region_tz())
    if code and code.strip().lower() in ("current", "текущий"):
        return Quarter.of(today)
    return Quarter.parse(code) if code else last_ended_quarter(today)


def cmd_report(args) -> int:
    """The quarterly PDF, one executive body's PDF, the workbook, and their delivery by e-mail (README, «Отчёты
    в PDF и рассылка»)."""
    from scoring.report_view import find_body
    from services import delivery, reports
    if not (args.pdf or args.xlsx or args.send):
        raise ValueError("укажите, что сделать: --pdf ФАЙЛ, --xlsx ФАЙЛ и/или --send")
    if (args.to or args.dry_run or args.recipients) and not args.send:
        raise ValueError("--to, --recipients и --dry-run относятся к рассылке: добавьте --send")
    quarter = _report_quarter(args.quarter)
    settings = delivery.smtp_settings() if args.send and not args.dry_run else None  # a wrong setting fails first
    engine = _engine()
    inputs = reports.report_inputs(engine, quarter, with_history=bool(args.body or args.send))
    status = "утверждён" if inputs.approved else "не утверждён"
    if args.approved_only and not inputs.approved:
        raise ValueError(f"рейтинг за {quarter.label} не утверждён — отчёт не сформирован (--approved-only)")
    body = find_body(inputs.tables, args.body) if args.body else None
    if args.pdf:
        content = reports.body_pdf(inputs, body["owner_id"]) if body else reports.quarterly_pdf(inputs)
        Path(args.pdf).write_bytes(content)
        print(f"PDF за {quarter.label} (рейтинг {status}){': ' + body['owner'] if body else ''}: {args.pdf}")
    if args.xlsx:
        Path(args.xlsx).write_bytes(reports.workbook(inputs, body["owner_id"] if body else None))
        print(f"Excel за {quarter.label}: {args.xlsx}")
    if not args.send:
        return 0
    if not inputs.tables.has_data:
        raise ValueError(f"за {quarter.label} нет загруженных выгрузок активности — рейтинга нет, рассылать нечего")
    target = body["owner"] if body else delivery.LEADERSHIP
    if args.to:
        recipients = [delivery.Recipient(address, target, line=0) for address in args.to]
        for address in args.to:
            if not delivery.ADDRESS.match(address):
                raise ValueError(f"--to: «{address}» — не адрес электронной почты")
    else:
        recipients = delivery.read_recipients(Path(args.recipients) if args.recipients
                                              else delivery.default_recipients_path())
        if body:
            recipients = [r for r in recipients if r.target != delivery.LEADERSHIP
                          and find_body(inputs.tables, r.target)["owner_id"] == body["owner_id"]]
    plan = delivery.plan(inputs, recipients, reports.today())
    if not plan:
        raise ValueError("получателей нет: проверьте файл получателей или укажите --to АДРЕС")
    if args.dry_run:
        print(f"Рассылка за {quarter.label} (рейтинг {status}) — проверка, письма не отправляются; адресов: {len(plan)}")
        for item in plan:
            print(f"  {item.address}: «{item.subject}»; вложения: {', '.join(a.filename for a in item.attachments)}")
        return 0
    results = delivery.send(engine, inputs, plan, settings, current_user(), log=print)
    failed = [r for r in results if not r["ok"]]
    print(f"Рассылка за {quarter.label}: отправлено {len(results) - len(failed)} из {len(results)} писем"
          + (f"; не отправлено: {', '.join(r['address'] for r in failed)}" if failed else ""))
    return 3 if failed else 0


def cmd_registry(args) -> int:
    """The public registry of official pages (Распоряжение № 132-р п. 2.2) as of a day (today by default): xlsx,
    csv and/or a self-contained HTML page for the region's website."""
    from core.calendar import local_today
    from core.config import region_tz
    from reports.registry_export import registry_csv, registry_html, registry_xlsx
    from services.registry import public_pages
    if not (args.xlsx or args.csv or args.html):
        raise ValueError("укажите --xlsx ФАЙЛ, --csv ФАЙЛ и/или --html ФАЙЛ")
    today = local_today(region_tz())
    day = _date(args.as_of) or today
    if day > today:
        raise ValueError(f"дата {day:%d.%m.%Y} ещё не наступила: реестр на неё неизвестен")
    pages = public_pages(_engine(), day)
    for path, build in ((args.xlsx, registry_xlsx), (args.csv, registry_csv),
                        (args.html, lambda frame: registry_html(frame, day))):
        if path:
            Path(path).write_bytes(build(pages))
            print(f"Реестр на {day:%d.%m.%Y} ({pages.height} страниц): {path}")
    return 0


def _new_password(given: str | None) -> str:
    """The password from --password, else asked twice (not echoed)."""
    import getpass
    if given:
        return given
    password = getpass.getpass("Пароль: ")
    if getpass.getpass("Пароль ещё раз: ") != password:
        raise ValueError("пароли не совпадают")
    return password


def cmd_user_add(args) -> int:
    from storage.users import ROLE_LABELS, set_user
    password = None if args.oidc else _new_password(args.password)
    set_user(_engine(), args.username, password, args.role, by=current_user(), body=args.body, oidc=args.oidc)
    print(f"Пользователь «{args.username}» сохранён: {ROLE_LABELS[args.role]}"
          + (f", орган «{args.body}»" if args.body else "") + (", вход через OIDC" if args.oidc else ""))
    return 0


def cmd_user_role(args) -> int:
    from storage.users import ROLE_LABELS, set_role
    set_role(_engine(), args.username, args.role, by=current_user(), body=args.body)
    print(f"Роль пользователя «{args.username}»: {ROLE_LABELS[args.role]}" + (f", орган «{args.body}»" if args.body
                                                                             else "") + " — со следующего действия")
    return 0


def cmd_user_password(args) -> int:
    from storage.users import set_password
    set_password(_engine(), args.username, _new_password(args.password), by=current_user())
    print(f"Пароль пользователя «{args.username}» изменён; его открытые сеансы завершены")
    return 0


def cmd_user_disable(args) -> int:
    from storage.users import set_disabled
    set_disabled(_engine(), args.username, not args.enable, by=current_user())
    print(f"Пользователь «{args.username}» " + ("снова может входить" if args.enable
                                               else "отключён; его открытые сеансы завершены"))
    return 0


def cmd_user_list(args) -> int:
    from storage.users import ROLE_LABELS, accounts
    for a in accounts(_engine()):
        state = "отключён" if a.disabled else "активен"
        print(f"{a.username:<40} {ROLE_LABELS.get(a.role, a.role):<22} {state:<9} {a.body or ''}"
              + (" (OIDC)" if a.oidc_only else ""))
    return 0


def _style_texts(name: str) -> list[str]:
    """A JSON list of texts, or {\"texts\": [...]}, from a file (\"-\": standard input)."""
    try:
        raw = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as error:
        raise ValueError(f"файл «{name}» не прочитан: {error.__class__.__name__}") from None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as error:
        raise ValueError(f"файл «{name}»: не JSON (строка {error.lineno}, столбец {error.colno})") from None
    texts = data.get("texts") if isinstance(data, dict) else data
    if not isinstance(texts, list):
        raise ValueError(f"файл «{name}»: нужен список текстов или объект {{\"texts\": [...]}}")
    bad = [i for i, t in enumerate(texts, start=1) if not isinstance(t, str)]
    if bad:
        raise ValueError(f"файл «{name}»: элемент № {bad[0]} списка не текст")
    return texts


def cmd_style(args) -> int:
    """Порядок §2 п.8: is a draft written as a press release? (scoring/style.py, thresholds of the methodology)"""
    from core.calendar import Quarter, local_today
    from core.config import region_tz
    from scoring.methodology import methodology_for
    from scoring.style import StyleSettings, assess_many
    texts = _style_texts(args.file)
    settings = StyleSettings.from_methodology(methodology_for(Quarter.of(local_today(region_tz())).code))
    results = assess_many(texts, settings)
    if args.json:
        print(json.dumps([{"press_release": r.press_release, "score": round(r.score, 4), "reasons": r.reasons}
                          for r in results], ensure_ascii=False, indent=1))
        return 0
    for number, (text, r) in enumerate(zip(texts, results), start=1):
        verdict = "стиль пресс-релиза" if r.press_release else "разговорный стиль"
        print(f"{number}. {verdict} ({r.score:.2f}): {'; '.join(r.reasons)} — «{text[:60]}»".replace("0.", "0,", 1))
    return 0


def cmd_bench(args) -> int:
    from benchmark.run import report, run
    progress = (lambda text: print(text, file=sys.stderr, flush=True)) if not args.quiet else (lambda _: None)
    result = run(args.scale, repeat=args.repeat, pandas_repeat=args.pandas_repeat, with_db=not args.no_db,
                 with_screens=not args.no_screens, log=progress, with_big_ingest=not args.no_big_ingest,
                 with_demo=not args.no_demo)
    print(json.dumps(result, ensure_ascii=False, indent=2) if args.json else report(result))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cli.py", description="«Госпаблики Томской области»: командная строка")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("init-db", help="создать базу данных и шаблон реестра").set_defaults(func=cmd_init_db)
    demo = sub.add_parser("demo", help="загрузить демонстрационные данные")
    demo.add_argument("--if-empty", action="store_true", help="только если база пуста")
    demo.add_argument("--dir", help="папка для файлов демо (по умолчанию data/demo)")
    demo.set_defaults(func=cmd_demo)
    ingest = sub.add_parser("ingest", help="загрузить файлы (реестр, выгрузки)")
    ingest.add_argument("files", nargs="+")
    ingest.add_argument("--json", action="store_true")
    ingest.add_argument("--as-of", help="сведения на дату, ГГГГ-ММ-ДД (по умолчанию: выгрузка — на момент её "
                                        "самой поздней записи, реестр — сегодня)")
    ingest.add_argument("--page", help="ссылка на страницу реестра, к которой относится выгрузка (для файла без "
                                       "страницы, например пустой стены wall.get; с --period подтверждает "
                                       "отсутствие публикаций)")
    ingest.add_argument("--period", help="период, который охватывает выгрузка: ГГГГ-ММ-ДД:ГГГГ-ММ-ДД "
                                         "(по умолчанию — от первой до последней записи файла)")
    ingest.set_defaults(func=cmd_ingest)
    inspect = sub.add_parser("inspect", help="разобрать файл без записи в базу")
    inspect.add_argument("file")
    inspect.add_argument("--json", action="store_true")
    inspect.set_defaults(func=cmd_inspect)
    revert = sub.add_parser("revert", help="отменить пакет загрузки")
    revert.add_argument("batch_id", type=int)
    revert.set_defaults(func=cmd_revert)
    stats = sub.add_parser("stats", help="сводка по базе данных")
    stats.add_argument("--json", action="store_true")
    stats.set_defaults(func=cmd_stats)
    rate = sub.add_parser("rate", help="рейтинг за квартал")
    rate.add_argument("--quarter", help="квартал, например 2026Q1 (по умолчанию — прошедший)")
    rate.add_argument("--json", action="store_true")
    rate.add_argument("--xlsx", help="сохранить книгу Excel с рейтингом")
    rate.add_argument("--fresh", action="store_true", help="пересчитать, даже если квартал утверждён")
    rate.add_argument("--compare", action="store_true", help="для утверждённого квартала: отличия от пересчёта")
    rate.add_argument("--top", type=int, default=20, help="сколько строк каждой таблицы печатать")
    rate.add_argument("--sensitivity", nargs="?", type=float, const=None, default=False, metavar="БАЛЛЫ",
                      help="диапазон мест каждой строки, если вес каждого блока сдвинуть на ±БАЛЛЫ (по умолчанию — "
                           "step из раздела [sensitivity] методики) с приведением весов к 100: «место 5 (4–7)»; "
                           "в --json — place_range")
    rate.set_defaults(func=cmd_rate)
    style = sub.add_parser("style", help="проверить тексты на стиль пресс-релиза (Порядок §2 п.8)")
    style.add_argument("file", help="JSON: список текстов или {\"texts\": [...]}; «-» — стандартный ввод")
    style.add_argument("--json", action="store_true")
    style.set_defaults(func=cmd_style)
    sub.add_parser("refresh", help="пересчитать и сохранить рейтинги кварталов, данные которых изменились").set_defaults(
        func=cmd_refresh)
    approve = sub.add_parser("approve", help="утвердить (заморозить) рейтинг за квартал")
    approve.add_argument("--quarter", help="квартал, например 2026Q1 (по умолчанию — последний завершившийся)")
    approve.add_argument("--accept-gaps", action="store_true",
                         help="подтвердить пробелы в данных (страницы без оценки, недели без полных данных)")
    approve.set_defaults(func=cmd_approve)
    unapprove = sub.add_parser("unapprove", help="отозвать утверждение рейтинга (администратор, с причиной)")
    unapprove.add_argument("--quarter", required=True, help="квартал, например 2026Q1")
    unapprove.add_argument("--reason", required=True, help="причина отзыва")
    unapprove.set_defaults(func=cmd_unapprove)
    report = sub.add_parser("report", help="отчёт за квартал в PDF (весь или по органу), Excel, рассылка по почте")
    report.add_argument("--quarter", help="квартал, например 2026Q3, или current — идущий (по умолчанию — последний "
                                          "завершившийся)")
    report.add_argument("--pdf", metavar="ФАЙЛ", help="сохранить PDF: квартальный отчёт или, с --body, отчёт органа")
    report.add_argument("--xlsx", metavar="ФАЙЛ", help="сохранить книгу Excel (с --body — по органу)")
    report.add_argument("--body", metavar="НАИМЕНОВАНИЕ", help="исполнительный орган (полное наименование или его "
                                                                "часть, которая есть только у одного органа)")
    report.add_argument("--send", action="store_true", help="разослать отчёты по почте (получатели — файл "
                                                            "получателей или --to; SMTP — GOSPABLIKI_SMTP_*)")
    report.add_argument("--to", nargs="+", metavar="АДРЕС", help="вместо файла получателей: эти адреса получат "
                                                                  "квартальный отчёт (с --body — отчёт органа)")
    report.add_argument("--recipients", metavar="ФАЙЛ", help="файл получателей CSV (по умолчанию "
                                                             "GOSPABLIKI_RECIPIENTS или data/recipients.csv)")
    report.add_argument("--dry-run", action="store_true", help="показать, кому и что будет отправлено, не отправляя")
    report.add_argument("--approved-only", action="store_true",
                        help="только утверждённый рейтинг: иначе завершиться с ошибкой (для расписания)")
    report.set_defaults(func=cmd_report)
    registry = sub.add_parser("registry", help="выгрузить публичный реестр официальных страниц (на дату)")
    registry.add_argument("--as-of", help="реестр на дату ГГГГ-ММ-ДД (по умолчанию — сегодня)")
    registry.add_argument("--xlsx", help="файл xlsx")
    registry.add_argument("--csv", help="файл csv (UTF-8, разделитель «;»)")
    registry.add_argument("--html", help="страница HTML для сайта (один файл, без внешних ссылок)")
    registry.set_defaults(func=cmd_registry)
    roles = ("body", "viewer", "analyst", "admin")
    body_help = "исполнительный орган для роли body — наименование, как в реестре"
    migrate = sub.add_parser("migrate", help="обновить схему базы данных до текущей версии (миграции Alembic)")
    migrate.set_defaults(func=cmd_migrate)
    user = sub.add_parser("user-add", help="добавить пользователя или сменить пароль и роль")
    user.add_argument("username")
    user.add_argument("--role", choices=roles, default="viewer")
    user.add_argument("--body", help=body_help)
    user.add_argument("--password", help="пароль (если не указан, будет запрошен)")
    user.add_argument("--oidc", action="store_true",
                      help="вход только через поставщика удостоверений (имя пользователя — его e-mail), без пароля")
    user.set_defaults(func=cmd_user_add)
    user_role = sub.add_parser("user-role", help="сменить роль пользователя (действует со следующего действия)")
    user_role.add_argument("username")
    user_role.add_argument("--role", choices=roles, required=True)
    user_role.add_argument("--body", help=body_help)
    user_role.set_defaults(func=cmd_user_role)
    user_password = sub.add_parser("user-password", help="сменить пароль пользователя (его сеансы завершаются)")
    user_password.add_argument("username")
    user_password.add_argument("--password", help="новый пароль (если не указан, будет запрошен)")
    user_password.set_defaults(func=cmd_user_password)
    user_disable = sub.add_parser("user-disable", help="отключить пользователя (его сеансы завершаются)")
    user_disable.add_argument("username")
    user_disable.add_argument("--enable", action="store_true", help="снова разрешить вход")
    user_disable.set_defaults(func=cmd_user_disable)
    user_list = sub.add_parser("user-list", help="пользователи, роли, органы")
    user_list.set_defaults(func=cmd_user_list)
    bench = sub.add_parser("bench", help="замер производительности на синтетических данных (README, «Производительность»)")
    bench.add_argument("--scale", choices=("tomsk", "region10", "national"), default="tomsk",
                       help="масштаб: Томская область, 10 таких регионов, вся страна")
    bench.add_argument("--json", action="store_true")
    bench.add_argument("--repeat", type=int, default=5, help="повторов каждого замера (берётся медиана)")
    bench.add_argument("--pandas-repeat", type=int, help="повторов расчёта в pandas (по умолчанию 3; национальный — 1)")
    bench.add_argument("--no-db", action="store_true", help="без замера чтения из SQLite и PostgreSQL")
    bench.add_argument("--no-screens", action="store_true", help="без замера экранов приложения")
    bench.add_argument("--no-big-ingest", action="store_true",
                       help="без замера загрузки большого файла (≈ 200 МБ, data/bench/)")
    bench.add_argument("--no-demo", action="store_true",
                       help="без замера загрузки демо (`cli.py demo` в пустую базу, до 3 раз)")
    bench.add_argument("--quiet", action="store_true", help="не печатать ход замера")
    bench.set_defaults(func=cmd_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except LoadError as error:
        print(f"Ошибка: {error}", file=sys.stderr)
        return 1
    except ValueError as error:
        print(f"Ошибка: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
