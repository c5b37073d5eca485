"""``{% parents_invite chat %}``: the «Пригласить родителей» button of a parents' chat, for whoever may invite."""

from django import template

from chats.permissions import can_invite_parents_to

register = template.Library()


@register.inclusion_tag("chats/_parents_invite.html", takes_context=True)
def parents_invite(context, chat):
    request = context.get("request")
    user = getattr(request, "user", None)
    show = user is not None and can_invite_parents_to(user, chat)
    return {"show": show, "group_pk": chat.study_group_id}
