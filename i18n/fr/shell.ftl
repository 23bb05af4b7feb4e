### Le cadre du client : la barre, le menu, la navigation, l'accueil, le formulaire du nom, les questions
### sur l'appareil, les avis au-dessus d'une vue, l'état de la synchronisation.

## La barre
shell-title = Caucus
shell-brand = Caucus
shell-home-link = Toutes les analyses
shell-menu = Menu
shell-menu-online = { $count ->
    [one] Menu ({ $count } autre personne en ligne)
   *[other] Menu ({ $count } autres personnes en ligne)
}
shell-nav-label = Vues
shell-presence-label = Qui est en ligne
shell-sealed-lock = 🔒 Chiffré de bout en bout
shell-presence-only-you = vous uniquement
shell-presence-nobody = personne d'autre : { $where }
shell-looking-at-task = tâche : { $title }
shell-invalid-title = Ce lien d'accès n'est plus valide
shell-invalid-text = — demandez-en un nouveau à votre coordination. Ce qui se trouve sur cet appareil reste lisible ici, mais il ne peut plus joindre le relais avec ce lien.
shell-loading = chargement
shell-doc-title = { $title } – Caucus
shell-title-tooltip = { $title }
shell-untitled = Analyse sans titre
shell-analysis = Analyse

## L'état de la synchronisation
shell-status-invalid = lien d'accès plus valide
shell-status-offline = hors ligne : vos modifications sont gardées sur cet appareil
shell-status-offline-waiting = { $count ->
    [one] hors ligne : vos modifications sont gardées sur cet appareil ({ $count } modification à envoyer)
   *[other] hors ligne : vos modifications sont gardées sur cet appareil ({ $count } modifications à envoyer)
}
shell-status-saved = tout est enregistré
shell-status-catching-up = mise à jour…
shell-status-waiting = { $count ->
    [one] { $count } modification à envoyer
   *[other] { $count } modifications à envoyer
}

## La navigation
shell-nav-matrix = Matrice
shell-nav-country = Pays
shell-nav-tasks = Tâches
shell-nav-foryou = Pour vous
shell-nav-comments = Commentaires
shell-nav-documents = Documents
shell-nav-feed = Fil
shell-nav-recent = Changements récents
shell-nav-export = Exporter le rapport
shell-nav-changes = Fichiers hors ligne
shell-nav-access = Accès
shell-nav-admin = Admin
shell-nav-copy-link = Copier le lien
shell-nav-copied = Copié
shell-nav-link-prompt = Lien (sans jeton) :
shell-nav-as-of = Afficher au…
shell-nav-foryou-count = { $count ->
    [one] { $count } nouveauté pour vous
   *[other] { $count } nouveautés pour vous
}

## Ouvrir et oublier
shell-opening = Ouverture de l'analyse…
shell-forgetting = Oubli de cet appareil…

## Qui êtes-vous ?
shell-name-title = Qui êtes-vous ?
shell-name-intro = Votre nom et votre organisation sont montrés à votre coalition à côté de vos modifications.
shell-name-name = Votre nom
shell-name-org = Organisation
shell-name-continue = Continuer

## Accueil
shell-home-title = Analyses sur cet appareil
shell-home-no-token = Cet appareil n'a pas encore de jeton d'accès : il ne peut pas joindre le relais. Ouvrez le lien partagé par votre coalition (il se termine par « &token=… ») ; le jeton est gardé sur cet appareil.
shell-home-none = Aucune pour l'instant. Ouvrez un lien de votre coalition ou commencez une nouvelle analyse.
shell-home-opened = · ouverte le { $date }
shell-home-open-title = Ouvrir un lien
shell-home-link-placeholder = Collez le lien d'une analyse
shell-home-link-label = Lien de l'analyse
shell-home-open = Ouvrir
shell-home-new-title = Nouvelle analyse
shell-home-from-template = À partir du modèle « { $title } » : { $countries ->
    [one] { $countries } pays
   *[other] { $countries } pays
}, { $items ->
    [one] { $items } point de l'ordre du jour
   *[other] { $items } points de l'ordre du jour
}.
shell-home-sealed = Chiffré de bout en bout
shell-home-sealed-note = (le relais ne peut pas la lire ; seuls les appareils des membres détiennent les clés)
shell-home-create = Créer une analyse
shell-home-signed-in = Sur cet appareil, vous êtes { $name }.
shell-home-signed-in-org = Sur cet appareil, vous êtes { $name } ({ $org }).
shell-home-change = Modifier

