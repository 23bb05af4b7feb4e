### El marco del cliente: la barra, el menú, la navegación, el inicio, el formulario del nombre, las
### preguntas sobre el dispositivo, los avisos sobre una vista, el estado de la sincronización.

## La barra
shell-title = Caucus
shell-brand = Caucus
shell-home-link = Todos los análisis
shell-menu = Menú
shell-menu-online = { $count ->
    [one] Menú ({ $count } persona más en línea)
   *[other] Menú ({ $count } personas más en línea)
}
shell-nav-label = Vistas
shell-presence-label = Quién está en línea
shell-sealed-lock = 🔒 Cifrado de extremo a extremo
shell-presence-only-you = solo usted
shell-presence-nobody = nadie más: { $where }
shell-looking-at-task = tarea: { $title }
shell-invalid-title = Este enlace de acceso ya no es válido
shell-invalid-text = — pida uno nuevo a su coordinación. Lo que hay en este dispositivo sigue siendo legible aquí, pero no puede conectarse con el relé con este enlace.
shell-loading = cargando
shell-doc-title = { $title } – Caucus
shell-title-tooltip = { $title }
shell-untitled = Análisis sin título
shell-analysis = Análisis

## El estado de la sincronización
shell-status-invalid = el enlace de acceso ya no es válido
shell-status-offline = sin conexión: sus cambios se guardan en este dispositivo
shell-status-offline-waiting = { $count ->
    [one] sin conexión: sus cambios se guardan en este dispositivo ({ $count } cambio por enviar)
   *[other] sin conexión: sus cambios se guardan en este dispositivo ({ $count } cambios por enviar)
}
shell-status-saved = todo guardado
shell-status-catching-up = actualizando…
shell-status-waiting = { $count ->
    [one] { $count } cambio por enviar
   *[other] { $count } cambios por enviar
}

## La navegación
shell-nav-matrix = Matriz
shell-nav-country = País
shell-nav-tasks = Tareas
shell-nav-foryou = Para usted
shell-nav-comments = Comentarios
shell-nav-documents = Documentos
shell-nav-feed = Actividad
shell-nav-recent = Cambios recientes
shell-nav-export = Exportar informe
shell-nav-changes = Archivos sin conexión
shell-nav-access = Acceso
shell-nav-admin = Admin
shell-nav-copy-link = Copiar enlace
shell-nav-copied = Copiado
shell-nav-link-prompt = Enlace (sin token):
shell-nav-as-of = Ver a fecha de…
shell-nav-foryou-count = { $count ->
    [one] { $count } novedad para usted
   *[other] { $count } novedades para usted
}

## Abrir y olvidar
shell-opening = Abriendo el análisis…
shell-forgetting = Olvidando este dispositivo…

## ¿Quién es usted?
shell-name-title = ¿Quién es usted?
shell-name-intro = Su nombre y su organización se muestran a su coalición junto a sus cambios.
shell-name-name = Su nombre
shell-name-org = Organización
shell-name-continue = Continuar

## Inicio
shell-home-title = Análisis en este dispositivo
shell-home-no-token = Este dispositivo aún no tiene token de acceso, así que no puede conectarse con el relé. Abra el enlace que compartió su coalición (termina en «&token=…»); el token se guarda en este dispositivo.
shell-home-none = Todavía ninguno. Abra un enlace de su coalición o empiece un análisis nuevo.
shell-home-opened = · abierto el { $date }
shell-home-open-title = Abrir un enlace
shell-home-link-placeholder = Pegue el enlace de un análisis
shell-home-link-label = Enlace del análisis
shell-home-open = Abrir
shell-home-new-title = Nuevo análisis
shell-home-from-template = A partir de la plantilla «{ $title }»: { $countries ->
    [one] { $countries } país
   *[other] { $countries } países
}, { $items ->
    [one] { $items } punto del orden del día
   *[other] { $items } puntos del orden del día
}.
shell-home-sealed = Cifrado de extremo a extremo
shell-home-sealed-note = (el relé no puede leerlo; solo los dispositivos de los miembros tienen las claves)
shell-home-create = Crear análisis
shell-home-signed-in = Sesión iniciada en este dispositivo como { $name }.
shell-home-signed-in-org = Sesión iniciada en este dispositivo como { $name } ({ $org }).
shell-home-change = Cambiar

