"""Where chat attachments live: the ``chats`` storage alias of ``settings.STORAGES`` (see ``core.storage``).

Private like materials'; every download goes through a permission-checked view (``chats/downloads.py``).
"""

from django.utils.deconstruct import deconstructible

from core.storage import PrivateAliasStorage

ALIAS = "chats"


@deconstructible(path="chats.storage.ChatsStorage")
class ChatsStorage(PrivateAliasStorage):
    alias = ALIAS
    no_url_message = "Chat attachments have no public URL; use the download view."
