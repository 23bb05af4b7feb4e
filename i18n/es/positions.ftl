### Posiciones: la matriz, la página de un país, sus fichas, los conflictos y las fusiones de texto.

## La matriz
positions-matrix-title = Matriz
positions-matrix-label = Matriz de posiciones
positions-grid-label = Posiciones por país y punto del orden del día
positions-country = País
positions-filter-region = Filtrar por región
positions-filter-track = Filtrar por vía
positions-filter-stance = Filtrar por postura
positions-filter-priority = Filtrar por prioridad
positions-all-regions = Todas las regiones
positions-all-tracks = Todas las vías
positions-all-stances = Todas las posturas
positions-all-priorities = Todas las prioridades
positions-search-placeholder = Buscar país
positions-search-label = Buscar por país
positions-track-option = { $id } – { $name }
positions-legend = Fiabilidad: ? rumor · • informada · ✓ confirmada · ⚠ conflicto
positions-no-match = Ningún país coincide con los filtros.
positions-item-tooltip = { $title } ({ $track }, prioridad { $priority ->
    [high] alta
    [medium] media
   *[low] baja
})
positions-viewing = Viendo: { $names }
positions-cell-supports = Fav
positions-cell-opposes = Ctra
positions-cell-undecided = Ind
positions-cell-mixed = Div
positions-cell-unknown = Desc
positions-cell-label = { $country }, { $code }: { $stance }, { $confidence }
positions-cell-empty = { $country }, { $code }: aún sin posición
positions-cell-conflict = { $country }, { $code }: conflicto. Postura: { $stance }. Fiabilidad: { $confidence }
positions-either = { $first } o { $second }

## La página de un país
positions-no-country = No hay ningún país { $code } en este análisis.
positions-country-history = Historial del país
positions-delegation = Delegación
positions-open-to-cs = Abierta a la sociedad civil
positions-open-to-cs-for = Delegación abierta a la sociedad civil: { $country }
positions-open-unknown = Se desconoce
positions-open-yes = Sí
positions-open-no = No
positions-contacts = Contactos
positions-contacts-for = Contactos de la delegación: { $country }
positions-also-here = También aquí: { $names }
positions-person-org = { $name } ({ $org })

## La ficha de un punto del orden del día
positions-on = { $country }, { $code }
positions-stance = Postura
positions-confidence = Fiabilidad
positions-notes = Notas
positions-source = Fuente
positions-add-source = Añadir fuente
positions-stance-for = Postura: { $country }, { $code }
positions-confidence-for = Fiabilidad: { $country }, { $code }
positions-notes-for = Notas: { $country }, { $code }
positions-source-for = Fuente: { $country }, { $code }
positions-add-source-for = Añadir fuente: { $country }, { $code }
positions-meta = { $track } · prioridad { $priority ->
    [high] alta
    [medium] media
   *[low] baja
}
positions-meta-theme = { $track } · prioridad { $priority ->
    [high] alta
    [medium] media
   *[low] baja
} · { $theme }
positions-about = Sobre este punto
positions-updated-by = Actualizado por { $names }, { $time }
positions-updated-unknown = desconocido
positions-not-updated = Aún sin actualizar
positions-and = { $first } y { $second }
positions-sources = Fuentes
positions-source-placeholder = URL o referencia
positions-add = Añadir
positions-remove-source = Quitar la fuente { $n }: { $country }, { $code }

## Conflictos
positions-conflict-label = Conflicto: { $field ->
    [stance] postura
   *[confidence] fiabilidad
}, { $country }, { $code }
positions-conflict-text = ⚠ { $count } personas fijaron { $field ->
    [stance] la postura
   *[confidence] la fiabilidad
} a la vez:
positions-set-by = elegido por { $who }
positions-keep = Mantener { $value }
positions-keep-for = Mantener { $value } como { $field ->
    [stance] postura
   *[confidence] fiabilidad
}: { $country }, { $code }

## Texto editado a la vez
positions-merge-label = Fusión de texto: { $label }
positions-merge-text = ⚠ Editado a la vez por { $names }. El texto de arriba es la fusión de ambas versiones hecha por automerge; revíselo.
positions-merge-version = Versión de { $name }:
positions-merge-empty = (vacío)
positions-merge-keep = Mantener la versión de { $name }
positions-merge-keep-for = Mantener la versión de { $name }: { $label }
positions-merge-keep-merged = Mantener el texto fusionado
positions-merge-keep-merged-for = Mantener el texto fusionado: { $label }
positions-merge-or-edit = o edite el texto de arriba y luego manténgalo.
positions-merge-unknown-device = dispositivo desconocido { $id }

## Notas internas
positions-internal = Interna: excluir de los informes
positions-internal-for = Interna: excluir de los informes ({ $label })
