### Words the whole client shares: the language picker, stances, confidences, priorities, task statuses.
### Ids are kebab-case; a file's ids start with its name (common-, stance-, confidence-, ...).

## The language picker (the name of each language is its own, from i18n/languages.json)
common-language = Language

## Stances, confidences, priorities, task statuses (the values stored are the ids after the prefix)
stance-supports = Supports
stance-opposes = Opposes
stance-undecided = Undecided
stance-mixed = Mixed
stance-unknown = Unknown
confidence-rumour = Rumour
confidence-reported = Reported
confidence-confirmed = Confirmed
priority-high = High
priority-medium = Medium
priority-low = Low
status-open = Open
status-doing = Doing
status-done = Done
