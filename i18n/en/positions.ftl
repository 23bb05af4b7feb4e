### Positions: the matrix, the country page, its cards, conflicts and text merges. Ids start with "positions-".

## The matrix
positions-matrix-title = Matrix
positions-matrix-label = Positions matrix
positions-grid-label = Positions by country and agenda item
positions-country = Country
positions-filter-region = Filter by region
positions-filter-track = Filter by track
positions-filter-stance = Filter by stance
positions-filter-priority = Filter by priority
positions-all-regions = All regions
positions-all-tracks = All tracks
positions-all-stances = All stances
positions-all-priorities = All priorities
positions-search-placeholder = Search country
positions-search-label = Search by country
# a track in the track filter: its id (a code) and its name
positions-track-option = { $id } – { $name }
positions-legend = Confidence: ? rumour · • reported · ✓ confirmed · ⚠ conflict
positions-no-match = No country matches the filters.
# a column's tooltip: the item's title, its track (a code) and its priority
positions-item-tooltip = { $title } ({ $track }, { $priority ->
    [high] high
    [medium] medium
   *[low] low
})
# who looks at a country right now ($names: their names)
positions-viewing = Viewing: { $names }
# a stance in a matrix cell, kept short (about three letters)
positions-cell-supports = Sup
positions-cell-opposes = Opp
positions-cell-undecided = Und
positions-cell-mixed = Mix
positions-cell-unknown = Unk
# what a screen reader says for a cell ($code: the item's code, like "Res 102")
positions-cell-label = { $country } on { $code }: { $stance }, { $confidence }
positions-cell-empty = { $country } on { $code }: no position yet
positions-cell-conflict = { $country } on { $code }: conflict. Stance: { $stance }. Confidence: { $confidence }
# two values of one field that conflict
positions-either = { $first } or { $second }

## The country page
positions-no-country = No country { $code } in this analysis.
positions-country-history = Country history
positions-delegation = Delegation
positions-open-to-cs = Open to civil society
positions-open-to-cs-for = Open to civil society for { $country }
positions-open-unknown = Unknown
positions-open-yes = Yes
positions-open-no = No
positions-contacts = Contacts
positions-contacts-for = Delegation contacts for { $country }
positions-also-here = Also here: { $names }
# a person and their organisation
positions-person-org = { $name } ({ $org })

## One agenda item's card
# the card's subject in labels: "Brazil on Res 102"
positions-on = { $country } on { $code }
positions-stance = Stance
positions-confidence = Confidence
positions-notes = Notes
positions-source = Source
positions-add-source = Add source
positions-stance-for = Stance for { $country } on { $code }
positions-confidence-for = Confidence for { $country } on { $code }
positions-notes-for = Notes for { $country } on { $code }
positions-source-for = Source for { $country } on { $code }
positions-add-source-for = Add source for { $country } on { $code }
positions-meta = { $track } · { $priority ->
    [high] high
    [medium] medium
   *[low] low
} priority
positions-meta-theme = { $track } · { $priority ->
    [high] high
    [medium] medium
   *[low] low
} priority · { $theme }
positions-about = About this item
positions-updated-by = Updated by { $names }, { $time }
positions-updated-unknown = unknown
positions-not-updated = Not updated yet
# two people who changed a position at the same time
positions-and = { $first } and { $second }
positions-sources = Sources
positions-source-placeholder = URL or reference
positions-add = Add
positions-remove-source = Remove source { $n } for { $country } on { $code }

## Conflicts
positions-conflict-label = Conflict: { $field ->
    [stance] stance
   *[confidence] confidence
} of { $country } on { $code }
positions-conflict-text = ⚠ { $count } people set the { $field ->
    [stance] stance
   *[confidence] confidence
} at the same time:
# after a value in a conflict box
positions-set-by = set by { $who }
positions-keep = Keep { $value }
positions-keep-for = Keep { $value } for { $field ->
    [stance] stance
   *[confidence] confidence
} of { $country } on { $code }

## Text edited at the same time
positions-merge-label = Text merge: { $label }
positions-merge-text = ⚠ Edited at the same time by { $names }. The text above is automerge's merge of both; check it.
positions-merge-version = { $name }'s version:
positions-merge-empty = (empty)
positions-merge-keep = Keep { $name }'s version
positions-merge-keep-for = Keep { $name }'s version of { $label }
positions-merge-keep-merged = Keep the merged text
positions-merge-keep-merged-for = Keep the merged text of { $label }
positions-merge-or-edit = or edit the text above, then keep it.
positions-merge-unknown-device = unknown device { $id }

## Internal notes
positions-internal = Internal: keep out of reports
positions-internal-for = Internal: keep out of reports ({ $label })
