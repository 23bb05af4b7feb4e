### Accès (jetons et invitations), l’écran Admin (l’état du relais) et les écrans des analyses chiffrées.

## Rôles et états des jetons
admin-role-viewer = lecteur
admin-role-editor = éditeur
admin-role-admin = admin
admin-role-viewer-read-only = lecteur · lecture seule
admin-role-viewer-option = Lecteur (lecture seule)
admin-role-editor-option = Éditeur (lecture et écriture)
admin-role-admin-option = Admin (tout, y compris les accès)
admin-state-active = actif
admin-state-revoked = révoqué
admin-state-expired = expiré
admin-expires-never = jamais
admin-scope-all = toutes les analyses
admin-scope-documents = { $count ->
    [one] { $count } document
   *[other] { $count } documents
}

## L’écran Accès
admin-access-title = Accès
admin-access-intro = Quiconque détient un jeton peut ouvrir les analyses qu’il autorise. Le secret n’est montré qu’une fois, sous forme de lien d’invitation ; envoyez-le en privé.
admin-tokens = Jetons
admin-new-token = Nouveau jeton
admin-invite = Inviter quelqu’un
admin-token-name = Nom du jeton
admin-token-name-example = p. ex. Ana (portable)
admin-role = Rôle
admin-expires-on = Expire le (facultatif)
admin-this-analysis-only = Cette analyse seulement
admin-create-token = Créer le jeton
admin-create-failed = Impossible de créer le jeton ({ $error }). Êtes-vous en ligne ?
admin-copy = Copier
admin-copied = Copié
admin-copy-selected = Sélectionné : appuyez sur Ctrl+C
admin-new-invitation = Nouvelle invitation
admin-token-created = Jeton pour { $name } ({ $role }) créé.
admin-secret-once = C’est la seule fois que son secret est montré :
admin-invitation-link = Lien d’invitation
admin-no-tokens = Aucun jeton.
admin-col-name = Nom
admin-col-role = Rôle
admin-col-state = État
admin-col-expires = Expiration
admin-col-limited-to = Limité à
admin-revoke-self-title = C’est vous :
admin-revoke-self = cet appareil utilise ce jeton. Le révoquer coupe aussitôt cet appareil, jusqu’à ce que quelqu’un vous envoie un nouveau lien. Révoquer ?
admin-revoke-ask = Révoquer ?
admin-confirm-revoke = Confirmer la révocation de { $name }
admin-cancel = Annuler
admin-revoke = Révoquer { $name }
admin-revoke-failed = Impossible de révoquer { $name } ({ $error }).
admin-tokens-failed = Impossible de charger les jetons ({ $error }).

