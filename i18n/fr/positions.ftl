### Positions : la matrice, la page d'un pays, ses fiches, les conflits et les fusions de texte.

## La matrice
positions-matrix-title = Matrice
positions-matrix-label = Matrice des positions
positions-grid-label = Positions par pays et par point de l'ordre du jour
positions-country = Pays
positions-filter-region = Filtrer par région
positions-filter-track = Filtrer par filière
positions-filter-stance = Filtrer par position
positions-filter-priority = Filtrer par priorité
positions-all-regions = Toutes les régions
positions-all-tracks = Toutes les filières
positions-all-stances = Toutes les positions
positions-all-priorities = Toutes les priorités
positions-search-placeholder = Chercher un pays
positions-search-label = Chercher par pays
positions-track-option = { $id } – { $name }
positions-legend = Fiabilité : ? rumeur · • rapportée · ✓ confirmée · ⚠ conflit
positions-no-match = Aucun pays ne correspond aux filtres.
positions-item-tooltip = { $title } ({ $track }, priorité { $priority ->
    [high] haute
    [medium] moyenne
   *[low] basse
})
positions-viewing = Consulte : { $names }
positions-cell-supports = Pour
positions-cell-opposes = Ctre
positions-cell-undecided = Ind
positions-cell-mixed = Part
positions-cell-unknown = Inc
positions-cell-label = { $country }, { $code } : { $stance }, { $confidence }
positions-cell-empty = { $country }, { $code } : pas encore de position
positions-cell-conflict = { $country }, { $code } : conflit. Position : { $stance }. Fiabilité : { $confidence }
positions-either = { $first } ou { $second }

## La page d'un pays
positions-no-country = Pas de pays { $code } dans cette analyse.
positions-country-history = Historique du pays
positions-delegation = Délégation
positions-open-to-cs = Ouverte à la société civile
positions-open-to-cs-for = Délégation ouverte à la société civile : { $country }
positions-open-unknown = Inconnu
positions-open-yes = Oui
positions-open-no = Non
positions-contacts = Contacts
positions-contacts-for = Contacts de la délégation : { $country }
positions-also-here = Aussi ici : { $names }
positions-person-org = { $name } ({ $org })

## La fiche d'un point de l'ordre du jour
positions-on = { $country }, { $code }
positions-stance = Position
positions-confidence = Fiabilité
positions-notes = Notes
positions-source = Source
positions-add-source = Ajouter une source
positions-stance-for = Position : { $country }, { $code }
positions-confidence-for = Fiabilité : { $country }, { $code }
positions-notes-for = Notes : { $country }, { $code }
positions-source-for = Source : { $country }, { $code }
positions-add-source-for = Ajouter une source : { $country }, { $code }
positions-meta = { $track } · priorité { $priority ->
    [high] haute
    [medium] moyenne
   *[low] basse
}
positions-meta-theme = { $track } · priorité { $priority ->
    [high] haute
    [medium] moyenne
   *[low] basse
} · { $theme }
positions-about = À propos de ce point
positions-updated-by = Mis à jour par { $names }, { $time }
positions-updated-unknown = inconnu
positions-not-updated = Pas encore mis à jour
positions-and = { $first } et { $second }
positions-sources = Sources
positions-source-placeholder = URL ou référence
positions-add = Ajouter
positions-remove-source = Retirer la source { $n } : { $country }, { $code }

## Conflits
positions-conflict-label = Conflit : { $field ->
    [stance] position
   *[confidence] fiabilité
}, { $country }, { $code }
positions-conflict-text = ⚠ { $count } personnes ont fixé { $field ->
    [stance] la position
   *[confidence] la fiabilité
} en même temps :
positions-set-by = choisi par { $who }
positions-keep = Garder { $value }
positions-keep-for = Garder { $value } comme { $field ->
    [stance] position
   *[confidence] fiabilité
} : { $country }, { $code }

## Texte modifié en même temps
positions-merge-label = Fusion de texte : { $label }
positions-merge-text = ⚠ Modifié en même temps par { $names }. Le texte ci-dessus est la fusion des versions par automerge ; vérifiez-le.
positions-merge-version = Version de { $name } :
positions-merge-empty = (vide)
positions-merge-keep = Garder la version de { $name }
positions-merge-keep-for = Garder la version de { $name } : { $label }
positions-merge-keep-merged = Garder le texte fusionné
positions-merge-keep-merged-for = Garder le texte fusionné : { $label }
positions-merge-or-edit = ou modifiez le texte ci-dessus, puis gardez-le.
positions-merge-unknown-device = appareil inconnu { $id }

## Notes internes
positions-internal = Interne : exclure des rapports
positions-internal-for = Interne : exclure des rapports ({ $label })
