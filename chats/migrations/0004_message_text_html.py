from django.db import migrations, models

BATCH = 2000


def fill_text_html(apps, schema_editor):
    """Each existing message's ``text_html``: its text through the same sanitiser the services now call at
    write time (``chats.formatting.render_message``), with the @-names of the mentions saved with it."""
    from chats.formatting import mention_names, render_message

    Message = apps.get_model("chats", "Message")
    MessageMention = apps.get_model("chats", "MessageMention")
    last = 0
    while True:
        rows = list(Message.objects.filter(pk__gt=last).exclude(text="").order_by("pk")[:BATCH])
        if not rows:
            return
        names: dict[int, dict[str, int]] = {}
        mentions = MessageMention.objects.filter(message__in=rows).select_related("member__user")
        for mention in mentions:
            for name in mention_names(mention.member.user):
                names.setdefault(mention.message_id, {})[name] = mention.member_id
        for row in rows:
            row.text_html = render_message(row.text, names.get(row.pk))
        Message.objects.bulk_update(rows, ["text_html"])
        last = rows[-1].pk


class Migration(migrations.Migration):
    dependencies = [
        ("chats", "0003_add_message_college_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="message",
            name="text_html",
            field=models.TextField(blank=True, editable=False, verbose_name="текст в HTML"),
        ),
        migrations.RunPython(fill_text_html, migrations.RunPython.noop, elidable=True),
    ]
