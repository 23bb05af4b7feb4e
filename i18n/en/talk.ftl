### Comments, mentions, "For you", the feed and "who is where": ui/comments.ts, comments-view.ts,
### mentions.ts, foryou.ts, feed.ts, whereabouts.ts; model/feedtext.ts, model/foryou.ts; where.ts.
### Names, titles and comment text are placeables (isolated for direction in right-to-left languages).

## Shared pieces
talk-someone = someone
talk-deleted = (deleted)
talk-the-analysis = the analysis
# A thing by its code and its name: a track ("COM5 – Committee 5 – …"), an agenda item ("Res 102 – …")
talk-code-name = { $code } – { $name }
# Between the changes of one entry ("stance → Supports, notes")
talk-list-sep = {", "}
# Where a thread or a change lives
talk-about-item = item { $code }
talk-about-task = task { $title }
talk-place-position = { $country } · { $item }
talk-place-task = task: { $title }

## Comment threads (a panel next to a position, a task, an item, the analysis)
talk-comments = Comments
talk-comments-count = Comments ({ $open } open{ $urgent ->
        [0] {""}
       *[other] , { $urgent } urgent
    }{ $resolved ->
        [0] {""}
       *[other] , { $resolved } resolved
    })
# Hidden, read after the summary: "Comments on Brazil on Res 102"
talk-comments-on = on { $label }
talk-new-comment-label = New comment on { $label }
talk-comment-button = Comment
talk-viewers-read = Viewers read the comments; writing them needs an editor's link.
talk-reopen = Reopen
talk-resolve = Resolve
talk-resolved-by = Resolved by { $who }, { $time }
talk-replies-after-resolved = · { $count ->
        [one] { $count } reply
       *[other] { $count } replies
    } after it was resolved
# $resolved and $urgent are "yes" or "no"
talk-thread-label = Thread started by { $who }{ $resolved ->
        [yes] , resolved
       *[no] {""}
    }{ $urgent ->
        [yes] , urgent
       *[no] {""}
    }
talk-resolved-thread = Resolved thread by { $who }: { $preview }
talk-reply-label = Your reply to { $name }
talk-reply = Reply
talk-reply-to = Reply to { $name }
talk-edit-label = Edit your comment
talk-save = Save
talk-delete-confirm = Delete your comment? Replies to it stay.
talk-edit = Edit
talk-delete = Delete
talk-handled = Handled
talk-edited = edited
talk-urgent = Urgent
talk-error-empty = A comment needs some text.

## The Comments view
talk-urgent-now = Urgent now
talk-open-threads = Open threads
talk-about-analysis = About the analysis
talk-about-agenda-item = About an agenda item
talk-open-everywhere = Open threads everywhere
talk-agenda-item = Agenda item
# After an open thread's first words: who started it, how many replies, when it last moved
talk-thread-line = — { $who }, { $count ->
        [one] { $count } reply
       *[other] { $count } replies
    }, last { $time }
talk-nothing-urgent = Nothing urgent.
talk-no-open-threads = No open threads.

## The composer and @ mentions
talk-mention-track = { $id } – everyone following { $track }
talk-composer-placeholder = Write a comment; @ to mention someone or a track
talk-mention = Mention
talk-too-many-mentions = A comment mentions at most { $max } people or tracks.
talk-urgent-box = Urgent: someone needed now

## For you
talk-kind-urgent = Urgent
talk-kind-mention = Mentions you
talk-kind-reply = Reply to you
talk-kind-followed = You follow this
talk-for-you = For you
talk-for-you-new = For you ({ $count } new)
talk-mark-all-read = Mark all as read
talk-for-you-intro = Comments that mention you or a track you follow, replies to your comments, urgent threads, and news of positions you follow. Read on this device, offline too.
talk-nothing-for-you = Nothing for you yet.
talk-tracks-you-follow = Tracks you follow (an @track reaches you)
talk-new = New
talk-follow = Follow
talk-following = Following
talk-follow-label = Follow { $label }
# A followed position changed; $stance and $confidence are the stored ids (supports, rumour, …)
talk-followed-now = now { $stance }, { $confidence }

## The feed
talk-feed = Feed
talk-feed-intro = What changed in this analysis, newest first, from this device’s copy (it works offline). Every edit, field by field, is under “Recent changes”.
talk-filter-feed = Filter the feed
talk-feed-list = Changes, newest first
talk-show-more = Show more
talk-feed-reading = Reading the history on this device… { $read } changes read, { $pending } to go.
talk-feed-nothing-yet = Nothing yet…
talk-feed-nothing-filtered = Nothing under these filters.
talk-feed-no-changes = No changes yet.
talk-filter-kind = Kind
talk-filter-track = Track
talk-filter-country = Country
talk-filter-person = Person
talk-clear-filters = Clear filters
talk-feed-urgent = urgent
talk-all-kinds = All kinds
talk-kind-positions = Positions
talk-kind-tasks = Tasks
talk-kind-comments = Comments
talk-all-tracks = All tracks
talk-all-countries = All countries
talk-everyone = Everyone
# What an entry is about and what happened
talk-feed-task = task “{ $title }”
talk-feed-stance = stance → { $stance }
talk-feed-confidence = confidence → { $confidence }
# A position's field, by its stored name
talk-feed-field = { $field ->
        [stance] stance
        [confidence] confidence
        [notes] notes
       *[sources] sources
    }
talk-feed-added = added
talk-feed-added-assigned = added, assigned to { $person }
talk-feed-assigned = assigned to { $person }
talk-feed-unassigned = unassigned
talk-feed-status = status → { $status }
talk-feed-track = track → { $track }
talk-feed-track-none = track → none
# A task's field changed, by its stored name
talk-feed-changed = { $field ->
        [when] time changed
        [title] title changed
        [notes] notes changed
       *[other] { $field } changed
    }
talk-feed-resolved = resolved the thread
talk-feed-replied = replied: “{ $text }”
talk-feed-commented = commented: “{ $text }”

## Who is where (the bar)
# The quick choices of where one is; what is picked is sent to the others as written
talk-where-remote = remote
talk-where-hall = in the hall
talk-where-in = in { $track }
talk-where-question = Where are you?
talk-where-placeholder = e.g. in COM5
talk-where-title = Where you are, for the others: pick or type (shown next to your name)
talk-where-show = Show
talk-where-show-who = Show who is
talk-where-everyone = everyone