## Este dispositivo
shell-switch-title = Este enlace trae otro acceso
shell-switch-text = El enlace que abrió contiene otro token de acceso distinto del que usa este dispositivo. Usarlo reemplaza el acceso de este dispositivo: lo que puede leer y cambiar, y el rol que se muestra en la barra superior.
shell-switch-warning = Cambie solo si alguien de su coalición le envió este enlace nuevo a propósito. Un enlace encontrado en un documento o en un mensaje inesperado podría darle el acceso de otra persona, o quitarle el suyo.
shell-switch-use = Usar el enlace nuevo
shell-switch-keep = Mantener mi acceso actual
shell-identity-title = ¿Es usted una de estas personas?
shell-identity-text = Alguien llamado { $name } ya trabaja en este análisis. Si es usted en otro dispositivo, indíquelo: sus tareas, sus cambios y sus avisos le seguirán aquí, y los demás le verán una sola vez.
shell-identity-yes = Sí, soy { $name }
shell-identity-no = No, soy otra persona llamada { $name }
shell-device-title = Este dispositivo
shell-device-text = En un ordenador compartido o prestado, olvide este dispositivo al terminar: se eliminan su token de acceso, los análisis guardados aquí y los archivos de la aplicación en caché.
shell-device-forget = Olvidar este dispositivo
shell-forget-title = ¿Olvidar este dispositivo?
shell-forget-unsent = { $count ->
    [one] { $count } cambio aún no está en el relé y se perdería. Cancele y olvide el dispositivo cuando la línea de estado diga «todo guardado».
   *[other] { $count } cambios aún no están en el relé y se perderían. Cancele y olvide el dispositivo cuando la línea de estado diga «todo guardado».
}
shell-forget-text = Esto elimina el token de acceso, todos los análisis guardados en este dispositivo y la aplicación en caché. Los análisis siguen en el relé; para volver a usarlos aquí necesitará un enlace de su coalición.
shell-forget-cancel = Cancelar
shell-forgotten-title = Este dispositivo fue olvidado
shell-forgotten-text = Ya no contiene token de acceso, análisis ni páginas en caché. Para volver a usar Caucus aquí, abra el enlace que compartió su coalición.
shell-forgotten-again = Empezar de nuevo

## Avisos sobre una vista
shell-asof-title = Solo lectura: a fecha de { $date }
shell-asof-existed = (al final de ese día, UTC) —
shell-asof-not-existed = — este análisis aún no existía al final de ese día (UTC) —
shell-asof-back = Volver al presente
shell-since-label = Desde su última visita
shell-since-title = Desde su última visita ({ $when }):
shell-since-earlier = antes
shell-since-positions = { $count ->
    [one] { $count } posición cambiada
   *[other] { $count } posiciones cambiadas
}
shell-since-tasks = { $count ->
    [one] { $count } tarea suya
   *[other] { $count } tareas suyas
}
shell-since-mentions = { $count ->
    [one] { $count } mención a usted
   *[other] { $count } menciones a usted
}
shell-since-separator = {", "}
shell-since-dismiss = Ocultar
shell-since-your-tasks = Sus tareas
shell-since-mentions-label = Menciones a usted
shell-since-task = Tarea «{ $title }»
shell-since-what-by = : { $what } — por { $by }
shell-since-mentioned = : le menciona
shell-since-mentioned-by = : le menciona — por { $by }
shell-since-position = { $country } · { $item }
shell-since-more = y { $count } más
