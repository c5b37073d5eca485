"""Where support's screenshots and PDFs live: the ``support`` storage alias of ``settings.STORAGES``
(``core.storage``; configured in sferum_admin/settings_support.py).

Private like materials' and chats'; every download goes through a permission-checked view
(``support/downloads.py``).
"""

from django.utils.deconstruct import deconstructible

from core.storage import PrivateAliasStorage

ALIAS = "support"


@deconstructible(path="support.storage.SupportStorage")
class SupportStorage(PrivateAliasStorage):
    alias = ALIAS
    no_url_message = "Support attachments have no public URL; use the download view."
