"""A private file storage that stands for an alias of ``settings.STORAGES``.

Local disk outside MEDIA_ROOT by default (nothing serves it by URL), a private
S3 bucket prefix when S3 is configured. Every download goes through a
permission-checked view. The proxy looks the alias up at each call, so a
test or a deploy that changes ``STORAGES`` is followed without a migration.
An app subclasses it with its ``alias`` (materials, chats).
"""

from django.core.files.storage import Storage, storages


class PrivateAliasStorage(Storage):
    alias = ""
    no_url_message = "These files have no public URL; use the download view."

    @property
    def backend(self) -> Storage:
        return storages[self.alias]

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
        raise NotImplementedError(self.no_url_message)

    def path(self, name):
        return self.backend.path(name)

    def generate_filename(self, filename):
        return self.backend.generate_filename(filename)

    def get_available_name(self, name, max_length=None):
        return self.backend.get_available_name(name, max_length=max_length)

    def get_valid_name(self, name):
        return self.backend.get_valid_name(name)
