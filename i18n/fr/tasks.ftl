### Tâches, « Changements récents », et ce qui a changé depuis la dernière visite.

## La page des tâches
tasks-title = Tâches
tasks-only-mine = Seulement mes tâches
tasks-none-mine = Aucune tâche ne vous est attribuée.
tasks-none = Aucune tâche pour l'instant.
tasks-unassigned = Sans responsable
tasks-new = Nouvelle tâche
tasks-new-title = Titre de la nouvelle tâche
tasks-new-track = Filière de la nouvelle tâche
tasks-new-assignee = Responsable de la nouvelle tâche
tasks-new-time = Horaire de la nouvelle tâche
tasks-time-placeholder = p. ex. mar. 10:00, salle C
tasks-add = Ajouter
tasks-time-for = Horaire de { $title }
tasks-assignee-for = Responsable de { $title }
tasks-status-for = État de { $title }
tasks-conflict-value = { $status ->
        [open] { status-open }
        [doing] { status-doing }
        [done] { status-done }
       *[other] { $status }
    } ({ $who })
tasks-documents = Documents
tasks-documents-count = Documents ({ $count })
tasks-documents-for = de { $title }

## Changements récents
tasks-recent = Changements récents
tasks-recent-intro = Chaque modification de cette analyse, de la plus récente à la plus ancienne, telle que le relais l'a enregistrée. Les fichiers de modifications pour l'échange hors ligne sont sous « Fichiers hors ligne ».
tasks-recent-unavailable = L'historique n'est pas disponible dans cette vue.

## Depuis la dernière visite
tasks-news-assigned = vous a été attribuée
tasks-news-unassigned = ne vous est plus attribuée
tasks-news-status = { $from ->
        [open] { status-open }
        [doing] { status-doing }
       *[done] { status-done }
    } → { $to ->
        [open] { status-open }
        [doing] { status-doing }
       *[done] { status-done }
    }
tasks-news-field = { $field ->
        [title] titre
        [track] filière
       *[when] horaire
    }
tasks-change-stance = { $from } → { $to }
tasks-change-confidence = confiance { $from } → { $to }
tasks-change-notes = notes
tasks-change-sources = sources
