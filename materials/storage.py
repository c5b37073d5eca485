"""Where material files live: the ``materials`` storage alias of ``settings.STORAGES`` (see ``core.storage``)."""

from django.utils.deconstruct import deconstructible

from core.storage import PrivateAliasStorage

ALIAS = "materials"


@deconstructible(path="materials.storage.MaterialsStorage")
class MaterialsStorage(PrivateAliasStorage):
    alias = ALIAS
    no_url_message = "Material files have no public URL; use the download view."
