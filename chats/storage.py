"""Where chat attachments live: the ``chats`` storage alias of ``settings.STORAGES``.

Private like materials': local disk outside MEDIA_ROOT by default, a private S3 prefix when S3 is
configured; every download goes through a permission-checked view (see ``chats/downloads.py``).
"""

from django.core.files.storage import Storage, storages
from django.utils.deconstruct import deconstructible

ALIAS = "chats"


@deconstructible(path="chats.storage.ChatsStorage")
class ChatsStorage(Storage):
    @property
    def backend(self) -> Storage:
        return storages[ALIAS]

    def open(self, name, mode="rb"):
        return self.backend.open(name, mode)

    def save(self, name, content, max_length=None):
        return self.backend.save(name, content, max_length=max_length)

    def delete(self, name):
        return self.backend.delete(name)

    def exists(self, name):
        return self.backend.exists(name)

    def size(self, name):
        return self.backend.size(name)

    def listdir(self, path):
        return self.backend.listdir(path)

    def url(self, name):
        raise NotImplementedError("Chat attachments have no public URL; use the download view.")

    def path(self, name):
        return self.backend.path(name)

    def generate_filename(self, filename):
        return self.backend.generate_filename(filename)

    def get_available_name(self, name, max_length=None):
        return self.backend.get_available_name(name, max_length=max_length)

    def get_valid_name(self, name):
        return self.backend.get_valid_name(name)
