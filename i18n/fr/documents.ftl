### Documents, fichiers hors ligne, autour du rapport (export, aperçu avant impression, liste de diffusion) et historique.

## La vue Documents
documents-title = Documents
documents-intro = Propositions des États membres, projets de résolution et autres documents, réservés à la coalition. Gardez hors ligne ceux dont vous aurez besoin en salle.
documents-add = Ajouter des documents
documents-add-for = Ajouter des documents pour { $place }
documents-attach = Joindre un document
documents-attach-for = Joindre un document pour { $place }
documents-for = Documents pour { $place }
documents-or-drop = ou déposez des fichiers sur cette page
documents-none = Aucun document pour l’instant.
documents-attached-to = Joint à { $places }
documents-place-analysis = l’analyse
documents-place-item = le point { $code } de l’ordre du jour
documents-place-position = { $country } sur { $code }
documents-place-task = la tâche « { $title } »
documents-remove = Retirer
documents-remove-all-label = Retirer { $name } de l’analyse
documents-confirm-remove = Confirmer le retrait
documents-confirm-remove-label = Confirmer le retrait de { $name } de tous les emplacements
documents-someone = quelqu’un

## Le stockage de cet appareil
documents-storage-label = Stockage des documents sur cet appareil
documents-keep-at-most = Garder au plus
documents-storage-note = Au-delà, les documents ouverts il y a le plus longtemps quittent cet appareil (ils restent sur le relais). Les documents gardés hors ligne, et ceux pas encore envoyés, restent toujours.
documents-storage-used = Sur cet appareil : { $used } sur { $budget } utilisés par les documents
documents-relay-quota = Sur le relais : { $used } sur { $quota } pour cette analyse.
documents-relay-quota-max = Sur le relais : { $used } sur { $quota } pour cette analyse ; au plus { $max } par fichier.
documents-relay-max = Le relais accepte les fichiers jusqu’à { $max }.

## Tailles
documents-size-bytes = { $n ->
    [one] { $n } octet
   *[other] { $n } octets
}
documents-size-kb = { $n } Ko
documents-size-mb = { $n } Mo
documents-size-gb = { $n } Go

## La ligne d’un fichier
documents-kind-pdf = PDF
documents-kind-image = Image
documents-kind-document = Document
documents-kind-spreadsheet = Tableur
documents-kind-slides = Présentation
documents-kind-text = Texte
documents-kind-file = Fichier
documents-file-facts = { $kind } · { $size }
documents-open-label = Ouvrir { $name }
documents-added-by = Ajouté par { $name }
documents-added-by-at = Ajouté par { $name }, { $time }
documents-download = Télécharger
documents-download-label = Télécharger { $name }
documents-keep-offline = Garder hors ligne
documents-retry = Réessayer
documents-retry-label = Réessayer d’envoyer { $name }
documents-remove-from-label = Retirer { $name } de { $place }
documents-status-here = Sur cet appareil
documents-status-here-pinned = Sur cet appareil · gardé hors ligne
documents-status-upload-waiting = En attente d’envoi depuis cet appareil (nouvel essai une fois en ligne)
documents-status-uploading = Envoi depuis cet appareil…
documents-status-downloading = Téléchargement sur cet appareil…
documents-status-relay = Sur le relais
documents-status-waiting-device = Pas encore envoyé : envoi depuis l’appareil { $device } de { $name }…
documents-status-waiting = Pas encore envoyé (ajouté par { $name })
documents-status-unknown-pinned = Gardé hors ligne : se télécharge quand le relais est joignable
documents-status-unknown = Pas sur cet appareil (relais injoignable)

## Après Ouvrir, Télécharger, Garder hors ligne, Joindre
documents-note-not-uploaded = Il n’est pas encore sur le relais ; il s’ouvrira dès que la personne qui l’a ajouté sera en ligne.
documents-note-offline = Il n’est pas sur cet appareil et le relais est injoignable pour le moment.
documents-note-failed = Impossible de l’ouvrir : { $error }.
documents-note-press-open = Maintenant sur cet appareil : appuyez de nouveau sur Ouvrir pour l’afficher.
documents-note-pin-waiting = Gardé hors ligne une fois envoyé.
documents-note-pin-offline = Gardé hors ligne : il se téléchargera quand le relais sera joignable.
documents-attach-removed = Cet appareil a été retiré de l’analyse chiffrée : il ne peut pas ajouter de documents.
documents-attach-failed = Impossible de joindre { $name } : { $error }.
documents-error-relay-answered = le relais a répondu { $status }
documents-error-other-bytes = le relais a envoyé d’autres octets que ceux qui avaient été joints
documents-error-decrypt = cet appareil ne peut pas déchiffrer le fichier

