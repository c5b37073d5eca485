"""The roster import: a file is uploaded, dry-run against the college, then applied by the worker.

Applying writes people, roles and enrollments through the owning apps' bulk services (``accounts``,
``colleges``, ``groups``, each audited as its single service is); this app writes only its batches,
roster rows and movements.
"""

import datetime
import hashlib
from dataclasses import dataclass, field
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from accounts.services import PersonByPhone, users_get_or_create_many
from audit.services import audit_log
from colleges.models import College, Membership, Role
from colleges.services import memberships_add_many_unchecked, memberships_end_many_unchecked
from core import college_cache
from core.bulk import instance_maker
from groups.models import Enrollment, StudyGroup
from groups.services import EnrollmentStart, enrollments_end_many, enrollments_start_many
from groups.signals import EnrollmentChange
from movement.importers import (
    BAD_CHARACTER,
    FIELDS,
    MISSING_COLUMNS_MESSAGE,
    REQUIRED,
    auto_mapping,
    clean_phone,
    missing_required,
    parse_date,
    read_table,
)
from movement.messages import (
    IMPORT_HAS_ERRORS_MESSAGE,
    IMPORT_NOT_PREVIEWED_MESSAGE,
    IMPORT_ORDER_NUMBER,
    IMPORT_REASON,
    IMPORT_ROSTER_CHANGED_MESSAGE,
    IMPORT_THRESHOLD_MESSAGE,
    NOT_ALLOWED_MESSAGE,
    ROW_BAD_BIRTH_DATE_MESSAGE,
    ROW_BAD_CHARACTER_MESSAGE,
    ROW_BAD_PHONE_MESSAGE,
    ROW_FIELD_REQUIRED_MESSAGE,
    ROW_GROUP_NOT_FOUND_MESSAGE,
    ROW_PHONE_REPEATED_MESSAGE,
    ROW_TOO_LONG_MESSAGE,
)
from movement.models import ExpelReason, ImportBatch, Movement, MovementKind, RosterRow
from movement.permissions import can_manage_movements
from movement.selectors import import_missing_enrollments

THRESHOLD_SHARE = 0.10  # expelling more than this share of the students needs a tick of its own
CHUNK_SIZE = 2000
# What applying reads of a roster row.
_APPLY_FIELDS = ("batch_id", "action", "membership_id", "group_id", "phone", "last_name", "first_name", "patronymic")


# --- Upload and dry run ------------------------------------------------------------------------------------------


@transaction.atomic
def import_upload(
    *,
    actor: User | None,
    college: College,
    name: str,
    data: bytes,
    order_number: str,
    order_date: datetime.date,
    effective_date: datetime.date,
) -> ImportBatch:
    """Read a roster file and store its rows. Columns recognised by name are previewed at once."""
    if not can_manage_movements(actor, college):
        raise PermissionDenied(NOT_ALLOWED_MESSAGE)
    table = read_table(name=name, data=data)
    batch = ImportBatch.objects.create(
        college=college,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        file_name=name[:255],
        file_sha256=hashlib.sha256(data).hexdigest(),
        encoding=table["encoding"],
        delimiter=table["delimiter"],
        headers=table["headers"],
        raw_rows=table["rows"],
        order_number=order_number,
        order_date=order_date,
        effective_date=effective_date,
        status=ImportBatch.Status.NEEDS_MAPPING,
    )
    audit_log(
        actor=actor,
        college=college,
        action="roster_import.upload",
        target=batch,
        after={"file": batch.file_name, "rows": len(table["rows"])},
    )
    mapping = auto_mapping(table["headers"])
    if not missing_required(mapping):
        import_preview(batch=batch, mapping=mapping)
    return batch


def import_set_mapping(*, actor: User | None, batch: ImportBatch, mapping: dict[str, int]) -> ImportBatch:
    """The column-mapping step, for files whose headers were not recognised."""
    if not can_manage_movements(actor, batch.college):
        raise PermissionDenied(NOT_ALLOWED_MESSAGE)
    if batch.status not in (ImportBatch.Status.NEEDS_MAPPING, ImportBatch.Status.PREVIEWED):
        raise ValidationError(IMPORT_NOT_PREVIEWED_MESSAGE, code="not_previewed")
    missing = missing_required(mapping)
    if missing:
        raise ValidationError(MISSING_COLUMNS_MESSAGE.format(columns=", ".join(missing)), code="missing_columns")
    with transaction.atomic():
        return import_preview(batch=batch, mapping=mapping)