## Cet appareil
shell-switch-title = Ce lien porte un autre accès
shell-switch-text = Le lien que vous avez ouvert contient un autre jeton d'accès que celui de cet appareil. L'utiliser remplace l'accès de cet appareil : ce qu'il peut lire et modifier, et le rôle affiché dans la barre du haut.
shell-switch-warning = Ne changez que si une personne de votre coalition vous a envoyé ce nouveau lien exprès. Un lien trouvé dans un document ou un message inattendu pourrait vous donner l'accès de quelqu'un d'autre, ou vous retirer le vôtre.
shell-switch-use = Utiliser le nouveau lien
shell-switch-keep = Garder mon accès actuel
shell-identity-title = Êtes-vous l'une de ces personnes ?
shell-identity-text = Une personne nommée { $name } travaille déjà sur cette analyse. Si c'est vous sur un autre appareil, dites-le : vos tâches, vos modifications et vos avis vous suivront ici, et vous n'apparaîtrez qu'une fois pour les autres.
shell-identity-yes = Oui, je suis { $name }
shell-identity-no = Non, je suis une autre personne nommée { $name }
shell-device-title = Cet appareil
shell-device-text = Sur un ordinateur partagé ou prêté, faites oublier cet appareil quand vous avez fini : son jeton d'accès, les analyses stockées ici et les fichiers de l'application en cache sont supprimés.
shell-device-forget = Oublier cet appareil
shell-forget-title = Oublier cet appareil ?
shell-forget-unsent = { $count ->
    [one] { $count } modification n'est pas encore sur le relais et serait perdue. Annulez, puis oubliez l'appareil quand la ligne d'état indique « tout est enregistré ».
   *[other] { $count } modifications ne sont pas encore sur le relais et seraient perdues. Annulez, puis oubliez l'appareil quand la ligne d'état indique « tout est enregistré ».
}
shell-forget-text = Cela supprime le jeton d'accès, toutes les analyses stockées sur cet appareil et l'application en cache. Les analyses restent sur le relais ; pour les utiliser de nouveau ici, il vous faudra un lien de votre coalition.
shell-forget-cancel = Annuler
shell-forgotten-title = Cet appareil a été oublié
shell-forgotten-text = Il ne contient plus de jeton d'accès, d'analyses ni de pages en cache. Pour utiliser Caucus ici de nouveau, ouvrez le lien partagé par votre coalition.
shell-forgotten-again = Recommencer

## Avis au-dessus d'une vue
shell-asof-title = Lecture seule : état au { $date }
shell-asof-existed = (fin de cette journée, UTC) —
shell-asof-not-existed = — cette analyse n'existait pas encore à la fin de cette journée (UTC) —
shell-asof-back = Retour au direct
shell-since-label = Depuis votre dernière visite
shell-since-title = Depuis votre dernière visite ({ $when }) :
shell-since-earlier = plus tôt
shell-since-positions = { $count ->
    [one] { $count } position modifiée
   *[other] { $count } positions modifiées
}
shell-since-tasks = { $count ->
    [one] { $count } de vos tâches
   *[other] { $count } de vos tâches
}
shell-since-mentions = { $count ->
    [one] { $count } mention de vous
   *[other] { $count } mentions de vous
}
shell-since-separator = {", "}
shell-since-dismiss = Masquer
shell-since-your-tasks = Vos tâches
shell-since-mentions-label = Mentions de vous
shell-since-task = Tâche « { $title } »
shell-since-what-by = : { $what } — par { $by }
shell-since-mentioned = : vous mentionne
shell-since-mentioned-by = : vous mentionne — par { $by }
shell-since-position = { $country } · { $item }
shell-since-more = et { $count } de plus
