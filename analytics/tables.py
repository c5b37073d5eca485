"""Each section as a table for CSV and XLSX (``core.exports``: formula-safe), the page's figures row by row."""

from collections.abc import Iterable

from analytics import figures

JOINING_HEADER = [
    "Раздел",
    "Роль или группа",
    "Всего",
    "Входили хотя бы раз",
    "Доля, %",
    "Входили за период",
    "Доля за период, %",
]


def joining(found: dict) -> tuple[list[str], Iterable[list]]:
    rows = [
        ["Роль", row["label"], row["total"], row["ever"], row["share_ever"], row["in_period"], row["share_period"]]
        for row in found["roles"]
    ] + [
        ["Группа", row["name"], row["total"], row["ever"], row["share_ever"], row["in_period"], row["share_period"]]
        for row in found["groups"]
    ]
    return JOINING_HEADER, rows


FIGURE_HEADER = ["Раздел", "Строка", "Показатель", "Значение"]


def invitations(found: dict) -> tuple[list[str], list[list]]:
    rows: list[list] = []
    for row in found["by_role"]:
        name = f"{row['role_label']}, {row['kind_label']}"
        rows += _link_figures("Ссылки по ролям", name, row)
    for row in found["by_group"]:
        rows += _link_figures("Ссылки по группам", f"{row['group']}, {row['role_label']}", row)
    for row in found["delivery"]:
        rows += [
            ["Рассылка", row["label"], "поставлено в рассылку", row["queued"]],
            ["Рассылка", row["label"], "отправлено", row["sent"]],
            ["Рассылка", row["label"], "ошибка отправки", row["failed"]],
            ["Рассылка", row["label"], "присоединились", row["joined"]],
        ]
    rows += [["Заявки на вступление", row["label"], "заявок", row["count"]] for row in found["requests"]]
    return FIGURE_HEADER, rows


def _link_figures(section: str, name: str, row: dict) -> list[list]:
    return [
        [section, name, "ссылок создано", row["links"]],
        [section, name, "мест занято", row["uses"]],
        [section, name, "мест всего (ссылки с ограничением)", row["places"]],
        [section, name, "ссылок без ограничения", row["unlimited"]],
    ]


def chats(found: dict) -> tuple[list[str], list[list]]:
    rows: list[list] = [
        ["Всего", "все чаты", "сообщений", found["messages"]],
        ["Всего", "все чаты", "авторов", found["authors"]],
    ]
    for row in found["by_kind"]:
        rows += [
            ["Вид чата", row["label"], "сообщений", row["messages"]],
            ["Вид чата", row["label"], "авторов", row["authors"]],
        ]
    rows += [["Самые активные чаты", row["title"], "сообщений", row["messages"]] for row in found["top"]]
    rows += [["Чаты групп без сообщений", row["title"], "сообщений", 0] for row in found["silent"]]
    moderation = found["moderation"]
    rows += [
        ["Модерация", "сообщения", "удалено модераторами", moderation["deleted"]],
        ["Модерация", "участники", "ограничено в отправке", moderation["muted"]],
        ["Модерация", "участники", "заблокировано", moderation["banned"]],
        ["Модерация", "участники", "исключено из чатов", moderation["removed"]],
        ["Жалобы", "за период", "подано", found["reports_filed"]],
        ["Жалобы", "сейчас", "ждут решения", found["reports_open"]],
    ]
    return FIGURE_HEADER, rows


SESSIONS_HEADER = ["Начало", "Тема", "Вид", "Статус", "Ведущий", "Вошли", "Аудитория", "Посещаемость, %"]


def sessions(rows: Iterable) -> tuple[list[str], Iterable[list]]:
    def line(session) -> list:
        row = figures.session_row(session)
        return [
            row["starts_at"],
            row["title"],
            row["kind_label"],
            row["status_label"],
            row["host"],
            row["attended"],
            row["audience"],
            row["share"],
        ]

    return SESSIONS_HEADER, (line(session) for session in rows)


TEACHERS_HEADER = ["ФИО", "Должность", "Сообщений в чатах", "Опубликовано материалов", "Проведено занятий и встреч"]


def teachers(rows: list[dict]) -> tuple[list[str], list[list]]:
    return TEACHERS_HEADER, [
        [row["name"], row["position"], row["messages"], row["materials"], row["sessions"]] for row in rows
    ]
