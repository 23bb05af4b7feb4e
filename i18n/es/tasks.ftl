### Tareas, «Cambios recientes» y lo que cambió desde la última visita.

## La página de tareas
tasks-title = Tareas
tasks-only-mine = Solo mis tareas
tasks-none-mine = No tiene tareas asignadas.
tasks-none = Todavía no hay tareas.
tasks-unassigned = Sin asignar
tasks-new = Nueva tarea
tasks-new-title = Título de la nueva tarea
tasks-new-track = Vía de la nueva tarea
tasks-new-assignee = Responsable de la nueva tarea
tasks-new-time = Horario de la nueva tarea
tasks-time-placeholder = p. ej. mar 10:00, sala C
tasks-add = Añadir
tasks-time-for = Horario de { $title }
tasks-assignee-for = Responsable de { $title }
tasks-status-for = Estado de { $title }
tasks-conflict-value = { $status ->
        [open] { status-open }
        [doing] { status-doing }
        [done] { status-done }
       *[other] { $status }
    } ({ $who })
tasks-documents = Documentos
tasks-documents-count = Documentos ({ $count })
tasks-documents-for = de { $title }

## Cambios recientes
tasks-recent = Cambios recientes
tasks-recent-intro = Cada edición de este análisis, de la más reciente a la más antigua, tal como la guardó el relé. Los archivos de cambios para el intercambio sin conexión están en «Archivos sin conexión».
tasks-recent-unavailable = El historial no está disponible en esta vista.

## Desde la última visita
tasks-news-assigned = se le asignó
tasks-news-unassigned = ya no está asignada a usted
tasks-news-status = { $from ->
        [open] { status-open }
        [doing] { status-doing }
       *[done] { status-done }
    } → { $to ->
        [open] { status-open }
        [doing] { status-doing }
       *[done] { status-done }
    }
tasks-news-field = { $field ->
        [title] título
        [track] vía
       *[when] horario
    }
tasks-change-stance = { $from } → { $to }
tasks-change-confidence = confianza { $from } → { $to }
tasks-change-notes = notas
tasks-change-sources = fuentes
