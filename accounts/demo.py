"""The people of the demo college (``manage.py seed_demo``): Russian names and the accounts made for them.

Rows are written with ``bulk_create`` instead of the services: the services write one row and one
audit event at a time, and 10 000 students must load in seconds. This is the documented exception
for seeding only; the command refuses production. One ``demo.seed`` audit event records the seeding.
"""

import random
from dataclasses import dataclass
from urllib.parse import quote

from django.conf import settings

from accounts.models import User

STAFF_PHONE = "+79990000000"
STAFF_EMAIL = "operator@example.org"
DEMO_STAFF_PASSWORD = "demo-sferum-2026"
# Base32, as authenticator apps expect. A demo secret, printed on purpose.
DEMO_TOTP_SECRET = "SFERUMADMINDEMOSECRETKEY23456722"

SURNAMES = [
    "Иванов",
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Васильев",
    "Петров",
    "Соколов",
    "Михайлов",
    "Новиков",
    "Фёдоров",
    "Морозов",
    "Волков",
    "Алексеев",
    "Лебедев",
    "Семёнов",
    "Егоров",
    "Павлов",
    "Козлов",
    "Степанов",
    "Николаев",
    "Орлов",
    "Андреев",
    "Макаров",
    "Никитин",
    "Захаров",
    "Зайцев",
    "Соловьёв",
    "Борисов",
    "Яковлев",
    "Григорьев",
    "Романов",
    "Воробьёв",
    "Сергеев",
    "Кузьмин",
    "Фролов",
    "Александров",
    "Дмитриев",
    "Королёв",
    "Гусев",
    "Киселёв",
    "Ильин",
    "Максимов",
    "Поляков",
    "Сорокин",
    "Виноградов",
    "Ковалёв",
    "Белов",
    "Медведев",
    "Антонов",
    "Тарасов",
    "Жуков",
    "Баранов",
    "Филиппов",
    "Комаров",
    "Давыдов",
    "Беляев",
    "Герасимов",
    "Богданов",
    "Осипов",
    "Сидоров",
    "Матвеев",
    "Титов",
    "Марков",
    "Миронов",
    "Крылов",
    "Куликов",
    "Карпов",
    "Власов",
    "Мельников",
    "Денисов",
    "Гаврилов",
    "Тихонов",
    "Казаков",
    "Афанасьев",
    "Данилов",
    "Савельев",
    "Тимофеев",
    "Фомин",
    "Чернов",
    "Абрамов",
    "Мартынов",
    "Ефимов",
    "Федотов",
    "Щербаков",
    "Назаров",
    "Калинин",
    "Исаев",
    "Чернышёв",
    "Быков",
    "Маслов",
    "Родионов",
    "Коновалов",
    "Лазарев",
    "Воронин",
    "Климов",
    "Филатов",
    "Пономарёв",
    "Голубев",
    "Кудрявцев",
    "Прохоров",
    "Наумов",
    "Потапов",
    "Журавлёв",
    "Овчинников",
    "Трофимов",
    "Леонов",
    "Соболев",
    "Ермаков",
    "Колесников",
    "Гончаров",
    "Емельянов",
    "Никифоров",
    "Грачёв",
    "Котов",
    "Гришин",
    "Ефремов",
    "Архипов",
    "Громов",
    "Кириллов",
    "Малышев",
    "Панов",
    "Моисеев",
    "Румянцев",
    "Акимов",
    "Кондратьев",
    "Бирюков",
    "Горбунов",
    "Анисимов",
    "Еремин",
    "Тихомиров",
    "Галкин",
    "Лукьянов",
    "Михеев",
    "Скворцов",
    "Юдин",
    "Белоусов",
    "Нестеров",
    "Симонов",
    "Прокофьев",
    "Харитонов",
    "Князев",
    "Цветков",
    "Левин",
    "Митрофанов",
    "Воронцов",
    "Аксенов",
    "Софронов",
    "Мальцев",
    "Логинов",
    "Горшков",
    "Савин",
    "Краснов",
    "Майоров",
    "Демидов",
    "Елисеев",
    "Рыбаков",
    "Сафонов",
    "Плотников",
    "Дёмин",
    "Хохлов",
    "Жданов",
    "Руденко",
    "Шевченко",
    "Бондаренко",
    "Кравченко",
    "Черных",
    "Седых",
    "Белых",
    "Долгих",
    "Островский",
    "Вишневский",
    "Ковальский",
]
MALE_NAMES = [
    "Александр",
    "Дмитрий",
    "Максим",
    "Сергей",
    "Андрей",
    "Алексей",
    "Артём",
    "Илья",
    "Кирилл",
    "Михаил",
    "Никита",
    "Матвей",
    "Роман",
    "Егор",
    "Арсений",
    "Иван",
    "Денис",
    "Евгений",
    "Даниил",
    "Тимофей",
    "Владислав",
    "Игорь",
    "Владимир",
    "Павел",
    "Руслан",
    "Марк",
    "Константин",
    "Тимур",
    "Олег",
    "Ярослав",
    "Антон",
    "Николай",
    "Глеб",
    "Данила",
    "Савелий",
    "Вадим",
    "Степан",
    "Юрий",
    "Богдан",
    "Лев",
    "Фёдор",
    "Григорий",
    "Виктор",
    "Георгий",
    "Семён",
]
FEMALE_NAMES = [
    "Анастасия",
    "Мария",
    "Анна",
    "Виктория",
    "Екатерина",
    "Наталья",
    "Марина",
    "Полина",
    "София",
    "Дарья",
    "Алиса",
    "Ксения",
    "Александра",
    "Елена",
    "Юлия",
    "Ирина",
    "Ольга",
    "Вероника",
    "Валерия",
    "Алина",
    "Татьяна",
    "Варвара",
    "Елизавета",
    "Кристина",
    "Арина",
    "Ева",
    "Диана",
    "Маргарита",
    "Светлана",
    "Ульяна",
    "Василиса",
    "Милана",
    "Яна",
    "Вера",
    "Людмила",
    "Надежда",
    "Галина",
    "Любовь",
    "Софья",
    "Таисия",
]
# Fathers' names and the patronymics made from them (male, female).
PATRONYMICS = [
    ("Александрович", "Александровна"), ("Дмитриевич", "Дмитриевна"), ("Сергеевич", "Сергеевна"),
    ("Андреевич", "Андреевна"), ("Алексеевич", "Алексеевна"), ("Михайлович", "Михайловна"),
    ("Иванович", "Ивановна"), ("Евгеньевич", "Евгеньевна"), ("Владимирович", "Владимировна"),
    ("Павлович", "Павловна"), ("Николаевич", "Николаевна"), ("Олегович", "Олеговна"),
    ("Викторович", "Викторовна"), ("Юрьевич", "Юрьевна"), ("Игоревич", "Игоревна"),
    ("Петрович", "Петровна"), ("Васильевич", "Васильевна"), ("Анатольевич", "Анатольевна"),
    ("Романович", "Романовна"), ("Максимович", "Максимовна"), ("Константинович", "Константиновна"),
    ("Вячеславович", "Вячеславовна"), ("Геннадьевич", "Геннадьевна"), ("Борисович", "Борисовна"),
    ("Артёмович", "Артёмовна"), ("Денисович", "Денисовна"), ("Ильич", "Ильинична"),
    ("Григорьевич", "Григорьевна"), ("Фёдорович", "Фёдоровна"), ("Тимурович", "Тимуровна"),
]  # fmt: skip


