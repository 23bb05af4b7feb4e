### Palabras compartidas por todo el cliente.

## La elección del idioma
common-language = Idioma

## Posiciones, grados de confianza, prioridades, estados de las tareas
stance-supports = A favor
stance-opposes = En contra
stance-undecided = Indeciso
stance-mixed = Dividido
stance-unknown = Desconocida
confidence-rumour = Rumor
confidence-reported = Informada
confidence-confirmed = Confirmada
priority-high = Alta
priority-medium = Media
priority-low = Baja
status-open = Pendiente
status-doing = En curso
status-done = Hecha
