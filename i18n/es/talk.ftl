### Comentarios, menciones, «Para usted», la actividad y «quién está dónde».

## Elementos compartidos
talk-someone = alguien
talk-deleted = (eliminado)
talk-the-analysis = el análisis
talk-code-name = { $code } – { $name }
talk-list-sep = {", "}
talk-about-item = punto { $code }
talk-about-task = tarea { $title }
talk-place-position = { $country } · { $item }
talk-place-task = tarea: { $title }

## Hilos de comentarios
talk-comments = Comentarios
talk-comments-count = Comentarios ({ $open ->
        [one] { $open } abierto
       *[other] { $open } abiertos
    }{ $urgent ->
        [0] {""}
        [one] , { $urgent } urgente
       *[other] , { $urgent } urgentes
    }{ $resolved ->
        [0] {""}
        [one] , { $resolved } resuelto
       *[other] , { $resolved } resueltos
    })
talk-comments-on = sobre { $label }
talk-new-comment-label = Nuevo comentario sobre { $label }
talk-comment-button = Comentar
talk-viewers-read = Quien solo lee ve los comentarios; para escribirlos hace falta un enlace de edición.
talk-reopen = Reabrir
talk-resolve = Resolver
talk-resolved-by = Resuelto por { $who }, { $time }
talk-replies-after-resolved = · { $count ->
        [one] { $count } respuesta
       *[other] { $count } respuestas
    } después de resolverse
talk-thread-label = Hilo iniciado por { $who }{ $resolved ->
        [yes] , resuelto
       *[no] {""}
    }{ $urgent ->
        [yes] , urgente
       *[no] {""}
    }
talk-resolved-thread = Hilo resuelto, iniciado por { $who }: { $preview }
talk-reply-label = Su respuesta a { $name }
talk-reply = Responder
talk-reply-to = Responder a { $name }
talk-edit-label = Editar su comentario
talk-save = Guardar
talk-delete-confirm = ¿Eliminar su comentario? Las respuestas se mantienen.
talk-edit = Editar
talk-delete = Eliminar
talk-handled = Atendido
talk-edited = editado
talk-urgent = Urgente
talk-error-empty = Un comentario necesita algo de texto.

## La vista Comentarios
talk-urgent-now = Urgente ahora
talk-open-threads = Hilos abiertos
talk-about-analysis = Sobre el análisis
talk-about-agenda-item = Sobre un punto del orden del día
talk-open-everywhere = Todos los hilos abiertos
talk-agenda-item = Punto del orden del día
talk-thread-line = — { $who }, { $count ->
        [one] { $count } respuesta
       *[other] { $count } respuestas
    }, última actividad { $time }
talk-nothing-urgent = Nada urgente.
talk-no-open-threads = No hay hilos abiertos.

## Redacción y menciones @
talk-mention-track = { $id } – todas las personas que siguen { $track }
talk-composer-placeholder = Escriba un comentario; @ para mencionar a una persona o una vía
talk-mention = Mención
talk-too-many-mentions = Un comentario menciona como máximo { $max ->
        [one] { $max } persona o vía
       *[other] { $max } personas o vías
    }.
talk-urgent-box = Urgente: se necesita a alguien ya

## Para usted
talk-kind-urgent = Urgente
talk-kind-mention = Le menciona
talk-kind-reply = Respuesta a usted
talk-kind-followed = Usted sigue esto
talk-for-you = Para usted
talk-for-you-new = Para usted ({ $count ->
        [one] { $count } nuevo
       *[other] { $count } nuevos
    })
talk-mark-all-read = Marcar todo como leído
talk-for-you-intro = Comentarios que le mencionan a usted o a una vía que sigue, respuestas a sus comentarios, hilos urgentes y novedades de las posiciones que sigue. Se lee en este dispositivo, también sin conexión.
talk-nothing-for-you = Todavía no hay nada para usted.
talk-tracks-you-follow = Vías que sigue (una @vía le llega)
talk-new = Nuevo
talk-follow = Seguir
talk-following = Siguiendo
talk-follow-label = Seguir { $label }
talk-followed-now = ahora { $stance ->
        [supports] { stance-supports }
        [opposes] { stance-opposes }
        [undecided] { stance-undecided }
        [mixed] { stance-mixed }
       *[unknown] { stance-unknown }
    }, { $confidence ->
        [rumour] { confidence-rumour }
        [reported] { confidence-reported }
       *[confirmed] { confidence-confirmed }
    }

## La actividad
talk-feed = Actividad
talk-feed-intro = Lo que cambió en este análisis, de lo más reciente a lo más antiguo, según la copia de este dispositivo (funciona sin conexión). Cada edición, campo por campo, está en «Cambios recientes».
talk-filter-feed = Filtrar la actividad
talk-feed-list = Cambios, los más recientes primero
talk-show-more = Mostrar más
talk-feed-reading = Leyendo el historial en este dispositivo… { $read ->
        [one] { $read } cambio leído
       *[other] { $read } cambios leídos
    }, faltan { $pending }.
talk-feed-nothing-yet = Nada todavía…
talk-feed-nothing-filtered = Nada con estos filtros.
talk-feed-no-changes = Todavía no hay cambios.
talk-filter-kind = Tipo
talk-filter-track = Vía
talk-filter-country = País
talk-filter-person = Persona
talk-clear-filters = Quitar filtros
talk-feed-urgent = urgente
talk-all-kinds = Todos los tipos
talk-kind-positions = Posiciones
talk-kind-tasks = Tareas
talk-kind-comments = Comentarios
talk-all-tracks = Todas las vías
talk-all-countries = Todos los países
talk-everyone = Todas las personas
talk-feed-task = tarea «{ $title }»
talk-feed-stance = posición → { $stance }
talk-feed-confidence = confianza → { $confidence }
talk-feed-field = { $field ->
        [stance] posición
        [confidence] confianza
        [notes] notas
       *[sources] fuentes
    }
talk-feed-added = creada
talk-feed-added-assigned = creada, asignada a { $person }
talk-feed-assigned = asignada a { $person }
talk-feed-unassigned = sin asignar
talk-feed-status = estado → { $status }
talk-feed-track = vía → { $track }
talk-feed-track-none = vía → ninguna
talk-feed-changed = { $field ->
        [when] horario cambiado
        [title] título cambiado
        [notes] notas cambiadas
       *[other] { $field } cambiado
    }
talk-feed-resolved = resolvió el hilo
talk-feed-replied = respondió: «{ $text }»
talk-feed-commented = comentó: «{ $text }»

## Quién está dónde
talk-where-remote = a distancia
talk-where-hall = en el pasillo
talk-where-in = en { $track }
talk-where-question = ¿Dónde está?
talk-where-placeholder = p. ej. en COM5
talk-where-title = Dónde está, para las demás personas: elija o escriba (se muestra junto a su nombre)
talk-where-show = Mostrar
talk-where-show-who = Mostrar quién está
talk-where-everyone = todas las personas
