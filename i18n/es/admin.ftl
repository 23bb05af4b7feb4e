### Acceso (tokens e invitaciones), la pantalla Admin (el estado del servidor) y las pantallas de los análisis cifrados.

## Roles y estados de los tokens
admin-role-viewer = lector
admin-role-editor = editor
admin-role-admin = admin
admin-role-viewer-read-only = lector · solo lectura
admin-role-viewer-option = Lector (solo lectura)
admin-role-editor-option = Editor (lectura y escritura)
admin-role-admin-option = Admin (todo, incluido el acceso)
admin-state-active = activo
admin-state-revoked = revocado
admin-state-expired = caducado
admin-expires-never = nunca
admin-scope-all = todos los análisis
admin-scope-documents = { $count ->
    [one] { $count } documento
   *[other] { $count } documentos
}

## La pantalla Acceso
admin-access-title = Acceso
admin-access-intro = Quien tenga un token puede abrir los análisis que este permita. El secreto se muestra una sola vez, como enlace de invitación; envíelo en privado.
admin-tokens = Tokens
admin-new-token = Nuevo token
admin-invite = Invitar a alguien
admin-token-name = Nombre del token
admin-token-name-example = p. ej. Ana (portátil)
admin-role = Rol
admin-expires-on = Caduca el (opcional)
admin-this-analysis-only = Solo este análisis
admin-create-token = Crear token
admin-create-failed = No se pudo crear el token ({ $error }). ¿Tiene conexión?
admin-copy = Copiar
admin-copied = Copiado
admin-copy-selected = Seleccionado: pulse Ctrl+C
admin-new-invitation = Nueva invitación
admin-token-created = Token para { $name } ({ $role }) creado.
admin-secret-once = Es la única vez que se muestra su secreto:
admin-invitation-link = Enlace de invitación
admin-no-tokens = No hay tokens.
admin-col-name = Nombre
admin-col-role = Rol
admin-col-state = Estado
admin-col-expires = Caduca
admin-col-limited-to = Limitado a
admin-revoke-self-title = Es usted:
admin-revoke-self = este dispositivo usa este token. Revocarlo deja fuera a este dispositivo de inmediato, hasta que alguien le envíe un nuevo enlace. ¿Revocar?
admin-revoke-ask = ¿Revocar?
admin-confirm-revoke = Confirmar la revocación de { $name }
admin-cancel = Cancelar
admin-revoke = Revocar { $name }
admin-revoke-failed = No se pudo revocar { $name } ({ $error }).
admin-tokens-failed = No se pudieron cargar los tokens ({ $error }).