## L’écran Admin
admin-title = Admin
admin-intro = Le relais en ce moment. Se met à jour toutes les quelques secondes tant que cet écran est ouvert.
admin-relay = Relais
admin-relay-line = Version { $version } · en marche depuis { $up } · { $connections ->
    [one] { $connections } connexion
   *[other] { $connections } connexions
} · { $stored ->
    [one] { $stored } document enregistré
   *[other] { $stored } documents enregistrés
} ({ $size }), { $loaded } en mémoire
admin-storage-writes = Écritures sur le stockage : { $commits }
admin-storage-refuses = Le stockage refuse les écritures :
admin-commits-none = Aucune écriture pour l’instant.
admin-commits = { $count ->
    [one] { $count } écriture
   *[other] { $count } écritures
} · moyenne { $mean } · p50 { $p50 } · p95 { $p95 }
admin-backup = Sauvegarde
admin-warning = Attention :
admin-backup-none = Aucune sauvegarde n’a encore été faite. Faites-en une (caucus backup) ou programmez-les (--backup-dir).
admin-backup-last = Dernière sauvegarde { $time } UTC ({ $ago }) : { $kind }, { $documents ->
    [one] { $documents } document
   *[other] { $documents } documents
}, { $size }.
admin-backup-old = Plus de 26 h : vérifiez la programmation des sauvegardes.
admin-connections = Connexions actives
admin-connections-count = Connexions actives ({ $count })
admin-nobody = Personne n’est connecté.
admin-col-token = Jeton
admin-col-peer = Pair
admin-col-from = Depuis l’adresse
admin-col-since = Depuis
admin-col-documents = Documents
admin-joining = (en cours de connexion)
admin-oldest-listed = Seules les 1000 plus anciennes sont listées.
admin-documents = Documents
admin-documents-count = Documents ({ $count })
admin-documents-failed = Impossible de lister les documents : { $error }
admin-no-documents = Aucun document enregistré pour l’instant.
admin-col-document = Document
admin-col-size = Taille
admin-col-last-change = Dernière modification
admin-col-open-by = Ouvert par
admin-col-in-memory = En mémoire
admin-peers = { $count ->
    [one] { $count } pair
   *[other] { $count } pairs
}
admin-yes = oui
admin-no = non
admin-largest-listed = Seuls les 1000 plus volumineux sont listés.
admin-col-connections = Connexions
admin-invite-on-access = Invitez ou révoquez sur l’écran Accès.
admin-cluster-label = Grappe :
admin-cluster = Ce relais { $connected ->
    [yes] est connecté à
   *[no] n’est PAS connecté à
} { $url } ; appliqué jusqu’au n° { $seq } ; { $waiting ->
    [0] chaque modification faite ici est dans JetStream
    [one] { $waiting } message de modification ({ $size }) fait ici attend JetStream
   *[other] { $waiting } messages de modification ({ $size }) faits ici attendent JetStream
}. Publiés : { $published }, appliqués depuis d’autres relais : { $applied }, { $snapshots ->
    [one] { $snapshots } instantané
   *[other] { $snapshots } instantanés
}.
admin-status-failed = Impossible d’obtenir l’état du relais ({ $error }). Affichage du dernier état connu.
admin-unexpected-answer = réponse inattendue
admin-just-now = à l’instant
admin-ago = il y a { $age }
admin-age-s = { $s } s
admin-age-min = { $min } min
admin-age-h-min = { $h } h { $min } min
admin-age-d-h = { $d } j { $h } h
admin-size-b = { $n } o
admin-size-kb = { $n } Ko
admin-size-mb = { $n } Mo
admin-size-gb = { $n } Go
admin-time-us = { $n } µs
admin-time-ms = { $n } ms
admin-time-s = { $n } s

## Analyses chiffrées de bout en bout
admin-recovery-key = Clé de récupération
admin-recovery-title = Enregistrez la clé de récupération
admin-recovery-text = Cette analyse est chiffrée de bout en bout : le relais ne peut pas la lire. Si tous les appareils capables de l’ouvrir sont perdus, cette clé de récupération est le seul moyen d’y revenir. Elle n’est montrée que cette fois : gardez-la dans le gestionnaire de mots de passe de votre coalition ou sur papier.
admin-recovery-saved = J’ai enregistré la clé de récupération
admin-continue = Continuer
admin-waiting-title = En attente qu’un membre vous fasse entrer
admin-waiting-text = Cette analyse est chiffrée de bout en bout. L’appareil d’un membre fera entrer celui-ci dès qu’il sera en ligne ; gardez cette page ouverte.
admin-this-device = Cet appareil : { $device }
admin-not-member-title = Cette analyse est chiffrée de bout en bout : demandez une invitation à un membre
admin-not-member-text = Cet appareil ne fait pas partie de ses membres, il ne peut donc pas la lire (le relais non plus). Un membre ayant accès à l’écran Accès peut créer un lien d’invitation qui fera entrer cet appareil.
admin-home = Accueil
admin-try-again = Réessayer
admin-removed-title = Cet appareil a été retiré de cette analyse.
admin-removed-text = Il garde ce qu’il avait déjà lu, mais ne reçoit plus les modifications, et les modifications faites ici ne sont pas envoyées. Demandez une nouvelle invitation à un admin pour être de nouveau admis.
admin-col-device = Appareil
admin-this-device-mark = (cet appareil)
admin-remove-device = Retirer { $device }
admin-remove-device-failed = Impossible de retirer l’appareil ({ $error }).
admin-turn-down-failed = Impossible de refuser la demande ({ $error }).
admin-requests-title = Demandes d’accès sans invitation valide
admin-no-name = (sans nom)
admin-request = { $label } via { $token }
admin-turn-down = Refuser
admin-devices-title = 🔒 Appareils pouvant lire cette analyse
admin-devices-text = Seuls ces appareils détiennent ses clés. En retirer un crée une nouvelle clé qu’il ne reçoit jamais.
admin-unavailable = Cette analyse n’est pas encore sur cet appareil et le relais n’a pas pu la fournir. Vérifiez le lien et la connexion ; elle s’ouvrira dès que le relais l’aura.
admin-creating-sealed = Création de l’analyse chiffrée…
admin-create-sealed-failed = Impossible de créer l’analyse chiffrée ({ $error }). Êtes-vous en ligne ?
