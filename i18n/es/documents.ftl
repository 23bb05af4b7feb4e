### Documentos, archivos sin conexión, en torno al informe (exportación, vista de impresión, lista de correo) e historial.

## La vista Documentos
documents-title = Documentos
documents-intro = Propuestas de los Estados Miembros, proyectos de resolución y otros documentos, solo para la coalición. Guarde sin conexión los que necesite en la sala.
documents-add = Añadir documentos
documents-add-for = Añadir documentos a { $place }
documents-attach = Adjuntar documento
documents-attach-for = Adjuntar documento a { $place }
documents-for = Documentos de { $place }
documents-or-drop = o suelte archivos en esta página
documents-none = Todavía no hay documentos.
documents-attached-to = Adjunto a { $places }
documents-place-analysis = el análisis
documents-place-item = el punto { $code } del orden del día
documents-place-position = { $country } sobre { $code }
documents-place-task = la tarea «{ $title }»
documents-remove = Quitar
documents-remove-all-label = Quitar { $name } del análisis
documents-confirm-remove = Confirmar
documents-confirm-remove-label = Confirmar que se quita { $name } de todos los lugares
documents-someone = alguien

## El almacenamiento de este dispositivo
documents-storage-label = Almacenamiento de documentos en este dispositivo
documents-keep-at-most = Guardar como máximo
documents-storage-note = Por encima de esto, los documentos abiertos hace más tiempo salen de este dispositivo (siguen en el servidor). Los documentos guardados sin conexión, y los que aún no se han subido, se quedan siempre.
documents-storage-used = En este dispositivo: { $used } de { $budget } usados por documentos
documents-relay-quota = En el servidor: { $used } de { $quota } para este análisis.
documents-relay-quota-max = En el servidor: { $used } de { $quota } para este análisis; como máximo { $max } por archivo.
documents-relay-max = El servidor acepta archivos de hasta { $max }.

## Tamaños
documents-size-bytes = { $n ->
    [one] { $n } byte
   *[other] { $n } bytes
}
documents-size-kb = { $n } KB
documents-size-mb = { $n } MB
documents-size-gb = { $n } GB

## La línea de un archivo
documents-kind-pdf = PDF
documents-kind-image = Imagen
documents-kind-document = Documento
documents-kind-spreadsheet = Hoja de cálculo
documents-kind-slides = Diapositivas
documents-kind-text = Texto
documents-kind-file = Archivo
documents-file-facts = { $kind } · { $size }
documents-open-label = Abrir { $name }
documents-added-by = Añadido por { $name }
documents-added-by-at = Añadido por { $name }, { $time }
documents-download = Descargar
documents-download-label = Descargar { $name }
documents-keep-offline = Guardar sin conexión
documents-retry = Reintentar
documents-retry-label = Reintentar la subida de { $name }
documents-remove-from-label = Quitar { $name } de { $place }
documents-status-here = En este dispositivo
documents-status-here-pinned = En este dispositivo · guardado sin conexión
documents-status-upload-waiting = Esperando para subirse desde este dispositivo (se reintentará con conexión)
documents-status-uploading = Subiendo desde este dispositivo…
documents-status-downloading = Descargando en este dispositivo…
documents-status-relay = En el servidor
documents-status-waiting-device = Aún no subido: subiéndose desde { $device } de { $name }…
documents-status-waiting = Aún no subido (añadido por { $name })
documents-status-unknown-pinned = Guardado sin conexión: se descarga cuando el servidor esté accesible
documents-status-unknown = No está en este dispositivo (servidor no accesible)

## Tras Abrir, Descargar, Sin conexión, Adjuntar
documents-note-not-uploaded = Aún no está en el servidor; se abrirá cuando la persona que lo añadió esté en línea.
documents-note-offline = No está en este dispositivo y ahora no se puede acceder al servidor.
documents-note-failed = No se pudo abrir: { $error }.
documents-note-press-open = Ya está en este dispositivo: pulse Abrir de nuevo para verlo.
documents-note-pin-waiting = Se guardará sin conexión una vez subido.
documents-note-pin-offline = Guardado sin conexión: se descargará cuando se pueda acceder al servidor.
documents-attach-removed = Este dispositivo fue retirado del análisis cifrado: no puede añadir documentos.
documents-attach-failed = No se pudo adjuntar { $name }: { $error }.
documents-error-relay-answered = el servidor respondió { $status }
documents-error-other-bytes = el servidor envió bytes distintos de los que se adjuntaron
documents-error-decrypt = este dispositivo no puede descifrar el archivo

