### Commentaires, mentions, « Pour vous », le fil et « qui est où ».

## Éléments partagés
talk-someone = quelqu'un
talk-deleted = (supprimé)
talk-the-analysis = l'analyse
talk-code-name = { $code } – { $name }
talk-list-sep = {", "}
talk-about-item = point { $code }
talk-about-task = tâche { $title }
talk-place-position = { $country } · { $item }
talk-place-task = tâche : { $title }

## Fils de commentaires
talk-comments = Commentaires
talk-comments-count = Commentaires ({ $open ->
        [one] { $open } ouvert
       *[other] { $open } ouverts
    }{ $urgent ->
        [0] {""}
        [one] , { $urgent } urgent
       *[other] , { $urgent } urgents
    }{ $resolved ->
        [0] {""}
        [one] , { $resolved } résolu
       *[other] , { $resolved } résolus
    })
talk-comments-on = sur { $label }
talk-new-comment-label = Nouveau commentaire sur { $label }
talk-comment-button = Commenter
talk-viewers-read = Les lecteurs voient les commentaires ; pour en écrire, il faut un lien d'éditeur.
talk-reopen = Rouvrir
talk-resolve = Résoudre
talk-resolved-by = Résolu par { $who }, { $time }
talk-replies-after-resolved = · { $count ->
        [one] { $count } réponse
       *[other] { $count } réponses
    } après la résolution
talk-thread-label = Fil ouvert par { $who }{ $resolved ->
        [yes] , résolu
       *[no] {""}
    }{ $urgent ->
        [yes] , urgent
       *[no] {""}
    }
talk-resolved-thread = Fil résolu, ouvert par { $who } : { $preview }
talk-reply-label = Votre réponse à { $name }
talk-reply = Répondre
talk-reply-to = Répondre à { $name }
talk-edit-label = Modifier votre commentaire
talk-save = Enregistrer
talk-delete-confirm = Supprimer votre commentaire ? Les réponses restent.
talk-edit = Modifier
talk-delete = Supprimer
talk-handled = Traité
talk-edited = modifié
talk-urgent = Urgent
talk-error-empty = Un commentaire doit contenir du texte.

## La vue Commentaires
talk-urgent-now = Urgent maintenant
talk-open-threads = Fils ouverts
talk-about-analysis = Sur l'analyse
talk-about-agenda-item = Sur un point de l'ordre du jour
talk-open-everywhere = Tous les fils ouverts
talk-agenda-item = Point de l'ordre du jour
talk-thread-line = — { $who }, { $count ->
        [one] { $count } réponse
       *[other] { $count } réponses
    }, dernière activité { $time }
talk-nothing-urgent = Rien d'urgent.
talk-no-open-threads = Aucun fil ouvert.

## Rédaction et mentions @
talk-mention-track = { $id } – toutes les personnes qui suivent { $track }
talk-composer-placeholder = Écrire un commentaire ; @ pour mentionner une personne ou une filière
talk-mention = Mention
talk-too-many-mentions = Un commentaire mentionne au plus { $max ->
        [one] { $max } personne ou filière
       *[other] { $max } personnes ou filières
    }.
talk-urgent-box = Urgent : il faut quelqu'un maintenant

## Pour vous
talk-kind-urgent = Urgent
talk-kind-mention = Vous mentionne
talk-kind-reply = Réponse à vous
talk-kind-followed = Vous suivez ceci
talk-for-you = Pour vous
talk-for-you-new = Pour vous ({ $count ->
        [one] { $count } nouveau
       *[other] { $count } nouveaux
    })
talk-mark-all-read = Tout marquer comme lu
talk-for-you-intro = Les commentaires qui vous mentionnent ou mentionnent une filière que vous suivez, les réponses à vos commentaires, les fils urgents et les nouvelles des positions que vous suivez. Lu sur cet appareil, hors ligne aussi.
talk-nothing-for-you = Rien pour vous pour l'instant.
talk-tracks-you-follow = Filières que vous suivez (une @filière vous atteint)
talk-new = Nouveau
talk-follow = Suivre
talk-following = Suivi
talk-follow-label = Suivre { $label }
talk-followed-now = désormais { $stance ->
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

## Le fil
talk-feed = Fil
talk-feed-intro = Ce qui a changé dans cette analyse, du plus récent au plus ancien, d'après la copie de cet appareil (fonctionne hors ligne). Chaque modification, champ par champ, figure sous « Changements récents ».
talk-filter-feed = Filtrer le fil
talk-feed-list = Modifications, les plus récentes d'abord
talk-show-more = Afficher plus
talk-feed-reading = Lecture de l'historique sur cet appareil… { $read ->
        [one] { $read } modification lue
       *[other] { $read } modifications lues
    }, encore { $pending }.
talk-feed-nothing-yet = Rien pour l'instant…
talk-feed-nothing-filtered = Rien avec ces filtres.
talk-feed-no-changes = Aucune modification pour l'instant.
talk-filter-kind = Type
talk-filter-track = Filière
talk-filter-country = Pays
talk-filter-person = Personne
talk-clear-filters = Effacer les filtres
talk-feed-urgent = urgent
talk-all-kinds = Tous les types
talk-kind-positions = Positions
talk-kind-tasks = Tâches
talk-kind-comments = Commentaires
talk-all-tracks = Toutes les filières
talk-all-countries = Tous les pays
talk-everyone = Tout le monde
talk-feed-task = tâche « { $title } »
talk-feed-stance = position → { $stance }
talk-feed-confidence = confiance → { $confidence }
talk-feed-field = { $field ->
        [stance] position
        [confidence] confiance
        [notes] notes
       *[sources] sources
    }
talk-feed-added = ajoutée
talk-feed-added-assigned = ajoutée, attribuée à { $person }
talk-feed-assigned = attribuée à { $person }
talk-feed-unassigned = sans responsable
talk-feed-status = état → { $status }
talk-feed-track = filière → { $track }
talk-feed-track-none = filière → aucune
talk-feed-changed = { $field ->
        [when] horaire modifié
        [title] titre modifié
        [notes] notes modifiées
       *[other] { $field } modifié
    }
talk-feed-resolved = a résolu le fil
talk-feed-replied = a répondu : « { $text } »
talk-feed-commented = a commenté : « { $text } »

## Qui est où
talk-where-remote = à distance
talk-where-hall = dans le hall
talk-where-in = en { $track }
talk-where-question = Où êtes-vous ?
talk-where-placeholder = p. ex. en COM5
talk-where-title = Où vous êtes, pour les autres : choisissez ou saisissez (affiché à côté de votre nom)
talk-where-show = Afficher
talk-where-show-who = Afficher qui est
talk-where-everyone = tout le monde
