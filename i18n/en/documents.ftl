### Documents, offline change files, reports around the report (export, print view, mailing list) and history.
### Ids start with documents-. Sizes come formatted (documents-size-*); dates as YYYY-MM-DD are codes.

## The Documents view
documents-title = Documents
documents-intro = Member states' proposals, draft resolutions and other papers, for the coalition only. Keep the ones you need in the hall offline.
documents-add = Add documents
documents-add-for = Add documents for { $place }
documents-attach = Attach document
documents-attach-for = Attach document for { $place }
documents-for = Documents for { $place }
documents-or-drop = or drop files on this page
documents-none = No documents yet.
# $places: the places as a list ("the analysis, BR on Res 102"), each a link
documents-attached-to = Attached to { $places }
documents-place-analysis = the analysis
documents-place-item = agenda item { $code }
documents-place-position = { $country } on { $code }
documents-place-task = task "{ $title }"
documents-remove = Remove
documents-remove-all-label = Remove { $name } from the analysis
documents-confirm-remove = Confirm remove
documents-confirm-remove-label = Confirm remove { $name } from every place
documents-someone = someone

## This device's storage
documents-storage-label = Storage for documents on this device
documents-keep-at-most = Keep at most
documents-storage-note = Over this, the documents opened longest ago leave this device (they stay on the relay). Documents kept offline, and those not uploaded yet, always stay.
documents-storage-used = On this device: { $used } of { $budget } used by documents
documents-relay-quota = On the relay: { $used } of { $quota } for this analysis.
documents-relay-quota-max = On the relay: { $used } of { $quota } for this analysis; at most { $max } per file.
documents-relay-max = The relay takes files of up to { $max }.

## Sizes (units of 1024)
documents-size-bytes = { $n ->
    [one] { $n } byte
   *[other] { $n } bytes
}
documents-size-kb = { $n } KB
documents-size-mb = { $n } MB
documents-size-gb = { $n } GB

## One file's line
documents-kind-pdf = PDF
documents-kind-image = Image
documents-kind-document = Document
documents-kind-spreadsheet = Spreadsheet
documents-kind-slides = Slides
documents-kind-text = Text
documents-kind-file = File
documents-file-facts = { $kind } · { $size }
documents-open-label = Open { $name }
documents-added-by = Added by { $name }
documents-added-by-at = Added by { $name }, { $time }
documents-download = Download
documents-download-label = Download { $name }
documents-keep-offline = Keep offline
documents-retry = Try again
documents-retry-label = Try uploading { $name } again
documents-remove-from-label = Remove { $name } from { $place }
documents-status-here = On this device
documents-status-here-pinned = On this device · kept offline
documents-status-upload-waiting = Waiting to upload from this device (will retry when online)
documents-status-uploading = Uploading from this device…
documents-status-downloading = Downloading to this device…
documents-status-relay = On the relay
# $device: "Chrome on Android", as the device that added it calls itself
documents-status-waiting-device = Not uploaded yet: uploading from { $name }'s { $device }…
documents-status-waiting = Not uploaded yet (added by { $name })
documents-status-unknown-pinned = Kept offline: downloads when the relay is reachable
documents-status-unknown = Not on this device (relay not reachable)

## After Open, Download, Keep offline, Attach
documents-note-not-uploaded = It is not on the relay yet; it opens once the person who added it is online.
documents-note-offline = It is not on this device and the relay cannot be reached now.
documents-note-failed = It could not be opened: { $error }.
documents-note-press-open = Now on this device: press Open again to show it.
documents-note-pin-waiting = Kept offline once it is uploaded.
documents-note-pin-offline = Kept offline: it downloads when the relay can be reached.
documents-attach-removed = This device was removed from the encrypted analysis: it cannot add documents.
documents-attach-failed = { $name } could not be attached: { $error }.
documents-error-relay-answered = the relay answered { $status }
documents-error-other-bytes = the relay sent other bytes than were attached
documents-error-decrypt = this device cannot decrypt the file

## Uploads the relay refused
documents-upload-too-large = Too large for the relay: this file stays on this device only. Share it another way, or ask your coordinator to raise the limit.
documents-upload-full = The analysis's document storage on the relay is full: this file stays on this device only. Ask your coordinator for more space, then try again.
documents-upload-unauthorized = This access link can no longer upload documents; the file stays on this device.
documents-upload-read-only = Your access is read only: the file stays on this device.
documents-upload-refused = The relay refused this file; it stays on this device only.
documents-upload-refused-why = The relay refused this file ({ $error }); it stays on this device only.
documents-upload-gone = The file is no longer on this device, so it cannot be uploaded from here.

