### The weekly report and the CSV matrix (crates/model/src/report and web/src/model/report*.ts render
### from this file, byte for byte the same). Markdown marks (#, -, [ ]) stay in the code; what a
### reader reads is here. Numbers are given as numbers (Latin digits in every language: a report is
### mailed to a mixed list); dates are ISO (2026-11-20) in every language.

## Header
report-title = Weekly report for { $date }
report-meeting = Meeting: { $meeting }
report-meeting-dates = { $starts } to { $ends }
report-as-of = As of: end of { $date } (UTC)
report-since = Changes since: { $since }
report-since-last = { $from } (the day after the last report, { $date }, sent by { $name })
report-since-week = { $from } (no earlier report: the last 7 days)
report-in-short = In short: { $changes ->
        [one] { $changes } position change
       *[other] { $changes } position changes
    } since { $from }, { $conflicts } unresolved { $conflicts ->
        [one] conflict
       *[other] conflicts
    }, { $tasks } open { $tasks ->
        [one] task
       *[other] tasks
    }. { $known } of { $positions } positions are known.

## Changes since the last report
report-changes-heading = Changes since { $from }
report-no-change = No position changed.
report-change-new = new: { $stance } ({ $confidence })
report-change-stance = { $before } → { $stance } ({ $confidence })
report-change-confidence = still { $stance }, confidence { $before } → { $confidence }
report-by = by { $name }

## Positions by agenda item
report-positions-heading = Positions by agenda item
report-stance-group = { $stance ->
        [supports] Supports
        [opposes] Opposes
        [mixed] Mixed
       *[undecided] Undecided
    } ({ $count }):
report-not-known = Not known yet: { $count ->
        [one] { $count } country
       *[other] { $count } countries
    }.
report-nothing-known = No position known yet on: { $items }.
report-nothing-known-item = { $code } ({ $priority })
report-note-merged = [NOTE MERGED: edited at the same time by { $names }, not checked yet]
report-sources = Sources: { $sources }

## Conflicts
report-conflicts-heading = Unresolved conflicts
report-conflicts-intro = Two members recorded different values at the same time. Someone who knows should pick one.
report-conflict = [CONFLICT on { $field }: { $values }]
report-internal-notes = internal notes (by { $names })
report-unregistered = unregistered device { $actor }
report-value-by = { $value } (by { $name })
report-path-task = task "{ $title }"

## Open tasks
report-tasks-heading = Open tasks
report-unassigned = Unassigned
report-in-progress = in progress
report-when = when: { $when }

## Shared pieces
report-none = None.
# "Brazil: supports", "Res 102, notes": a subject and what is said about it.
report-line = { $subject }: { $text }
report-place = { $place }, { $detail }
# Joining names and values: "Ana and Maria", "yes (by Ana) vs no (by Maria)", "a, b".
report-and = { $first } and { $next }
report-versus = { $first } vs { $next }
report-list = { $first }, { $next }
report-item-heading = { $code } ({ $priority ->
        [high] high
        [low] low
       *[medium] medium
    } priority)
report-item-heading-titled = { $code } ({ $priority ->
        [high] high
        [low] low
       *[medium] medium
    } priority): { $title }
report-no-track = No track
report-track = Track { $track }
report-track-named = { $track }: { $name }
report-stance = { $stance ->
        [supports] supports
        [opposes] opposes
        [mixed] mixed
        [undecided] undecided
       *[unknown] unknown
    }
report-confidence = { $confidence ->
        [rumour] rumour
        [reported] reported
       *[confirmed] confirmed
    }
report-priority = { $priority ->
        [high] high
        [low] low
       *[medium] medium
    }
report-field = { $field ->
        [stance] stance
        [confidence] confidence
        [notes] notes
        [sources] sources
        [title] title
        [assignee] assignee
        [status] status
        [when] when
        [name] name
        [region] region
       *[other] { $field }
    }

## The CSV matrix's header ({ $code } is an agenda item's code, "Res 102")
csv-code = code
csv-name = name
csv-region = region
csv-stance = { $code } stance
csv-confidence = { $code } confidence
csv-notes = { $code } notes
csv-sources = { $code } sources
