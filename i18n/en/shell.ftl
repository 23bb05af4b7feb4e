### The frame of the client: the bar, the menu, the nav, home, the name form, the device questions,
### the notices above a view, the sync status. Ids start with "shell-".

## The bar
shell-title = Caucus
shell-brand = Caucus
shell-home-link = All analyses
shell-menu = Menu
# the Menu button's accessible name while others are online ($count: how many)
shell-menu-online = { $count ->
    [one] Menu ({ $count } other online)
   *[other] Menu ({ $count } others online)
}
shell-nav-label = Views
shell-presence-label = Who is online
shell-sealed-lock = 🔒 End-to-end encrypted
shell-presence-only-you = only you
# $where: a place someone said they are (typed by a person)
shell-presence-nobody = nobody else { $where }
# what another person looks at when it is a task ($title: the task's title)
shell-looking-at-task = task: { $title }
shell-invalid-title = This access link is no longer valid
# follows shell-invalid-title in bold
shell-invalid-text = — ask your coordinator for a new one. What is on this device stays readable here, but it cannot reach the relay with this link.
shell-loading = loading
# the browser tab's title with an analysis open
shell-doc-title = { $title } – Caucus
# the whole title of the open analysis, on hover (the bar may cut it short)
shell-title-tooltip = { $title }
shell-untitled = Untitled analysis
shell-analysis = Analysis

## The sync status (the bar)
shell-status-invalid = access link no longer valid
shell-status-offline = offline: your edits are kept on this device
shell-status-offline-waiting = { $count ->
    [one] offline: your edits are kept on this device ({ $count } edit waiting to send)
   *[other] offline: your edits are kept on this device ({ $count } edits waiting to send)
}
shell-status-saved = all saved
shell-status-catching-up = catching up…
shell-status-waiting = { $count ->
    [one] { $count } edit waiting to send
   *[other] { $count } edits waiting to send
}

## The nav bar
shell-nav-matrix = Matrix
shell-nav-country = Country
shell-nav-tasks = Tasks
shell-nav-foryou = For you
shell-nav-comments = Comments
shell-nav-documents = Documents
shell-nav-feed = Feed
shell-nav-recent = Recent changes
shell-nav-export = Export report
shell-nav-changes = Offline files
shell-nav-access = Access
shell-nav-admin = Admin
shell-nav-copy-link = Copy link
shell-nav-copied = Copied
shell-nav-link-prompt = Link (without token):
shell-nav-as-of = Show as of…
# the count next to "For you"
shell-nav-foryou-count = { $count } new for you

## Opening and forgetting
shell-opening = Opening the analysis…
shell-forgetting = Forgetting this device…

## Who are you?
shell-name-title = Who are you?
shell-name-intro = Your name and organisation are shown to your coalition next to your edits.
shell-name-name = Your name
shell-name-org = Organisation
shell-name-continue = Continue

## Home
shell-home-title = Analyses on this device
shell-home-no-token = This device has no access token yet, so it cannot reach the relay. Open the link your coalition shared (it ends in “&token=…”); the token is kept on this device.
shell-home-none = None yet. Open a link from your coalition, or start a new analysis.
# after an analysis's title ($date: when it was last opened here)
shell-home-opened = · opened { $date }
shell-home-open-title = Open a link
shell-home-link-placeholder = Paste an analysis link
shell-home-link-label = Analysis link
shell-home-open = Open
shell-home-new-title = New analysis
shell-home-from-template = From the template “{ $title }”: { $countries ->
    [one] { $countries } country
   *[other] { $countries } countries
}, { $items ->
    [one] { $items } agenda item
   *[other] { $items } agenda items
}.
shell-home-sealed = End-to-end encrypted
shell-home-sealed-note = (the relay cannot read it; only member devices hold the keys)
shell-home-create = Create new analysis
shell-home-signed-in = Signed in on this device as { $name }.
shell-home-signed-in-org = Signed in on this device as { $name } ({ $org }).
shell-home-change = Change

## This device: switching access, who you are, forgetting
shell-switch-title = This link carries a different access
shell-switch-text = The link you opened holds another access token than the one this device uses. Using it replaces this device's access: what it may read and change, and the role shown in the top bar.
shell-switch-warning = Only switch if someone in your coalition sent you this new link on purpose. A link found in a document or a message you did not expect could give you someone else's access, or take yours away.
shell-switch-use = Use the new link
shell-switch-keep = Keep my current access
shell-identity-title = Are you one of these people?
shell-identity-text = Someone called { $name } already works on this analysis. If that is you on another device, say so: your tasks, your edits and the notices for you then follow you here, and you appear once to the others.
shell-identity-yes = Yes, I am { $name }
shell-identity-no = No, I am another { $name }
shell-device-title = This device
shell-device-text = On a shared or borrowed computer, forget this device when you are done: its access token, the analyses stored here and the app's cached files are removed.
shell-device-forget = Forget this device
shell-forget-title = Forget this device?
shell-forget-unsent = { $count ->
    [one] { $count } edit is not on the relay yet and would be lost. Cancel, and forget the device once the status line says “all saved”.
   *[other] { $count } edits are not on the relay yet and would be lost. Cancel, and forget the device once the status line says “all saved”.
}
shell-forget-text = This removes the access token, every analysis stored on this device and the cached app. The analyses stay on the relay; to use them here again you will need a link from your coalition.
shell-forget-cancel = Cancel
shell-forgotten-title = This device was forgotten
shell-forgotten-text = It no longer holds an access token, analyses or cached pages. To use Caucus here again, open the link your coalition shared.
shell-forgotten-again = Start again

## Notices above a view
shell-asof-title = Read-only: as of { $date }
shell-asof-existed = (end of that day, UTC) —
shell-asof-not-existed = — this analysis did not exist yet at the end of that day (UTC) —
shell-asof-back = Back to live
shell-since-label = Since you were last here
shell-since-title = Since you were last here ({ $when }):
shell-since-earlier = earlier
shell-since-positions = { $count ->
    [one] { $count } position changed
   *[other] { $count } positions changed
}
shell-since-tasks = { $count ->
    [one] { $count } task of yours
   *[other] { $count } tasks of yours
}
shell-since-mentions = { $count ->
    [one] { $count } mention of you
   *[other] { $count } mentions of you
}
# between the parts of the summary ("3 positions changed, 1 task of yours")
shell-since-separator = {", "}
shell-since-dismiss = Dismiss
shell-since-your-tasks = Your tasks
shell-since-mentions-label = Mentions of you
shell-since-task = Task “{ $title }”
# after a link to a task or position: what changed, and who changed it
shell-since-what-by = : { $what } — by { $by }
shell-since-mentioned = : mentions you
shell-since-mentioned-by = : mentions you — by { $by }
# a changed position: the country and the item's code
shell-since-position = { $country } · { $item }
shell-since-more = and { $count } more
