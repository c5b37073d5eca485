"""factory_boy factories shared by every app's tests."""

import datetime

import factory
from django.db.models import F
from django.utils import timezone
from factory.django import DjangoModelFactory

from accounts.models import User
from chats.models import Chat, ChatKind, ChatMember, Message
from colleges.models import College, CollegeApplication, Department, Membership, Role
from groups.models import (
    CuratorAssignment,
    Discipline,
    Enrollment,
    StaffGroup,
    StudyGroup,
    SubjectTeacherAssignment,
)


def _inn(n: int) -> str:
    """A valid 10-digit organisation INN built from ``n``."""
    body = f"77{n:07d}"
    weights = (2, 4, 10, 3, 5, 9, 4, 6, 8)
    check = sum(int(d) * w for d, w in zip(body, weights, strict=False)) % 11 % 10
    return body + str(check)


def _ogrn(n: int) -> str:
    body = f"{102770000000 + n:012d}"
    return body + str(int(body) % 11 % 10)


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    phone = factory.Sequence(lambda n: f"+7916{n:07d}")
    phone_verified = True
    last_name = factory.Iterator(["Иванов", "Петрова", "Сидоров", "Кузнецова", "Смирнов"])
    first_name = factory.Iterator(["Иван", "Мария", "Пётр", "Анна", "Алексей"])
    patronymic = factory.Iterator(["Иванович", "Сергеевна", "Петрович", "Олеговна", ""])
    password = factory.PostGenerationMethodCall("set_password", "пароль-для-тестов-1")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class CollegeFactory(DjangoModelFactory):
    class Meta:
        model = College

    full_name = factory.Sequence(lambda n: f"ГБПОУ «Технический колледж № {n}»")
    short_name = factory.Sequence(lambda n: f"Технический колледж № {n}")
    inn = factory.Sequence(_inn)
    ogrn = factory.Sequence(_ogrn)
    region = "Тверская область"
    address = "г. Тверь, ул. Советская, д. 1"
    email = factory.Sequence(lambda n: f"college{n}@example.org")


class CollegeApplicationFactory(DjangoModelFactory):
    class Meta:
        model = CollegeApplication

    full_name = factory.Sequence(lambda n: f"ГБПОУ «Политехнический колледж № {n}»")
    short_name = factory.Sequence(lambda n: f"Политехнический колледж № {n}")
    inn = factory.Sequence(lambda n: _inn(50000 + n))
    ogrn = factory.Sequence(lambda n: _ogrn(50000 + n))
    region = "Тверская область"
    address = "г. Тверь, пр-т Ленина, д. 2"
    email = factory.Sequence(lambda n: f"apply{n}@example.org")
    admin_last_name = "Соколова"
    admin_first_name = "Елена"
    admin_patronymic = "Викторовна"
    admin_phone = factory.Sequence(lambda n: f"+7915{n:07d}")
    order_number = factory.Sequence(lambda n: f"{n}-од")
    order_date = datetime.date(2026, 9, 1)
    order_file = factory.django.FileField(
        filename="prikaz.pdf", data=b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n%%EOF\n"
    )


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department

    college = factory.SubFactory(CollegeFactory)
    name = factory.Sequence(lambda n: f"Отделение {n}")


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    college = factory.SubFactory(CollegeFactory)
    role = Role.TEACHER


class StudyGroupFactory(DjangoModelFactory):
    class Meta:
        model = StudyGroup

    college = factory.SubFactory(CollegeFactory)
    department = factory.SubFactory(DepartmentFactory, college=factory.SelfAttribute("..college"))
    name = factory.Sequence(lambda n: f"ИС-{n}")
    specialty_code = "09.02.07"
    specialty_name = "Информационные системы и программирование"
    course = 1
    admission_year = 2026


class StaffGroupFactory(DjangoModelFactory):
    class Meta:
        model = StaffGroup

    college = factory.SubFactory(CollegeFactory)
    name = factory.Sequence(lambda n: f"Педагогический состав {n}")


class DisciplineFactory(DjangoModelFactory):
    class Meta:
        model = Discipline

    college = factory.SubFactory(CollegeFactory)
    name = factory.Sequence(lambda n: f"Дисциплина {n}")


class CuratorAssignmentFactory(DjangoModelFactory):
    class Meta:
        model = CuratorAssignment

    group = factory.SubFactory(StudyGroupFactory)
    college = factory.SelfAttribute("group.college")
    teacher = factory.SubFactory(MembershipFactory, college=factory.SelfAttribute("..group.college"), role=Role.TEACHER)
    started_at = datetime.date(2026, 9, 1)


class SubjectTeacherAssignmentFactory(DjangoModelFactory):
    class Meta:
        model = SubjectTeacherAssignment

    group = factory.SubFactory(StudyGroupFactory)
    college = factory.SelfAttribute("group.college")
    teacher = factory.SubFactory(MembershipFactory, college=factory.SelfAttribute("..group.college"), role=Role.TEACHER)
    discipline = factory.SubFactory(DisciplineFactory, college=factory.SelfAttribute("..group.college"))
    started_at = datetime.date(2026, 9, 1)


class EnrollmentFactory(DjangoModelFactory):
    class Meta:
        model = Enrollment

    group = factory.SubFactory(StudyGroupFactory)
    college = factory.SelfAttribute("group.college")
    student = factory.SubFactory(MembershipFactory, college=factory.SelfAttribute("..group.college"), role=Role.STUDENT)
    started_at = datetime.date(2026, 9, 1)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        enrollment = super()._create(model_class, *args, **kwargs)
        if enrollment.ended_at is None:
            # What groups' enrollment services keep: the group's count of its active students.
            StudyGroup.objects.filter(pk=enrollment.group_id).update(student_count=F("student_count") + 1)
            enrollment.group.student_count += 1
        return enrollment


class ChatFactory(DjangoModelFactory):
    class Meta:
        model = Chat

    college = factory.SubFactory(CollegeFactory)
    kind = ChatKind.FREE
    title = factory.Sequence(lambda n: f"Чат {n}")


class ChatMemberFactory(DjangoModelFactory):
    class Meta:
        model = ChatMember

    chat = factory.SubFactory(ChatFactory)
    member = factory.SubFactory(MembershipFactory, college=factory.SelfAttribute("..chat.college"))
    joined_at = factory.LazyFunction(timezone.now)


class MessageFactory(DjangoModelFactory):
    class Meta:
        model = Message

    chat = factory.SubFactory(ChatFactory)
    college = factory.SelfAttribute("chat.college")
    text = factory.Sequence(lambda n: f"Сообщение {n}")