## Envois refusés par le relais
documents-upload-too-large = Trop volumineux pour le relais : ce fichier reste sur cet appareil uniquement. Partagez-le autrement, ou demandez à votre coordination de relever la limite.
documents-upload-full = L’espace de stockage des documents de l’analyse sur le relais est plein : ce fichier reste sur cet appareil uniquement. Demandez plus d’espace à votre coordination, puis réessayez.
documents-upload-unauthorized = Ce lien d’accès ne permet plus d’envoyer des documents ; le fichier reste sur cet appareil.
documents-upload-read-only = Votre accès est en lecture seule : le fichier reste sur cet appareil.
documents-upload-refused = Le relais a refusé ce fichier ; il reste sur cet appareil uniquement.
documents-upload-refused-why = Le relais a refusé ce fichier ({ $error }) ; il reste sur cet appareil uniquement.
documents-upload-gone = Le fichier n’est plus sur cet appareil : il ne peut donc pas être envoyé d’ici.

## Fichiers hors ligne
documents-changes-title = Fichiers hors ligne
documents-changes-intro = Quand il n’y a aucun réseau : enregistrez les modifications de cet appareil dans un fichier (clé USB, pièce jointe) et chargez un fichier enregistré par quelqu’un d’autre. Charger deux fois le même fichier ne fait rien. Les documents joints par ces modifications vont aussi dans le fichier quand cet appareil les a (jusqu’à 50 Mo en tout).
documents-changes-save = Enregistrer dans un fichier
documents-changes-all = Toutes les modifications (toute l’analyse)
documents-changes-since = Modifications depuis le
documents-changes-since-label = Modifications depuis le (date)
documents-changes-load = Charger un fichier
documents-changes-viewers = Les lecteurs ne peuvent pas charger de fichiers de modifications : demandez à un éditeur.
documents-changes-choose-date = Choisissez une date.
documents-changes-writing = Écriture du fichier de modifications…
documents-changes-saved = { $name } enregistré ({ $bytes } octets).
documents-changes-save-failed = Impossible d’enregistrer les modifications : { $error }
documents-changes-keep-failed = Les documents reçus avec elles n’ont pas pu être gardés sur cet appareil : { $error }.
documents-changes-reading = Lecture de { $name }…
documents-changes-had-all = Toutes les modifications de ce fichier étaient déjà là ({ $name }).
documents-changes-loaded = { $count ->
    [one] { $count } nouvelle modification chargée depuis { $name }.
   *[other] { $count } nouvelles modifications chargées depuis { $name }.
}
documents-changes-load-failed = Impossible de charger { $name } : { $error }
documents-carry-came = { $came ->
    [one] { $came } document est arrivé avec ces modifications.
   *[other] { $came } documents sont arrivés avec ces modifications.
}
documents-carry-came-missing = { $came ->
    [one] { $came } document est arrivé
   *[other] { $came } documents sont arrivés
} avec ces modifications ; { $missing ->
    [one] { $missing } n’est pas inclus : il se téléchargera depuis le relais dès que quelqu’un l’aura envoyé.
   *[other] { $missing } ne sont pas inclus : ils se téléchargeront depuis le relais dès que quelqu’un les aura envoyés.
}
documents-carry-missing = { $missing ->
    [one] { $missing } document auquel ces modifications renvoient n’est pas inclus : il se téléchargera depuis le relais dès que quelqu’un l’aura envoyé.
   *[other] { $missing } documents auxquels ces modifications renvoient ne sont pas inclus : ils se téléchargeront depuis le relais dès que quelqu’un les aura envoyés.
}
documents-carry-unreadable = { $count ->
    [one] L’un d’eux n’a pas pu être ouvert sur cet appareil.
   *[other] { $count } d’entre eux n’ont pas pu être ouverts sur cet appareil.
}
documents-carry-includes = { $count ->
    [one] Il contient { $count } document auquel les modifications renvoient.
   *[other] Il contient { $count } documents auxquels les modifications renvoient.
}
documents-carry-includes-none = Il ne contient aucun des documents auxquels les modifications renvoient.
documents-carry-not-included = { $count ->
    [one] { $count } n’est pas inclus (absent de cet appareil, ou au-delà des 50 Mo qu’un fichier de modifications transporte) : la personne qui le charge le recevra du relais.
   *[other] { $count } ne sont pas inclus (absents de cet appareil, ou au-delà des 50 Mo qu’un fichier de modifications transporte) : la personne qui le charge les recevra du relais.
}