def import_preview(*, batch: ImportBatch, mapping: dict[str, int]) -> ImportBatch:
    """The dry run: classify every row against the college, store the diff. Writes nothing to the roster.

    Rows are classified as plain dicts and stored with one bulk INSERT (on PostgreSQL and SQLite alike).
    """
    rows = _read_rows(batch, mapping)
    active = _match_roster(batch.college, rows)
    batch.rows.all().delete()
    RosterRow.objects.bulk_create([RosterRow(batch=batch, **row) for row in rows])
    batch.mapping = mapping
    batch.summary = _preview_summary(batch, rows, active_students=len(active))
    batch.status = ImportBatch.Status.PREVIEWED
    batch.save(update_fields=["mapping", "summary", "status"])
    return batch


def _read_rows(batch: ImportBatch, mapping: dict[str, int]) -> list[dict]:
    """Each line of the file as the fields of a RosterRow, checked on its own and against the lines before it."""
    # What a row keeps of each field; a longer value is an error of the row, never cut silently.
    limits = {
        name: RosterRow._meta.get_field(column).max_length
        for name, column in (
            ("last_name", "last_name"),
            ("first_name", "first_name"),
            ("patronymic", "patronymic"),
            ("phone", "phone"),
            ("group", "group_name"),
        )
    }
    groups = {g.name.strip().casefold(): g.pk for g in StudyGroup.objects.filter(college=batch.college)}
    first_line_of_phone: dict[str, int] = {}
    indexes = {name: mapping.get(name) for name in FIELDS}
    rows = []
    for offset, raw in enumerate(batch.raw_rows):
        values = {
            name: (raw[index].strip() if index is not None and index < len(raw) and raw[index] else "")
            for name, index in indexes.items()
        }
        rows.append(
            _read_row(offset + 2, values, limits=limits, groups=groups, first_line_of_phone=first_line_of_phone)
        )
    return rows


def _read_row(
    line_no: int, values: dict[str, str], *, limits: dict, groups: dict[str, int], first_line_of_phone: dict[str, int]
) -> dict:
    row = {
        "line_no": line_no,
        "last_name": values["last_name"][:100],
        "first_name": values["first_name"][:100],
        "patronymic": values["patronymic"][:100],
        "phone": values["phone"][:32],
        "group_name": values["group"][:50],
        "birth_date": None,
        "group_id": None,
        "current_group_id": None,
        "membership_id": None,
        "action": RosterRow.Action.NEW,
        "error": "",
    }
    errors = [ROW_FIELD_REQUIRED_MESSAGE.format(field=FIELDS[name]) for name in REQUIRED if not values[name]]
    for name, limit in limits.items():
        if BAD_CHARACTER in values[name]:
            errors.append(ROW_BAD_CHARACTER_MESSAGE.format(field=FIELDS[name]))
        elif len(values[name]) > limit:
            errors.append(ROW_TOO_LONG_MESSAGE.format(field=FIELDS[name], limit=limit))
    if row["phone"]:
        row["phone"], error = _read_phone(row["phone"], line_no, first_line_of_phone)
        if error:
            errors.append(error)
    if row["group_name"]:
        row["group_id"] = groups.get(row["group_name"].casefold())
        if row["group_id"] is None:
            errors.append(ROW_GROUP_NOT_FOUND_MESSAGE.format(group=row["group_name"]))
    if values["birth_date"]:
        try:
            row["birth_date"] = parse_date(values["birth_date"])
        except ValueError:
            errors.append(ROW_BAD_BIRTH_DATE_MESSAGE.format(value=values["birth_date"]))
    if errors:
        row["action"] = RosterRow.Action.ERROR
        row["error"] = " ".join(errors)[:500]
    return row


def _read_phone(raw: str, line_no: int, first_line_of_phone: dict[str, int]) -> tuple[str, str]:
    """The phone in E.164 and the row's error about it, if any; remembers the first line of each phone."""
    try:
        phone = clean_phone(raw)
    except ValidationError as exc:
        return raw, ROW_BAD_PHONE_MESSAGE.format(error=exc.messages[0], phone=raw)
    if phone in first_line_of_phone:
        return phone, ROW_PHONE_REPEATED_MESSAGE.format(phone=phone, line=first_line_of_phone[phone])
    first_line_of_phone[phone] = line_no
    return phone, ""


