import pytest

from colleges.models import Membership, Role
from colleges.services import staff_add


@pytest.mark.django_db(transaction=True)
def test_staff_add_runs_in_its_own_transaction_outside_any_caller_transaction(administrator, college):
    membership = staff_add(
        actor=administrator,
        college=college,
        phone="8 (912) 555-01-02",
        last_name="Орлова",
        first_name="Нина",
        patronymic="",
        role=Role.TEACHER,
        position="преподаватель",
    )

    assert Membership.objects.get(pk=membership.pk).user.phone == "+79125550102"