def feminine_surname(surname: str) -> str:
    """Иванов → Иванова, Островский → Островская; Шевченко and Черных stay as they are."""
    if surname.endswith(("ов", "ёв", "ев", "ин", "ын")):
        return surname + "а"
    if surname.endswith(("ский", "цкий")):
        return surname[:-2] + "ая"
    return surname


class NameMaker:
    """Russian full names from the fixed lists, in an order fixed by the seed."""

    def __init__(self, rng: random.Random):
        self.rng = rng

    def person(self) -> dict[str, str]:
        female = self.rng.random() < 0.5
        surname = self.rng.choice(SURNAMES)
        patronymic = self.rng.choice(PATRONYMICS)[1 if female else 0]
        return {
            "last_name": feminine_surname(surname) if female else surname,
            "first_name": self.rng.choice(FEMALE_NAMES if female else MALE_NAMES),
            # Some people, by their family's tradition, have no patronymic.
            "patronymic": "" if self.rng.random() < 0.03 else patronymic,
        }


@dataclass(frozen=True)
class DemoPerson:
    phone: str
    last_name: str
    first_name: str
    patronymic: str


def demo_person(names: NameMaker, phone: str) -> DemoPerson:
    return DemoPerson(phone=phone, **names.person())


def demo_users_create(*, people: list[DemoPerson]) -> list[User]:
    """Accounts with these phones (confirmed) and names, no password: they sign in by SMS code. In order."""
    users = [
        User(
            phone=person.phone,
            last_name=person.last_name,
            first_name=person.first_name,
            patronymic=person.patronymic,
            phone_verified=True,
        )
        for person in people
    ]
    for user in users:
        user.set_unusable_password()
        user.fill_search_fields()  # bulk_create skips save(), which sets them
    return User.objects.bulk_create(users, batch_size=2000)


def demo_platform_operator_create() -> User:
    """The platform's own staff member: phone or e-mail and ``DEMO_STAFF_PASSWORD``, then TOTP."""
    operator = User(
        phone=STAFF_PHONE,
        email=STAFF_EMAIL,
        phone_verified=True,
        is_staff=True,
        # A person's name, not the role spelt across the name fields: pages greet people by
        # first name (the Django admin's «Добро пожаловать, …» read «…, ПЛАТФОРМЫ»).
        last_name="Соколова",
        first_name="Мария",
        patronymic="Андреевна",
    )
    operator.set_password(DEMO_STAFF_PASSWORD)
    operator.save()
    demo_totp_activate(operator)
    return operator


def demo_totp_activate(user: User) -> None:
    """An activated TOTP authenticator with ``DEMO_TOTP_SECRET``: added to an app once, reused after reseeds."""
    from allauth.mfa.totp.internal.auth import TOTP

    TOTP.activate(user, DEMO_TOTP_SECRET)


def totp_uri(phone: str) -> str:
    issuer = settings.MFA_TOTP_ISSUER
    return f"otpauth://totp/{quote(issuer)}:{quote(phone)}?secret={DEMO_TOTP_SECRET}&issuer={quote(issuer)}"