## Exporter le rapport et l’aperçu avant impression
documents-report-export = Exporter le rapport
documents-report-intro-local = Cette analyse est chiffrée de bout en bout : cet appareil rédige le rapport à partir de sa copie (le relais ne peut pas la lire) : l’analyse telle qu’elle était à la fin de la date du rapport, et ce qui a changé depuis le dernier rapport (ou une date).
documents-report-intro-relay = Le relais rédige le rapport à partir de ce qu’il a enregistré : l’analyse telle qu’elle était à la fin de la date du rapport, et ce qui a changé depuis le dernier rapport (ou une date).
documents-report-format = Format
documents-format-md = Rapport Markdown
documents-format-csv = Matrice CSV
documents-format-json = JSON
documents-report-date = Date du rapport (UTC)
documents-report-language = Langue du rapport
documents-report-since = Changements depuis
documents-report-since-last = Le dernier rapport envoyé
documents-report-since-date = Une date
documents-report-since-label = Date de début des changements
documents-report-choose-date = Choisissez une date de rapport.
documents-report-print-view = Aperçu
documents-report-print = Imprimer
documents-report-mark-sent = Marquer envoyé
documents-report-back = Retour à l’export
documents-report-marked = Le rapport du { $date } est marqué comme envoyé.
documents-report-downloaded = { $name } téléchargé.
documents-report-sent-title = Rapports envoyés
documents-report-none-sent = Aucun rapport marqué comme envoyé pour l’instant.
documents-report-sent-by = par { $name }, { $time }
documents-report-change-files = Fichiers de modifications (quand il n’y a pas de réseau)
documents-report-writing = Rédaction du rapport sur cet appareil…
documents-report-asking = Demande du rapport au relais…
documents-report-offline = Le rapport est produit par le relais à partir de ce qu’il a enregistré, et le relais est injoignable pour le moment (hors ligne ?). Réessayez une fois connecté.
documents-report-relay-failed = Le rapport est produit par le relais, et cela a échoué : { $error }.
documents-report-failed = Le rapport a échoué : { $error }
documents-api-offline = hors ligne
documents-api-unreachable = le relais est injoignable
documents-api-answered = le relais a répondu { $status }
documents-api-not-offered = ce relais ne le propose pas

## Envoyer à la liste de diffusion
documents-mail-send = Envoyer à la liste
documents-mail-title = Le relais envoie le rapport par courriel à { $to }
documents-mail-sending = Envoi…
documents-mail-sent = Envoyé à { $to } à { $time }.
documents-mail-log-title = Envoyés à la liste de diffusion
documents-mail-log = Envoyé par { $name } le { $when } · rapport du { $date } · à { $to }
documents-mail-log-detail = { $subject } · { $reply }
documents-mail-offline = Hors ligne : c’est le relais qui envoie le courriel, l’envoi attend donc que cet appareil soit connecté.
documents-mail-unreachable = Impossible de joindre le relais (hors ligne ?) ; rien n’a été envoyé.
documents-mail-answered = Le relais a répondu { $status } ; rien n’a été envoyé.

## Historique
documents-history = Historique
documents-history-of = Historique de { $label }
documents-history-text-of = { $text } : { $label }
documents-history-reading = Lecture de l’historique sur cet appareil…
documents-history-asking = Demande de l’historique au relais…
documents-history-empty = Aucune modification enregistrée pour l’instant.
documents-history-offline = L’historique a besoin du relais, qui est injoignable pour le moment (hors ligne ?). Il provient de la copie enregistrée par le relais.
documents-history-failed = Le relais n’a pas pu fournir l’historique : { $error }.
documents-history-changes = { $count ->
    [one] { $count } modification
   *[other] { $count } modifications
}
documents-history-line = { $who } · { $when } · { $what }
documents-history-span = { $start } – { $end }
documents-history-to = { $field } → { $after }
documents-history-from-to = { $field } : { $before } → { $after }
documents-history-quoted = « { $text } »
documents-history-removed = supprimé
documents-history-none = aucun
documents-history-set = défini
documents-history-created = création
documents-history-change = modification
documents-history-time-unknown = heure inconnue
documents-history-unknown-device = appareil inconnu { $id }