## Subidas que el servidor rechazó
documents-upload-too-large = Demasiado grande para el servidor: este archivo se queda solo en este dispositivo. Compártalo de otra forma, o pida a su coordinación que amplíe el límite.
documents-upload-full = El almacenamiento de documentos del análisis en el servidor está lleno: este archivo se queda solo en este dispositivo. Pida más espacio a su coordinación y vuelva a intentarlo.
documents-upload-unauthorized = Este enlace de acceso ya no puede subir documentos; el archivo se queda en este dispositivo.
documents-upload-read-only = Su acceso es de solo lectura: el archivo se queda en este dispositivo.
documents-upload-refused = El servidor rechazó este archivo; se queda solo en este dispositivo.
documents-upload-refused-why = El servidor rechazó este archivo ({ $error }); se queda solo en este dispositivo.
documents-upload-gone = El archivo ya no está en este dispositivo, así que no se puede subir desde aquí.

## Archivos sin conexión
documents-changes-title = Archivos sin conexión
documents-changes-intro = Para cuando no hay ninguna red: guarde los cambios de este dispositivo en un archivo (memoria USB, adjunto de correo) y cargue un archivo que otra persona haya guardado en el suyo. Cargar dos veces el mismo archivo no hace nada. Los documentos que adjuntan los cambios también van en el archivo cuando este dispositivo los tiene (hasta 50 MB en total).
documents-changes-save = Guardar cambios en archivo
documents-changes-all = Todos los cambios (todo el análisis)
documents-changes-since = Cambios desde
documents-changes-since-label = Cambios desde (fecha)
documents-changes-load = Cargar archivo de cambios
documents-changes-viewers = Los lectores no pueden cargar archivos de cambios: pídalo a un editor.
documents-changes-choose-date = Elija una fecha.
documents-changes-writing = Escribiendo el archivo de cambios…
documents-changes-saved = Guardado { $name } ({ $bytes } bytes).
documents-changes-save-failed = No se pudieron guardar los cambios: { $error }
documents-changes-keep-failed = Los documentos que llegaron con ellos no se pudieron guardar en este dispositivo: { $error }.
documents-changes-reading = Leyendo { $name }…
documents-changes-had-all = Ya estaban todos los cambios de este archivo ({ $name }).
documents-changes-loaded = { $count ->
    [one] Se cargó { $count } cambio nuevo de { $name }.
   *[other] Se cargaron { $count } cambios nuevos de { $name }.
}
documents-changes-load-failed = No se pudo cargar { $name }: { $error }
documents-carry-came = { $came ->
    [one] Llegó { $came } documento con estos cambios.
   *[other] Llegaron { $came } documentos con estos cambios.
}
documents-carry-came-missing = { $came ->
    [one] Llegó { $came } documento
   *[other] Llegaron { $came } documentos
} con estos cambios; { $missing ->
    [one] { $missing } no está incluido: se descargará del servidor cuando alguien lo suba.
   *[other] { $missing } no están incluidos: se descargarán del servidor cuando alguien los suba.
}
documents-carry-missing = { $missing ->
    [one] { $missing } documento al que remiten estos cambios no está incluido: se descargará del servidor cuando alguien lo suba.
   *[other] { $missing } documentos a los que remiten estos cambios no están incluidos: se descargarán del servidor cuando alguien los suba.
}
documents-carry-unreadable = { $count ->
    [one] Uno de ellos no se pudo abrir en este dispositivo.
   *[other] { $count } de ellos no se pudieron abrir en este dispositivo.
}
documents-carry-includes = { $count ->
    [one] Incluye { $count } documento al que remiten los cambios.
   *[other] Incluye { $count } documentos a los que remiten los cambios.
}
documents-carry-includes-none = No incluye ninguno de los documentos a los que remiten los cambios.
documents-carry-not-included = { $count ->
    [one] { $count } no está incluido (no está en este dispositivo, o supera los 50 MB que lleva un archivo de cambios): quien lo cargue lo recibirá del servidor.
   *[other] { $count } no están incluidos (no están en este dispositivo, o superan los 50 MB que lleva un archivo de cambios): quien lo cargue los recibirá del servidor.
}

