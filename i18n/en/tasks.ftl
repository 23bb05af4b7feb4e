### Tasks, "Recent changes", and what changed since the last visit: ui/tasks.ts, ui/recent.ts;
### model/since.ts, model/history.ts.

## The tasks page
tasks-title = Tasks
tasks-only-mine = Only my tasks
tasks-none-mine = No tasks assigned to you.
tasks-none = No tasks yet.
tasks-unassigned = Unassigned
tasks-new = New task
tasks-new-title = Title for new task
tasks-new-track = Track for new task
tasks-new-assignee = Assignee for new task
tasks-new-time = Time for new task
tasks-time-placeholder = e.g. Tue 10:00, Room C
tasks-add = Add task
tasks-time-for = Time for { $title }
tasks-assignee-for = Assignee for { $title }
tasks-status-for = Status for { $title }
# One of two statuses set at the same time (the stored value: open, doing, done), and who set it
tasks-conflict-value = { $status } ({ $who })
tasks-documents = Documents
tasks-documents-count = Documents ({ $count })
# Hidden, read after "Documents"
tasks-documents-for = for { $title }

## Recent changes
tasks-recent = Recent changes
tasks-recent-intro = Every edit to this analysis, newest first, as the relay has stored it. Change files for offline exchange are under “Offline files”.
tasks-recent-unavailable = The history is not available in this view.

## Since the last visit: news of the person's tasks
tasks-news-assigned = assigned to you
tasks-news-unassigned = no longer assigned to you
# $from and $to are the stored statuses (open, doing, done)
tasks-news-status = { $from } → { $to }
# A task's field, by its stored name
tasks-news-field = { $field ->
        [title] title
        [track] track
       *[when] when
    }

## Since the last visit: changed positions ($from and $to are stance or confidence names)
tasks-change-stance = { $from } → { $to }
tasks-change-confidence = confidence { $from } → { $to }
tasks-change-notes = notes
tasks-change-sources = sources
