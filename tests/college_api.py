"""URLs of the college API (``/api/v1/colleges/<college_id>/…``) for the tests."""

from django.urls import reverse


def api_url(name: str, college, **kwargs) -> str:
    """``api_url("api:study-group-detail", college, pk=group.pk)``: the endpoint in ``college`` (or a college id)."""
    college_id = college if isinstance(college, int) else college.pk
    return reverse(name, kwargs={"college_id": college_id, **kwargs})
