### Access (tokens and invitations), the Admin screen (the relay's status), and sealed analyses' screens.
### Ids start with admin-. Counts come without grouping; dates as YYYY-MM-DD and UTC moments are codes.

## Roles and token states
admin-role-viewer = viewer
admin-role-editor = editor
admin-role-admin = admin
# the top bar's role, for a viewer
admin-role-viewer-read-only = viewer · read only
admin-role-viewer-option = Viewer (read only)
admin-role-editor-option = Editor (read and write)
admin-role-admin-option = Admin (everything, including access)
admin-state-active = active
admin-state-revoked = revoked
admin-state-expired = expired
admin-expires-never = never
admin-scope-all = all analyses
admin-scope-documents = { $count ->
    [one] { $count } document
   *[other] { $count } documents
}

## The Access screen
admin-access-title = Access
admin-access-intro = Whoever holds a token can open the analyses it allows. The secret is shown once, as an invitation link; send it privately.
admin-tokens = Tokens
admin-new-token = New token
admin-invite = Invite someone
admin-token-name = Token name
admin-token-name-example = e.g. Ana (laptop)
admin-role = Role
admin-expires-on = Expires on (optional)
admin-this-analysis-only = This analysis only
admin-create-token = Create token
admin-create-failed = Could not create the token ({ $error }). Are you online?
admin-copy = Copy
admin-copied = Copied
admin-copy-selected = Selected: press Ctrl+C
admin-new-invitation = New invitation
admin-token-created = Token for { $name } ({ $role }) created.
admin-secret-once = This is the only time its secret is shown:
admin-invitation-link = Invitation link
admin-no-tokens = No tokens.
admin-col-name = Name
admin-col-role = Role
admin-col-state = State
admin-col-expires = Expires
admin-col-limited-to = Limited to
admin-revoke-self-title = This is you:
admin-revoke-self = this device uses this token. Revoking it cuts this device off at once, until someone sends you a new link. Revoke?
admin-revoke-ask = Revoke?
admin-confirm-revoke = Confirm revoke { $name }
admin-cancel = Cancel
admin-revoke = Revoke { $name }
admin-revoke-failed = Could not revoke { $name } ({ $error }).
admin-tokens-failed = Could not load the tokens ({ $error }).

## The Admin screen
admin-title = Admin
admin-intro = The relay right now. Refreshes every few seconds while this screen is open.
admin-relay = Relay
admin-relay-line = Version { $version } · up { $up } · { $connections ->
    [one] { $connections } connection
   *[other] { $connections } connections
} · { $stored ->
    [one] { $stored } stored document
   *[other] { $stored } stored documents
} ({ $size }), { $loaded } in memory
admin-storage-writes = Storage writes: { $commits }
admin-storage-refuses = Storage refuses writes:
admin-commits-none = No commits yet.
admin-commits = { $count } commits · mean { $mean } · p50 { $p50 } · p95 { $p95 }
admin-backup = Backup
admin-warning = Warning:
admin-backup-none = No backup has been taken yet. Take one (caucus backup) or schedule them (--backup-dir).
# $time: "2026-11-28 11:00" (UTC); $kind: the relay's word for the backup ("scheduled", "manual")
admin-backup-last = Last backup { $time } UTC ({ $ago }): { $kind }, { $documents ->
    [one] { $documents } document
   *[other] { $documents } documents
}, { $size }.
admin-backup-old = Older than 26 h: check the backup schedule.
admin-connections = Live connections
admin-connections-count = Live connections ({ $count })
admin-nobody = Nobody is connected.
admin-col-token = Token
admin-col-peer = Peer
admin-col-from = From
admin-col-since = Since
admin-col-documents = Documents
admin-joining = (joining)
admin-oldest-listed = Only the oldest 1000 are listed.
admin-documents = Documents
admin-documents-count = Documents ({ $count })
admin-documents-failed = Could not list the documents: { $error }
admin-no-documents = No documents stored yet.
admin-col-document = Document
admin-col-size = Size
admin-col-last-change = Last change
admin-col-open-by = Open by
admin-col-in-memory = In memory
admin-peers = { $count ->
    [one] { $count } peer
   *[other] { $count } peers
}
admin-yes = yes
admin-no = no
admin-largest-listed = Only the largest 1000 are listed.
admin-col-connections = Connections
admin-invite-on-access = Invite or revoke on the Access screen.
admin-cluster-label = Cluster:
# $connected: yes or no; $waiting: change messages made here not yet in JetStream
admin-cluster = This relay is { $connected ->
    [yes] connected to
   *[no] NOT connected to
} { $url }; applied up to #{ $seq }; { $waiting ->
    [0] every change made here is in JetStream
    [one] { $waiting } change message ({ $size }) made here wait for JetStream
   *[other] { $waiting } change messages ({ $size }) made here wait for JetStream
}. Published { $published }, applied { $applied } from other relays, { $snapshots ->
    [one] { $snapshots } snapshot
   *[other] { $snapshots } snapshots
}.
admin-status-failed = Could not reach the relay's status ({ $error }). Showing the last known state.
admin-unexpected-answer = unexpected answer
admin-just-now = just now
admin-ago = { $age } ago
admin-age-s = { $s } s
admin-age-min = { $min } min
admin-age-h-min = { $h } h { $min } min
admin-age-d-h = { $d } d { $h } h
admin-size-b = { $n } B
admin-size-kb = { $n } KB
admin-size-mb = { $n } MB
admin-size-gb = { $n } GB
admin-time-us = { $n } µs
admin-time-ms = { $n } ms
admin-time-s = { $n } s

## Sealed (end-to-end encrypted) analyses
admin-recovery-key = Recovery key
admin-recovery-title = Save the recovery key
admin-recovery-text = This analysis is end-to-end encrypted: the relay cannot read it. If every device that can open it is lost, this recovery key is the only way back. It is shown only this once: keep it in your coalition's password manager or on paper.
admin-recovery-saved = I saved the recovery key
admin-continue = Continue
admin-waiting-title = Waiting for a member to let you in
admin-waiting-text = This analysis is end-to-end encrypted. A member's device lets this one in as soon as it is online; keep this page open.
admin-this-device = This device: { $device }
admin-not-member-title = This analysis is end-to-end encrypted: ask a member for an invitation
admin-not-member-text = This device is not one of its members, so it cannot read it (nor can the relay). A member with the Access screen can create an invitation link that lets this device in.
admin-home = Home
admin-try-again = Try again
admin-removed-title = This device was removed from this analysis.
admin-removed-text = It keeps what it had already read, but it no longer receives changes, and edits made here are not sent. Ask an admin for a new invitation to be let in again.
admin-col-device = Device
admin-this-device-mark = (this device)
admin-remove-device = Remove { $device }
admin-remove-device-failed = Could not remove the device ({ $error }).
admin-turn-down-failed = Could not turn the request down ({ $error }).
admin-requests-title = Join requests without a valid invitation
admin-no-name = (no name)
# $label: the device's name as it gave it; $token: the token it came with
admin-request = { $label } via { $token }
admin-turn-down = Turn down
admin-devices-title = 🔒 Devices that can read this analysis
admin-devices-text = Only these devices hold its keys. Removing one starts a new key it never receives.
admin-unavailable = This analysis is not on this device yet and the relay could not provide it. Check the link and the connection; it will open as soon as the relay has it.
admin-creating-sealed = Creating the encrypted analysis…
admin-create-sealed-failed = Could not create the encrypted analysis ({ $error }). Are you online?
