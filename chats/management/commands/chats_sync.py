"""``manage.py chats_sync``: make every college's chats and every active group's roster chats, and bring
their members in line with the roster — for colleges that existed before chats did, or after an outage
of the broker. Safe to run again: a second run changes nothing."""

from django.core.management.base import BaseCommand

from chats.services import chat_sync_college, chat_sync_group
from colleges.models import College
from groups.models import StudyGroup


class Command(BaseCommand):
    help = "Создать чаты колледжей и групп и привести их состав в соответствие со списками."

    def handle(self, *args, **options):
        colleges = groups = 0
        for college in College.objects.filter(status=College.Status.ACTIVE).order_by("pk"):
            chat_sync_college(college=college)
            colleges += 1
        for group in StudyGroup.objects.filter(status=StudyGroup.Status.ACTIVE).order_by("pk"):
            chat_sync_group(group=group)
            groups += 1
        self.stdout.write(self.style.SUCCESS(f"Чаты проверены: колледжей {colleges}, учебных групп {groups}."))