def _match_roster(college: College, rows: list[dict]) -> dict[int, int]:
    """Mark each good row new, to enrol, to transfer or unchanged; returns the college's student → group now."""
    phones = [row["phone"] for row in rows if row["action"] != RosterRow.Action.ERROR]
    user_by_phone = dict(User.objects.filter(phone__in=phones).values_list("phone", "id"))
    membership_by_user = dict(
        Membership.objects.filter(
            college=college, role=Role.STUDENT, status=Membership.Status.ACTIVE, user_id__in=user_by_phone.values()
        ).values_list("user_id", "id")
    )
    active = dict(
        Enrollment.objects.filter(college=college, ended_at__isnull=True).values_list("student_id", "group_id")
    )
    for row in rows:
        if row["action"] == RosterRow.Action.ERROR:
            continue
        membership_id = membership_by_user.get(user_by_phone.get(row["phone"]))
        if membership_id is None:
            continue
        row["membership_id"] = membership_id
        group_id = active.get(membership_id)
        if group_id is None:
            row["action"] = RosterRow.Action.ENROL
        else:
            row["current_group_id"] = group_id
            row["action"] = RosterRow.Action.UNCHANGED if group_id == row["group_id"] else RosterRow.Action.TRANSFER
    return active


def _preview_summary(batch: ImportBatch, rows: list[dict], *, active_students: int) -> dict:
    counts = {action: 0 for action in RosterRow.Action.values}
    for row in rows:
        counts[row["action"]] += 1
    # The students not in the file are counted, not stored: the pages read them from the roster, and
    # applying with expulsions stores them then, if they are still the ones counted here.
    missing = _missing_students(batch, names=False)
    counts[RosterRow.Action.MISSING] = len(missing)
    counts["missing_check"] = _missing_check(missing)
    counts["active_students"] = active_students
    counts["threshold_exceeded"] = counts[RosterRow.Action.MISSING] > THRESHOLD_SHARE * max(active_students, 1)
    return counts


def _missing_students(batch: ImportBatch, *, names: bool = True) -> list[tuple]:
    """(membership, current group[, phone, last, first and middle name]) of each student not in the file."""
    fields = ["student_id", "group_id"]
    if names:
        fields += ["student__user__phone", "student__user__last_name", "student__user__first_name"]
        fields += ["student__user__patronymic"]
    return list(import_missing_enrollments(batch=batch).values_list(*fields))


def _missing_check(missing: list[tuple]) -> str:
    """A fingerprint of who is missing and from which group, to tell whether the roster moved since the dry run."""
    return hashlib.sha256(",".join(f"{m[0]}:{m[1]}" for m in sorted(missing)).encode()).hexdigest()


# --- Apply -------------------------------------------------------------------------------------------------------


def _rows_to_apply(batch: ImportBatch):
    actions = [RosterRow.Action.NEW, RosterRow.Action.ENROL, RosterRow.Action.TRANSFER]
    if batch.include_expulsions:
        actions.append(RosterRow.Action.MISSING)
    return batch.rows.filter(action__in=actions)


def import_apply_start(
    *, actor: User | None, batch: ImportBatch, include_expulsions: bool = False, confirm_threshold: bool = False
) -> ImportBatch:
    """Check the dry run and hand the batch to the worker. Nothing is written when the file has errors.

    With expulsions, the students not in the file are stored as rows now, and only if they are the ones the
    dry run showed; otherwise the dry run is refreshed and the person is asked to look again.
    """
    with transaction.atomic():
        batch, refreshed = _import_apply_start(
            actor=actor, batch=batch, include_expulsions=include_expulsions, confirm_threshold=confirm_threshold
        )
    if refreshed:
        raise ValidationError(IMPORT_ROSTER_CHANGED_MESSAGE, code="roster_changed")
    return batch


