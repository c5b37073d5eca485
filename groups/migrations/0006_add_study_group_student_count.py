"""``StudyGroup.student_count``: the group's active enrollments, kept by the enrollment services from now on.

Filled here from the enrollments with one UPDATE and a correlated count, which SQLite and PostgreSQL
both run; groups without students keep the default 0.
"""

from django.db import migrations, models
from django.db.models import Count, IntegerField, OuterRef, Subquery


def fill_student_counts(apps, schema_editor):
    StudyGroup = apps.get_model("groups", "StudyGroup")
    Enrollment = apps.get_model("groups", "Enrollment")
    active = (
        Enrollment.objects.filter(group=OuterRef("pk"), ended_at__isnull=True)
        .order_by()
        .values("group")
        .annotate(n=Count("pk"))
        .values("n")
    )
    has_students = Enrollment.objects.filter(ended_at__isnull=True).values("group_id")
    StudyGroup.objects.filter(pk__in=has_students).update(student_count=Subquery(active, output_field=IntegerField()))


class Migration(migrations.Migration):
    dependencies = [
        ("groups", "0005_add_guardians"),
    ]

    operations = [
        migrations.AddField(
            model_name="studygroup",
            name="student_count",
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name="обучающихся"),
        ),
        migrations.RunPython(fill_student_counts, migrations.RunPython.noop, elidable=True),
    ]
