"""The small copy of a screenshot the question's page shows (``TicketAttachment.thumbnail``).

Made once, when the service stores the image, so a thread of several 3–5 MB phone screenshots loads
some tens of kilobytes each; the full picture opens on a tap. The image has passed the content check
(``core.files``), but that check does not decode every pixel of a PNG: a file whose pixels do not
decode, or that would unpack to more than ``SUPPORT_THUMBNAIL_MAX_PIXELS``, is refused at upload with
a message, so nothing is stored that the page could only show by sending the browser the whole of it.
"""

import io
import math
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image, ImageOps

from core.containers import image_decode_errors
from support import messages

CONTENT_TYPE = "image/jpeg"
EXTENSION = "jpg"
QUALITY = 80
# The formats the content check lets through as images (support.services.ACCEPTED).
FORMATS = ("PNG", "JPEG", "WEBP")


def thumbnail_make(uploaded, *, name: str) -> bytes:
    """The JPEG bytes of ``uploaded`` fitted into ``SUPPORT_THUMBNAIL_SIZE``; ValidationError (with the
    Russian reason) when its pixels do not decode or are too many. ``uploaded`` is left at its start."""
    width_max, height_max = settings.SUPPORT_THUMBNAIL_SIZE
    limit = settings.SUPPORT_THUMBNAIL_MAX_PIXELS
    uploaded.seek(0)
    try:
        with warnings.catch_warnings():
            # Pillow's own ceiling only warns below twice its size: here anything over it is refused.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(uploaded, formats=FORMATS) as image:
                # A JPEG decodes straight at 1/2…1/8 scale (a 48 MP photo costs what a 1 MP one does).
                image.draft("RGB", _draft_size(image.size, (width_max, height_max)))
                width, height = image.size
                if width * height > limit:
                    raise _too_large(name, limit)
                image.load()
                small = ImageOps.exif_transpose(image)
                small.thumbnail((width_max, height_max), Image.Resampling.LANCZOS)
                return _jpeg(small)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_large(name, limit) from None
    except image_decode_errors():
        raise ValidationError(messages.IMAGE_BROKEN.format(name=name), code="image_broken") from None
    finally:
        uploaded.seek(0)


def _draft_size(size: tuple[int, int], box: tuple[int, int]) -> tuple[int, int]:
    """The least size to decode at so that the copy still fills ``box``, whichever way up the camera's
    orientation tag turns the picture after decoding."""
    width, height = size
    ratio = max(min(box[0] / width, box[1] / height), min(box[0] / height, box[1] / width))
    return max(1, math.ceil(width * ratio)), max(1, math.ceil(height * ratio))


def _too_large(name: str, limit: int) -> ValidationError:
    megapixels = f"{limit / 1_000_000:.1f}".rstrip("0").rstrip(".").replace(".", ",")
    return ValidationError(messages.IMAGE_TOO_LARGE.format(name=name, limit=megapixels), code="image_too_large")


def _jpeg(image: Image.Image) -> bytes:
    """JPEG has no transparency: a transparent screenshot is laid on white, as a page shows it."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, (255, 255, 255))
        background.paste(image, mask=image.getchannel("A"))
        image = background
    elif image.mode != "RGB":
        image = image.convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=QUALITY, optimize=True)
    return buffer.getvalue()