## Offline files (change files)
documents-changes-title = Offline files
documents-changes-intro = For when there is no network at all: save this device’s changes to a file (USB stick, e-mail attachment), and load a file someone saved on theirs. Loading the same file twice does nothing. The documents the changes attach go in the file too when this device has them (up to 50 MB in all).
documents-changes-save = Save changes to file
documents-changes-all = All changes (the whole analysis)
documents-changes-since = Changes made since
documents-changes-since-label = Changes made since (date)
documents-changes-load = Load changes file
documents-changes-viewers = Viewers cannot load change files: ask an editor.
documents-changes-choose-date = Choose a date.
documents-changes-writing = Writing the change file…
documents-changes-saved = Saved { $name } ({ $bytes } bytes).
documents-changes-save-failed = Could not save the changes: { $error }
documents-changes-keep-failed = The documents that came with them could not be kept on this device: { $error }.
documents-changes-reading = Reading { $name }…
documents-changes-had-all = Already had every change in this file ({ $name }).
documents-changes-loaded = { $count ->
    [one] Loaded { $count } new change from { $name }.
   *[other] Loaded { $count } new changes from { $name }.
}
documents-changes-load-failed = Could not load { $name }: { $error }
documents-carry-came = { $came ->
    [one] { $came } document came with these changes.
   *[other] { $came } documents came with these changes.
}
documents-carry-came-missing = { $came ->
    [one] { $came } document came
   *[other] { $came } documents came
} with these changes; { $missing ->
    [one] { $missing } is not included: it will download from the relay once someone uploads it.
   *[other] { $missing } are not included: they will download from the relay once someone uploads them.
}
documents-carry-missing = { $missing ->
    [one] { $missing } document these changes refer to is not included: it will download from the relay once someone uploads it.
   *[other] { $missing } documents these changes refer to are not included: they will download from the relay once someone uploads them.
}
documents-carry-unreadable = { $count ->
    [one] One of them could not be opened on this device.
   *[other] { $count } of them could not be opened on this device.
}
documents-carry-includes = { $count ->
    [one] It includes { $count } document the changes refer to.
   *[other] It includes { $count } documents the changes refer to.
}
documents-carry-includes-none = It includes none of the documents the changes refer to.
documents-carry-not-included = { $count ->
    [one] { $count } is not included (not on this device, or past the 50 MB a change file carries): whoever loads it gets it from the relay.
   *[other] { $count } are not included (not on this device, or past the 50 MB a change file carries): whoever loads it gets them from the relay.
}

## Export report and the print view
documents-report-export = Export report
documents-report-intro-local = This analysis is end-to-end encrypted: this device writes the report from its copy (the relay cannot read it): the analysis as of the end of the report date, and what changed since the last report (or a date).
documents-report-intro-relay = The relay writes the report from what it has stored: the analysis as of the end of the report date, and what changed since the last report (or a date).
documents-report-format = Format
documents-format-md = Markdown report
documents-format-csv = CSV matrix
documents-format-json = JSON
documents-report-date = Report date (UTC)
documents-report-language = Language of the report
documents-report-since = Changes since
documents-report-since-last = The last report sent
documents-report-since-date = A date
documents-report-since-label = Changes since date
documents-report-choose-date = Choose a report date.
documents-report-print-view = Print view
documents-report-print = Print
documents-report-mark-sent = Mark as sent
documents-report-back = Back to export
documents-report-marked = Marked the report of { $date } as sent.
documents-report-downloaded = Downloaded { $name }.
documents-report-sent-title = Reports sent
documents-report-none-sent = No report marked as sent yet.
documents-report-sent-by = by { $name }, { $time }
documents-report-change-files = Change files (for when there is no network)
documents-report-writing = Writing the report on this device…
documents-report-asking = Asking the relay for the report…
documents-report-offline = The report is made by the relay from what it has stored, and the relay cannot be reached now (offline?). Try again when connected.
documents-report-relay-failed = The report is made by the relay, and it failed: { $error }.
documents-report-failed = The report failed: { $error }
documents-api-offline = offline
documents-api-unreachable = the relay cannot be reached
documents-api-answered = the relay answered { $status }
documents-api-not-offered = this relay does not offer it

## Send to mailing list
documents-mail-send = Send to mailing list
documents-mail-title = The relay mails the report to { $to }
documents-mail-sending = Sending…
documents-mail-sent = Sent to { $to } at { $time }.
documents-mail-log-title = Sent to the mailing list
documents-mail-log = Sent by { $name } on { $when } · report of { $date } · to { $to }
documents-mail-log-detail = { $subject } · { $reply }
documents-mail-offline = Offline: the relay sends the mail, so sending waits until this device is connected.
documents-mail-unreachable = Could not reach the relay (offline?); nothing was sent.
documents-mail-answered = The relay answered { $status }; nothing was sent.

## History
documents-history = History
documents-history-of = History of { $label }
# $text: the caller's button text ("Country history")
documents-history-text-of = { $text } of { $label }
documents-history-reading = Reading the history on this device…
documents-history-asking = Asking the relay for the history…
documents-history-empty = No changes recorded yet.
documents-history-offline = History needs the relay, and it cannot be reached now (offline?). It comes from the relay’s stored copy.
documents-history-failed = The relay could not give the history: { $error }.
documents-history-changes = { $count ->
    [one] { $count } changes
   *[other] { $count } changes
}
documents-history-line = { $who } · { $when } · { $what }
documents-history-span = { $start } – { $end }
documents-history-to = { $field } → { $after }
documents-history-from-to = { $field }: { $before } → { $after }
documents-history-quoted = “{ $text }”
documents-history-removed = removed
documents-history-none = none
documents-history-set = set
documents-history-created = created
documents-history-change = change
documents-history-time-unknown = time unknown
documents-history-unknown-device = unknown device { $id }
