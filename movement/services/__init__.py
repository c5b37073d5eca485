"""Every write of movement of students and staff: one transaction each, permission checked, audited.

One module per flow: ``orders`` (entering and withdrawing an order), ``apply`` (applying it exactly
once), ``roster_import`` (upload, dry run, apply by chunks), ``rollback`` (undoing an import),
``rollover`` (the new school year) and ``requeue`` (batches whose worker was lost). Reads are in
``movement.selectors``, the wording in ``movement.messages``.
"""

from movement.services.apply import movement_apply
from movement.services.orders import (
    curator_handover,
    movement_cancel,
    movement_create,
    movement_create_unchecked,
)
from movement.services.requeue import import_requeue, import_requeue_stuck
from movement.services.rollback import import_rollback, rollback_process
from movement.services.rollover import rollover_process, rollover_start
from movement.services.roster_import import (
    import_apply_start,
    import_preview,
    import_process,
    import_set_mapping,
    import_upload,
)

__all__ = [
    "curator_handover",
    "import_apply_start",
    "import_preview",
    "import_process",
    "import_requeue",
    "import_requeue_stuck",
    "import_rollback",
    "import_set_mapping",
    "import_upload",
    "movement_apply",
    "movement_cancel",
    "movement_create",
    "movement_create_unchecked",
    "rollback_process",
    "rollover_process",
    "rollover_start",
]
