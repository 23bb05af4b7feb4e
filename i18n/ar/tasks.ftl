### المهام و«التغييرات الأخيرة» وما تغيّر منذ الزيارة الأخيرة.

## صفحة المهام
tasks-title = المهام
tasks-only-mine = مهامي فقط
tasks-none-mine = لا مهام مسندة إليك.
tasks-none = لا مهام بعد.
tasks-unassigned = غير مسندة
tasks-new = مهمة جديدة
tasks-new-title = عنوان المهمة الجديدة
tasks-new-track = مسار المهمة الجديدة
tasks-new-assignee = المكلَّف بالمهمة الجديدة
tasks-new-time = موعد المهمة الجديدة
tasks-time-placeholder = مثلًا: الثلاثاء 10:00، القاعة C
tasks-add = إضافة مهمة
tasks-time-for = موعد { $title }
tasks-assignee-for = المكلَّف بمهمة { $title }
tasks-status-for = حالة { $title }
tasks-conflict-value = { $status ->
        [open] { status-open }
        [doing] { status-doing }
        [done] { status-done }
       *[other] { $status }
    } ({ $who })
tasks-documents = المستندات
tasks-documents-count = المستندات ({ $count })
tasks-documents-for = لمهمة { $title }

## التغييرات الأخيرة
tasks-recent = التغييرات الأخيرة
tasks-recent-intro = كل تعديل على هذا التحليل، الأحدث أولًا، كما خزّنه المُرحِّل. ملفات التغييرات للتبادل دون اتصال موجودة في «ملفات دون اتصال».
tasks-recent-unavailable = السجل غير متاح في هذا العرض.

## منذ الزيارة الأخيرة
tasks-news-assigned = أُسندت إليك
tasks-news-unassigned = لم تعد مسندة إليك
tasks-news-status = { $from ->
        [open] { status-open }
        [doing] { status-doing }
       *[done] { status-done }
    } ← { $to ->
        [open] { status-open }
        [doing] { status-doing }
       *[done] { status-done }
    }
tasks-news-field = { $field ->
        [title] العنوان
        [track] المسار
       *[when] الموعد
    }
tasks-change-stance = { $from } ← { $to }
tasks-change-confidence = الثقة { $from } ← { $to }
tasks-change-notes = الملاحظات
tasks-change-sources = المصادر