## Exportar informe y vista de impresión
documents-report-export = Exportar informe
documents-report-intro-local = Este análisis está cifrado de extremo a extremo: este dispositivo redacta el informe a partir de su copia (el servidor no puede leerla): el análisis tal como estaba al final de la fecha del informe, y lo que cambió desde el último informe (o una fecha).
documents-report-intro-relay = El servidor redacta el informe a partir de lo que tiene guardado: el análisis tal como estaba al final de la fecha del informe, y lo que cambió desde el último informe (o una fecha).
documents-report-format = Formato
documents-format-md = Informe Markdown
documents-format-csv = Matriz CSV
documents-format-json = JSON
documents-report-date = Fecha del informe (UTC)
documents-report-language = Idioma del informe
documents-report-since = Cambios desde
documents-report-since-last = El último informe enviado
documents-report-since-date = Una fecha
documents-report-since-label = Fecha de inicio de los cambios
documents-report-choose-date = Elija una fecha de informe.
documents-report-print-view = Vista de impresión
documents-report-print = Imprimir
documents-report-mark-sent = Marcar enviado
documents-report-back = Volver a exportar
documents-report-marked = El informe del { $date } quedó marcado como enviado.
documents-report-downloaded = Descargado { $name }.
documents-report-sent-title = Informes enviados
documents-report-none-sent = Todavía no hay ningún informe marcado como enviado.
documents-report-sent-by = por { $name }, { $time }
documents-report-change-files = Archivos de cambios (para cuando no hay red)
documents-report-writing = Redactando el informe en este dispositivo…
documents-report-asking = Pidiendo el informe al servidor…
documents-report-offline = El informe lo hace el servidor a partir de lo que tiene guardado, y ahora no se puede acceder al servidor (¿sin conexión?). Vuelva a intentarlo con conexión.
documents-report-relay-failed = El informe lo hace el servidor, y ha fallado: { $error }.
documents-report-failed = El informe ha fallado: { $error }
documents-api-offline = sin conexión
documents-api-unreachable = no se puede acceder al servidor
documents-api-answered = el servidor respondió { $status }
documents-api-not-offered = este servidor no lo ofrece

## Enviar a la lista de correo
documents-mail-send = Enviar a la lista
documents-mail-title = El servidor envía el informe por correo a { $to }
documents-mail-sending = Enviando…
documents-mail-sent = Enviado a { $to } a las { $time }.
documents-mail-log-title = Enviados a la lista de correo
documents-mail-log = Enviado por { $name } el { $when } · informe del { $date } · a { $to }
documents-mail-log-detail = { $subject } · { $reply }
documents-mail-offline = Sin conexión: el correo lo envía el servidor, así que el envío espera a que este dispositivo esté conectado.
documents-mail-unreachable = No se pudo acceder al servidor (¿sin conexión?); no se envió nada.
documents-mail-answered = El servidor respondió { $status }; no se envió nada.

## Historial
documents-history = Historial
documents-history-of = Historial de { $label }
documents-history-text-of = { $text }: { $label }
documents-history-reading = Leyendo el historial en este dispositivo…
documents-history-asking = Pidiendo el historial al servidor…
documents-history-empty = Todavía no hay cambios registrados.
documents-history-offline = El historial necesita el servidor, y ahora no se puede acceder a él (¿sin conexión?). Procede de la copia guardada en el servidor.
documents-history-failed = El servidor no pudo dar el historial: { $error }.
documents-history-changes = { $count ->
    [one] { $count } cambio
   *[other] { $count } cambios
}
documents-history-line = { $who } · { $when } · { $what }
documents-history-span = { $start } – { $end }
documents-history-to = { $field } → { $after }
documents-history-from-to = { $field }: { $before } → { $after }
documents-history-quoted = «{ $text }»
documents-history-removed = eliminado
documents-history-none = ninguno
documents-history-set = definido
documents-history-created = creación
documents-history-change = cambio
documents-history-time-unknown = hora desconocida
documents-history-unknown-device = dispositivo desconocido { $id }
