# Les noms du modèle : intitulés de l'UIT (à vérifier contre les Actes finals officiels).

## Tracks (committees and working groups), by the template's id
track-PL = Plénière
track-COM1 = Commission 1 – Commission de direction
track-COM2 = Commission 2 – Commission des pouvoirs
track-COM3 = Commission 3 – Commission de contrôle budgétaire
track-COM4 = Commission 4 – Commission de rédaction
track-COM5 = Commission 5 – Politique et questions juridiques
track-COM6 = Commission 6 – Administration et gestion
track-WG-PL = Groupe de travail de la plénière

## Agenda item titles, by the template's id
item-res-102 = Rôle de l'UIT concernant les questions de politiques publiques internationales ayant trait à l'Internet et à la gestion des ressources de l'Internet, y compris les noms de domaine et les adresses
item-res-101 = Réseaux fondés sur le protocole Internet
item-res-130 = Renforcement du rôle de l'UIT dans l'instauration de la confiance et de la sécurité dans l'utilisation des technologies de l'information et de la communication
item-res-140 = Rôle de l'UIT dans la mise en œuvre des résultats du Sommet mondial sur la société de l'information et du Programme de développement durable à l'horizon 2030, ainsi que dans les processus de suivi et d'examen associés
item-res-179 = Rôle de l'UIT dans la protection en ligne des enfants
item-res-206 = Services OTT
item-res-71 = Plan stratégique de l'Union pour la période 2028-2031
item-res-139 = Utilisation des télécommunications/technologies de l'information et de la communication pour réduire la fracture numérique et édifier une société de l'information inclusive
item-res-203 = Connectivité aux réseaux large bande
item-res-123 = Réduire l'écart en matière de normalisation entre pays en développement et pays développés
item-res-9 = Participation des pays, en particulier des pays en développement, à la gestion du spectre des fréquences
item-dec-12 = Accès en ligne gratuit aux publications de l'UIT
item-res-66 = Documents et publications de l'Union
item-res-167 = Renforcer et développer les capacités de l'UIT pour les réunions électroniques et les moyens permettant de faire avancer les travaux de l'Union
item-res-169 = Admission des établissements universitaires à participer aux travaux de l'Union
item-elections = Élection du Secrétaire général, du Vice-Secrétaire général, des Directeurs des Bureaux, des membres du Comité du Règlement des radiocommunications et des États Membres du Conseil

## ITU regions
region-africa = Afrique
region-americas = Amériques
region-asia-and-australasia = Asie et Australasie
region-eastern-europe-and-northern-asia = Europe orientale et Asie septentrionale
region-western-europe = Europe occidentale
