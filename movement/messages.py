"""What movement tells people, in one place: the services raise these, the tests import them.

The wording of a file's parsing errors stays beside the parser, in ``movement.importers``.
"""

# --- Orders ------------------------------------------------------------------------------------------------------

NOT_ALLOWED_MESSAGE = "Оформлять движение контингента может только администратор платформы колледжа."
UNKNOWN_KIND_MESSAGE = "Неизвестный вид движения."
ORDER_NUMBER_REQUIRED_MESSAGE = "Укажите номер приказа."
LAST_NAME_REQUIRED_MESSAGE = "Укажите фамилию."
FIRST_NAME_REQUIRED_MESSAGE = "Укажите имя."
HIRE_ROLE_MESSAGE = "Принять на работу можно преподавателя или сотрудника администрации."
PERSON_NOT_FOUND_MESSAGE = "Участник не найден в этом колледже."
GROUP_NOT_FOUND_MESSAGE = "Группа не найдена в этом колледже."
GROUP_REQUIRED_MESSAGE = "Укажите учебную группу."
DISCIPLINE_REQUIRED_MESSAGE = "Укажите дисциплину."
REASON_REQUIRED_MESSAGE = "Укажите причину отчисления."
RETURN_DATE_MESSAGE = "Плановая дата выхода должна быть позже даты начала отпуска."
NOT_A_STUDENT_MESSAGE = "Этот вид движения оформляется только для обучающихся."
NOT_STAFF_MESSAGE = "Этот вид движения оформляется только для сотрудников."
NOT_A_TEACHER_MESSAGE = "Куратором и преподавателем дисциплины может быть только преподаватель."
SAME_GROUP_MESSAGE = "Обучающийся уже состоит в группе «{group}»."
ALREADY_STUDYING_MESSAGE = (
    "Обучающийся с этим телефоном уже состоит в группе «{group}». Откройте его карточку и оформите перевод."
)
BEFORE_ENROLLMENT_MESSAGE = (
    "Дата вступления в силу раньше зачисления в группу «{group}» ({date}). "
    "Приказ не может действовать до зачисления — проверьте дату."
)
ONLY_PENDING_CANCEL_MESSAGE = (
    "Отменить можно только ещё не применённое движение. Примененное исправляется новым приказом."
)
NOT_YET_EFFECTIVE_MESSAGE = "Приказ ещё не вступил в силу."
SAME_TEACHER_MESSAGE = "Выберите другого преподавателя."
NO_CURATED_GROUPS_MESSAGE = "У преподавателя нет групп, в которых он куратор."
HANDOVER_REASON = "Передача группы от {name}"

# --- Applying an order (stored as the order's error when it fails) -----------------------------------------------

NOT_ENROLLED_MESSAGE = "Обучающийся не состоит ни в одной учебной группе."
NOT_ON_LEAVE_MESSAGE = "Обучающийся не находится в академическом отпуске."
ALREADY_IN_GROUP_MESSAGE = "Обучающийся уже состоит в учебной группе «{group}». Оформите перевод."
MOVED_AWAY_MESSAGE = "Обучающийся уже не состоит в группе «{expected}» (сейчас: {actual})."
NOT_ACTIVE_MESSAGE = "Участник выбыл из колледжа. Для возвращения оформите восстановление."
NOT_LEFT_MESSAGE = "Восстановить можно только выбывшего обучающегося."
NOT_CURATOR_MESSAGE = "Преподаватель не является куратором этой группы."
NOT_SUBJECT_TEACHER_MESSAGE = "Преподаватель не ведёт эту дисциплину в этой группе."
PLANNED_RETURN_REASON = "Плановый выход из академического отпуска"
RETURN_CANCELLED_BY_LEAVING = "Отменено: обучающийся уже вышел из отпуска или выбыл."
RETURN_CANCELLED_BY_ORDER = "Отменено: выход оформлен приказом."

# --- Roster import -----------------------------------------------------------------------------------------------

IMPORT_HAS_ERRORS_MESSAGE = "В файле есть строки с ошибками. Исправьте их и загрузите файл снова — ничего не изменено."
IMPORT_NOT_PREVIEWED_MESSAGE = "Этот файл уже применён, применяется или ещё не проверен."
IMPORT_THRESHOLD_MESSAGE = (
    "Из колледжа выбудет {count} обучающихся — больше 10% контингента. Подтвердите отчисление отдельной отметкой."
)
IMPORT_ROSTER_CHANGED_MESSAGE = (
    "После проверки файла изменился состав обучающихся колледжа. Проверка обновлена: посмотрите список "
    "«Нет в файле» и примените снова."
)
IMPORT_NOT_APPLIED_MESSAGE = "Отменить можно только применённый импорт."
IMPORT_NOT_STUCK_MESSAGE = "Пакет не завис: он уже применён или ещё применяется. Обновите страницу."
IMPORT_REASON = "Импорт контингента"
IMPORT_ROLLBACK_REASON = "Отмена импорта контингента"
IMPORT_ORDER_NUMBER = "импорт"  # a batch uploaded without an order number

# Errors of one row of the file, shown in the dry run.
ROW_FIELD_REQUIRED_MESSAGE = "Не заполнено поле «{field}»."
ROW_BAD_CHARACTER_MESSAGE = "В поле «{field}» есть перенос строки или непечатаемый символ."
ROW_TOO_LONG_MESSAGE = "Поле «{field}» длиннее {limit} символов."
ROW_BAD_PHONE_MESSAGE = "{error} (указано «{phone}»)"
ROW_PHONE_REPEATED_MESSAGE = "Телефон {phone} повторяется: уже был в строке {line}."
ROW_GROUP_NOT_FOUND_MESSAGE = "Группа «{group}» не найдена в колледже."
ROW_BAD_BIRTH_DATE_MESSAGE = "Неверная дата рождения «{value}»: нужна дата в формате дд.мм.гггг."

# --- Year roll-over ----------------------------------------------------------------------------------------------

ROLLOVER_FUTURE_MESSAGE = (
    "Переход оформляется в день вступления в силу или позже: укажите сегодняшнюю или прошедшую дату."
)
ROLLOVER_NO_GROUPS_MESSAGE = "В колледже нет обучающихся групп."
GRADUATION_REASON = "Окончание обучения"
