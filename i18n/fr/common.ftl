### Mots partagés par tout le client.

## Le choix de la langue
common-language = Langue

## Positions, degrés de confiance, priorités, états des tâches
stance-supports = Pour
stance-opposes = Contre
stance-undecided = Indécis
stance-mixed = Partagé
stance-unknown = Inconnue
confidence-rumour = Rumeur
confidence-reported = Rapportée
confidence-confirmed = Confirmée
priority-high = Haute
priority-medium = Moyenne
priority-low = Basse
status-open = À faire
status-doing = En cours
status-done = Fait
