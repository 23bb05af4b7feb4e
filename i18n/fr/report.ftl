### Le rapport hebdomadaire et la matrice CSV (voir en/report.ftl). Les chiffres restent latins et
### les dates au format ISO (2026-11-20) : le rapport part vers une liste multilingue.

## En-tête
report-title = Rapport hebdomadaire du { $date }
report-meeting = Réunion : { $meeting }
report-meeting-dates = du { $starts } au { $ends }
report-as-of = État au : fin du { $date } (UTC)
report-since = Changements depuis : { $since }
report-since-last = { $from } (le lendemain du dernier rapport, du { $date }, envoyé par { $name })
report-since-week = { $from } (pas de rapport précédent : les 7 derniers jours)
report-in-short = En bref : { $changes ->
        [one] { $changes } changement de position
       *[other] { $changes } changements de position
    } depuis le { $from }, { $conflicts } { $conflicts ->
        [one] conflit non résolu
       *[other] conflits non résolus
    }, { $tasks } { $tasks ->
        [one] tâche ouverte
       *[other] tâches ouvertes
    }. { $known } positions connues sur { $positions }.

## Changements depuis le dernier rapport
report-changes-heading = Changements depuis le { $from }
report-no-change = Aucune position n’a changé.
report-change-new = nouvelle : { $stance } ({ $confidence })
report-change-stance = { $before } → { $stance } ({ $confidence })
report-change-confidence = toujours { $stance }, confiance { $before } → { $confidence }
report-by = par { $name }

## Positions par point de l’ordre du jour
report-positions-heading = Positions par point de l’ordre du jour
report-stance-group = { $stance ->
        [supports] Pour
        [opposes] Contre
        [mixed] Partagés
       *[undecided] Indécis
    } ({ $count }) :
report-not-known = Pas encore connue : { $count ->
        [one] { $count } pays
       *[other] { $count } pays
    }.
report-nothing-known = Aucune position connue pour l’instant sur : { $items }.
report-nothing-known-item = { $code } ({ $priority })
report-note-merged = [NOTE FUSIONNÉE : modifiée en même temps par { $names }, pas encore vérifiée]
report-sources = Sources : { $sources }

## Conflits
report-conflicts-heading = Conflits non résolus
report-conflicts-intro = Deux membres ont saisi des valeurs différentes au même moment. Une personne qui sait devrait choisir.
report-conflict = [CONFLIT sur { $field } : { $values }]
report-internal-notes = notes internes (de { $names })
report-unregistered = appareil non enregistré { $actor }
report-value-by = { $value } (par { $name })
report-path-task = tâche « { $title } »

## Tâches ouvertes
report-tasks-heading = Tâches ouvertes
report-unassigned = Non attribuée
report-in-progress = en cours
report-when = quand : { $when }

## Éléments communs
report-none = Aucun.
report-line = { $subject } : { $text }
report-place = { $place }, { $detail }
report-and = { $first } et { $next }
report-versus = { $first } contre { $next }
report-list = { $first }, { $next }
report-item-heading = { $code } (priorité { $priority ->
        [high] haute
        [low] basse
       *[medium] moyenne
    })
report-item-heading-titled = { $code } (priorité { $priority ->
        [high] haute
        [low] basse
       *[medium] moyenne
    }) : { $title }
report-no-track = Sans séance
report-track = Séance { $track }
report-track-named = { $track } : { $name }
report-stance = { $stance ->
        [supports] pour
        [opposes] contre
        [mixed] partagée
        [undecided] indécise
       *[unknown] inconnue
    }
report-confidence = { $confidence ->
        [rumour] rumeur
        [reported] rapportée
       *[confirmed] confirmée
    }
report-priority = { $priority ->
        [high] haute
        [low] basse
       *[medium] moyenne
    }
report-field = { $field ->
        [stance] position
        [confidence] confiance
        [notes] notes
        [sources] sources
        [title] titre
        [assignee] responsable
        [status] état
        [when] quand
        [name] nom
        [region] région
       *[other] { $field }
    }

## L’en-tête de la matrice CSV
csv-code = code
csv-name = nom
csv-region = région
csv-stance = { $code } position
csv-confidence = { $code } confiance
csv-notes = { $code } notes
csv-sources = { $code } sources
