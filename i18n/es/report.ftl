### El informe semanal y la matriz CSV (véase en/report.ftl). Las cifras quedan en dígitos latinos
### y las fechas en formato ISO (2026-11-20): el informe va a una lista multilingüe.

## Encabezado
report-title = Informe semanal del { $date }
report-meeting = Reunión: { $meeting }
report-meeting-dates = del { $starts } al { $ends }
report-as-of = Situación: al final del { $date } (UTC)
report-since = Cambios desde: { $since }
report-since-last = { $from } (el día siguiente al último informe, del { $date }, enviado por { $name })
report-since-week = { $from } (sin informe anterior: los últimos 7 días)
report-in-short = En resumen: { $changes ->
        [one] { $changes } cambio de posición
       *[other] { $changes } cambios de posición
    } desde el { $from }, { $conflicts } { $conflicts ->
        [one] conflicto sin resolver
       *[other] conflictos sin resolver
    }, { $tasks } { $tasks ->
        [one] tarea abierta
       *[other] tareas abiertas
    }. Se conocen { $known } de { $positions } posiciones.

## Cambios desde el último informe
report-changes-heading = Cambios desde el { $from }
report-no-change = Ninguna posición cambió.
report-change-new = nueva: { $stance } ({ $confidence })
report-change-stance = { $before } → { $stance } ({ $confidence })
report-change-confidence = sigue { $stance }, confianza { $before } → { $confidence }
report-by = por { $name }

## Posiciones por punto del orden del día
report-positions-heading = Posiciones por punto del orden del día
report-stance-group = { $stance ->
        [supports] A favor
        [opposes] En contra
        [mixed] Divididos
       *[undecided] Indecisos
    } ({ $count }):
report-not-known = Aún sin conocer: { $count ->
        [one] { $count } país
       *[other] { $count } países
    }.
report-nothing-known = Aún no se conoce ninguna posición sobre: { $items }.
report-nothing-known-item = { $code } ({ $priority })
report-note-merged = [NOTA FUSIONADA: editada al mismo tiempo por { $names }, aún sin revisar]
report-sources = Fuentes: { $sources }

## Conflictos
report-conflicts-heading = Conflictos sin resolver
report-conflicts-intro = Dos miembros registraron valores distintos al mismo tiempo. Alguien que lo sepa debería elegir uno.
report-conflict = [CONFLICTO en { $field }: { $values }]
report-internal-notes = notas internas (de { $names })
report-unregistered = dispositivo no registrado { $actor }
report-value-by = { $value } (por { $name })
report-path-task = tarea «{ $title }»

## Tareas abiertas
report-tasks-heading = Tareas abiertas
report-unassigned = Sin asignar
report-in-progress = en curso
report-when = cuándo: { $when }

## Piezas comunes
report-none = Ninguno.
report-line = { $subject }: { $text }
report-place = { $place }, { $detail }
report-and = { $first } y { $next }
report-versus = { $first } frente a { $next }
report-list = { $first }, { $next }
report-item-heading = { $code } (prioridad { $priority ->
        [high] alta
        [low] baja
       *[medium] media
    })
report-item-heading-titled = { $code } (prioridad { $priority ->
        [high] alta
        [low] baja
       *[medium] media
    }): { $title }
report-no-track = Sin sesión
report-track = Sesión { $track }
report-track-named = { $track }: { $name }
report-stance = { $stance ->
        [supports] a favor
        [opposes] en contra
        [mixed] dividida
        [undecided] indecisa
       *[unknown] desconocida
    }
report-confidence = { $confidence ->
        [rumour] rumor
        [reported] informada
       *[confirmed] confirmada
    }
report-priority = { $priority ->
        [high] alta
        [low] baja
       *[medium] media
    }
report-field = { $field ->
        [stance] posición
        [confidence] confianza
        [notes] notas
        [sources] fuentes
        [title] título
        [assignee] responsable
        [status] estado
        [when] cuándo
        [name] nombre
        [region] región
       *[other] { $field }
    }

## El encabezado de la matriz CSV
csv-code = código
csv-name = nombre
csv-region = región
csv-stance = { $code } posición
csv-confidence = { $code } confianza
csv-notes = { $code } notas
csv-sources = { $code } fuentes