def _import_apply_start(
    *, actor: User | None, batch: ImportBatch, include_expulsions: bool, confirm_threshold: bool
) -> tuple[ImportBatch, bool]:
    if not can_manage_movements(actor, batch.college):
        raise PermissionDenied(NOT_ALLOWED_MESSAGE)
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != ImportBatch.Status.PREVIEWED:
        raise ValidationError(IMPORT_NOT_PREVIEWED_MESSAGE, code="not_previewed")
    if batch.summary.get("error"):
        raise ValidationError(IMPORT_HAS_ERRORS_MESSAGE, code="has_errors")
    if include_expulsions and not _store_missing(batch, confirm_threshold=confirm_threshold):
        import_preview(batch=batch, mapping=batch.mapping)
        return batch, True
    batch.include_expulsions = include_expulsions
    batch.threshold_confirmed = confirm_threshold
    batch.status = ImportBatch.Status.APPLYING
    batch.queued_at = timezone.now()
    batch.total = _rows_to_apply(batch).count()
    batch.processed = 0
    batch.save(update_fields=["include_expulsions", "threshold_confirmed", "status", "queued_at", "total", "processed"])
    audit_log(
        actor=actor,
        college=batch.college,
        action="roster_import.apply",
        target=batch,
        after={"rows": batch.total, "expulsions": include_expulsions},
    )
    transaction.on_commit(partial(_queue_import, batch.pk), robust=True)
    return batch, False


def _store_missing(batch: ImportBatch, *, confirm_threshold: bool) -> bool:
    """Store the students not in the file as rows to expel; False if they are no longer the dry run's."""
    batch.rows.filter(action=RosterRow.Action.MISSING).delete()
    missing = _missing_students(batch)
    if _missing_check(missing) != batch.summary.get("missing_check"):
        return False
    if batch.summary.get("threshold_exceeded") and not confirm_threshold:
        raise ValidationError(IMPORT_THRESHOLD_MESSAGE.format(count=batch.summary.get("missing", 0)), code="threshold")
    RosterRow.objects.bulk_create(
        RosterRow(
            batch=batch,
            phone=phone or "",
            last_name=last_name,
            first_name=first_name,
            patronymic=patronymic,
            current_group_id=group_id,
            membership_id=student_id,
            action=RosterRow.Action.MISSING,
        )
        for student_id, group_id, phone, last_name, first_name, patronymic in missing
    )
    return True


def _queue_import(batch_id: int) -> None:
    from movement.tasks import process_import_batch

    process_import_batch.delay(batch_id)


def import_process(*, batch_id: int) -> None:
    """Apply a batch chunk by chunk. Each chunk commits with its rows marked applied, so a retry resumes."""
    while True:
        with transaction.atomic():
            batch = (
                ImportBatch.objects.select_for_update(of=("self",))
                .select_related("college", "created_by")
                .defer("raw_rows", "headers")
                .get(pk=batch_id)
            )
            if batch.status != ImportBatch.Status.APPLYING:
                return
            pending = _rows_to_apply(batch).filter(applied=False)
            chunk = list(pending.only(*_APPLY_FIELDS).order_by("id")[:CHUNK_SIZE])
            if not chunk:
                batch.status = ImportBatch.Status.APPLIED
                batch.applied_at = timezone.now()
                batch.processed = batch.total
                batch.save(update_fields=["status", "applied_at", "processed"])
                return
            _apply_chunk(batch, chunk)
            # The chunk is the first pending rows by id (the batch is locked): marked by range, not by 2,000 ids.
            pending.filter(id__lte=chunk[-1].pk).update(applied=True)
            batch.processed = min(batch.total, batch.processed + len(chunk))
            batch.save(update_fields=["processed"])
            # The bulk services drop the cache for what they write; the movements written here show too.
            college_cache.changed_on_commit([batch.college_id])


@dataclass
class _Changes:
    """What a chunk changes, gathered before anything is written."""

    ended_by_transfer: list[int] = field(default_factory=list)  # enrollment ids
    ended_by_expulsion: list[int] = field(default_factory=list)  # enrollment ids
    leaving: list[int] = field(default_factory=list)  # membership ids
    starts: list[EnrollmentStart] = field(default_factory=list)
    movements: list[Movement] = field(default_factory=list)


def _apply_chunk(batch: ImportBatch, rows: list[RosterRow]) -> None:
    """Up to CHUNK_SIZE rows at once through the owning apps' bulk services, then one Movement per change."""
    incoming = [r for r in rows if r.action != RosterRow.Action.MISSING]
    missing = [r for r in rows if r.action == RosterRow.Action.MISSING]
    _add_people(batch, [r for r in incoming if r.membership_id is None])
    current = _lock_and_read_current(sorted({r.membership_id for r in rows}))
    on = batch.effective_date or timezone.localdate()
    order = instance_maker(
        Movement,
        college_id=batch.college_id,
        order_number=batch.order_number or IMPORT_ORDER_NUMBER,
        order_date=batch.order_date or on,
        effective_date=on,
        status=Movement.Status.APPLIED,
        applied_at=timezone.now(),
        batch_id=batch.pk,
        entered_by_id=batch.created_by_id,
    )
    changes = _Changes()
    _plan_incoming(changes, incoming, current, order)
    _plan_missing(changes, missing, current, order)
    _write(batch, changes, on=on)