## La pantalla Admin
admin-title = Admin
admin-intro = El servidor en este momento. Se actualiza cada pocos segundos mientras esta pantalla está abierta.
admin-relay = Servidor
admin-relay-line = Versión { $version } · activo desde hace { $up } · { $connections ->
    [one] { $connections } conexión
   *[other] { $connections } conexiones
} · { $stored ->
    [one] { $stored } documento guardado
   *[other] { $stored } documentos guardados
} ({ $size }), { $loaded } en memoria
admin-storage-writes = Escrituras en el almacenamiento: { $commits }
admin-storage-refuses = El almacenamiento rechaza escrituras:
admin-commits-none = Aún no hay escrituras.
admin-commits = { $count ->
    [one] { $count } escritura
   *[other] { $count } escrituras
} · media { $mean } · p50 { $p50 } · p95 { $p95 }
admin-backup = Copia de seguridad
admin-warning = Atención:
admin-backup-none = Aún no se ha hecho ninguna copia de seguridad. Haga una (caucus backup) o prográmelas (--backup-dir).
admin-backup-last = Última copia de seguridad { $time } UTC ({ $ago }): { $kind }, { $documents ->
    [one] { $documents } documento
   *[other] { $documents } documentos
}, { $size }.
admin-backup-old = Tiene más de 26 h: revise la programación de las copias.
admin-connections = Conexiones activas
admin-connections-count = Conexiones activas ({ $count })
admin-nobody = No hay nadie conectado.
admin-col-token = Token
admin-col-peer = Par
admin-col-from = Desde la dirección
admin-col-since = Desde
admin-col-documents = Documentos
admin-joining = (conectándose)
admin-oldest-listed = Solo se muestran las 1000 más antiguas.
admin-documents = Documentos
admin-documents-count = Documentos ({ $count })
admin-documents-failed = No se pudieron listar los documentos: { $error }
admin-no-documents = Aún no hay documentos guardados.
admin-col-document = Documento
admin-col-size = Tamaño
admin-col-last-change = Último cambio
admin-col-open-by = Abierto por
admin-col-in-memory = En memoria
admin-peers = { $count ->
    [one] { $count } par
   *[other] { $count } pares
}
admin-yes = sí
admin-no = no
admin-largest-listed = Solo se muestran los 1000 más grandes.
admin-col-connections = Conexiones
admin-invite-on-access = Invite o revoque en la pantalla Acceso.
admin-cluster-label = Clúster:
admin-cluster = Este servidor { $connected ->
    [yes] está conectado a
   *[no] NO está conectado a
} { $url }; aplicado hasta el n.º { $seq }; { $waiting ->
    [0] todos los cambios hechos aquí están en JetStream
    [one] { $waiting } mensaje de cambio ({ $size }) hecho aquí espera a JetStream
   *[other] { $waiting } mensajes de cambio ({ $size }) hechos aquí esperan a JetStream
}. Publicados: { $published }; aplicados desde otros servidores: { $applied }; { $snapshots ->
    [one] { $snapshots } instantánea
   *[other] { $snapshots } instantáneas
}.
admin-status-failed = No se pudo obtener el estado del servidor ({ $error }). Se muestra el último estado conocido.
admin-unexpected-answer = respuesta inesperada
admin-just-now = ahora mismo
admin-ago = hace { $age }
admin-age-s = { $s } s
admin-age-min = { $min } min
admin-age-h-min = { $h } h { $min } min
admin-age-d-h = { $d } d { $h } h
admin-size-b = { $n } B
admin-size-kb = { $n } KB
admin-size-mb = { $n } MB
admin-size-gb = { $n } GB
admin-time-us = { $n } µs
admin-time-ms = { $n } ms
admin-time-s = { $n } s

## Análisis cifrados de extremo a extremo
admin-recovery-key = Clave de recuperación
admin-recovery-title = Guarde la clave de recuperación
admin-recovery-text = Este análisis está cifrado de extremo a extremo: el servidor no puede leerlo. Si se pierden todos los dispositivos que pueden abrirlo, esta clave de recuperación es la única forma de recuperarlo. Solo se muestra esta vez: guárdela en el gestor de contraseñas de su coalición o en papel.
admin-recovery-saved = He guardado la clave de recuperación
admin-continue = Continuar
admin-waiting-title = Esperando a que un miembro le dé acceso
admin-waiting-text = Este análisis está cifrado de extremo a extremo. El dispositivo de un miembro dará acceso a este en cuanto esté en línea; mantenga esta página abierta.
admin-this-device = Este dispositivo: { $device }
admin-not-member-title = Este análisis está cifrado de extremo a extremo: pida una invitación a un miembro
admin-not-member-text = Este dispositivo no es uno de sus miembros, así que no puede leerlo (tampoco el servidor). Un miembro con acceso a la pantalla Acceso puede crear un enlace de invitación que dé acceso a este dispositivo.
admin-home = Inicio
admin-try-again = Reintentar
admin-removed-title = Este dispositivo fue retirado de este análisis.
admin-removed-text = Conserva lo que ya había leído, pero ya no recibe cambios, y las ediciones hechas aquí no se envían. Pida a un admin una nueva invitación para volver a tener acceso.
admin-col-device = Dispositivo
admin-this-device-mark = (este dispositivo)
admin-remove-device = Retirar { $device }
admin-remove-device-failed = No se pudo retirar el dispositivo ({ $error }).
admin-turn-down-failed = No se pudo rechazar la solicitud ({ $error }).
admin-requests-title = Solicitudes de acceso sin invitación válida
admin-no-name = (sin nombre)
admin-request = { $label } mediante { $token }
admin-turn-down = Rechazar
admin-devices-title = 🔒 Dispositivos que pueden leer este análisis
admin-devices-text = Solo estos dispositivos tienen sus claves. Retirar uno crea una nueva clave que ese dispositivo nunca recibe.
admin-unavailable = Este análisis aún no está en este dispositivo y el servidor no pudo proporcionarlo. Revise el enlace y la conexión; se abrirá en cuanto el servidor lo tenga.
admin-creating-sealed = Creando el análisis cifrado…
admin-create-sealed-failed = No se pudo crear el análisis cifrado ({ $error }). ¿Tiene conexión?