def _add_people(batch: ImportBatch, rows: list[RosterRow]) -> None:
    """People new to the college: users by phone (created when unknown), then their student memberships."""
    if not rows:
        return
    users = users_get_or_create_many(
        people=[
            PersonByPhone(phone=r.phone, last_name=r.last_name, first_name=r.first_name, patronymic=r.patronymic)
            for r in rows
        ]
    )
    members = memberships_add_many_unchecked(
        actor=batch.created_by,
        college=batch.college,
        role=Role.STUDENT,
        user_ids=[users[r.phone] for r in rows],
        order_number=batch.order_number,
        order_date=batch.order_date,
    )
    for r in rows:
        r.membership_id = members[users[r.phone]]


def _lock_and_read_current(membership_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Lock the people in a fixed order, as single movements do; then student → (enrollment, group) now."""
    list(
        Membership.objects.select_for_update().filter(pk__in=membership_ids).order_by("pk").values_list("pk", flat=True)
    )
    return {
        student_id: (pk, group_id)
        for pk, student_id, group_id in Enrollment.objects.filter(
            student_id__in=membership_ids, ended_at__isnull=True
        ).values_list("pk", "student_id", "group_id")
    }


def _plan_incoming(changes: _Changes, rows: list[RosterRow], current: dict, order) -> None:
    """The students in the file: enrolled, or moved from the group they are in to the file's."""
    for r in rows:
        enrollment = current.get(r.membership_id)
        if enrollment is not None and enrollment[1] == r.group_id:
            continue  # already there: re-importing the same file changes nothing
        kind = MovementKind.TRANSFER if enrollment is not None else MovementKind.ENROL
        old_group_id = enrollment[1] if enrollment else None
        if enrollment is not None:
            changes.ended_by_transfer.append(enrollment[0])
        changes.starts.append(
            EnrollmentStart(
                student_id=r.membership_id, group_id=r.group_id, kind=EnrollmentChange(kind), old_group_id=old_group_id
            )
        )
        changes.movements.append(
            order(
                kind=kind,
                person_id=r.membership_id,
                from_group_id=old_group_id,
                to_group_id=r.group_id,
                reason=IMPORT_REASON,
            )
        )


def _plan_missing(changes: _Changes, rows: list[RosterRow], current: dict, order) -> None:
    """The students not in the file (when expulsions were ticked): expelled from the college."""
    reason = ExpelReason.NOT_IN_ROSTER.label
    for r in rows:
        enrollment = current.get(r.membership_id)
        if enrollment is None:
            continue
        changes.ended_by_expulsion.append(enrollment[0])
        changes.leaving.append(r.membership_id)
        changes.movements.append(
            order(
                kind=MovementKind.EXPEL,
                person_id=r.membership_id,
                from_group_id=enrollment[1],
                to_group_id=None,
                reason=reason,
            )
        )


def _write(batch: ImportBatch, changes: _Changes, *, on: datetime.date) -> None:
    # Old groups end before new ones start: one active enrollment per student, at every moment.
    # The groups services send enrollment_changed on commit, one per student (a transfer by its new start).
    actor, college = batch.created_by, batch.college
    if changes.ended_by_transfer:
        enrollments_end_many(
            actor=actor,
            college=college,
            enrollment_ids=changes.ended_by_transfer,
            ended_at=on,
            kind=EnrollmentChange.TRANSFER,
        )
    if changes.ended_by_expulsion:
        enrollments_end_many(
            actor=actor,
            college=college,
            enrollment_ids=changes.ended_by_expulsion,
            ended_at=on,
            kind=EnrollmentChange.EXPEL,
        )
    memberships_end_many_unchecked(actor=actor, college=college, membership_ids=changes.leaving)
    enrollments_start_many(actor=actor, college=college, starts=changes.starts, started_at=on)
    Movement.objects.bulk_create(changes.movements)
