### التعليقات والإشارات و«لك» والنشاط و«من أين».

## عناصر مشتركة
talk-someone = شخص ما
talk-deleted = (محذوف)
talk-the-analysis = التحليل
talk-code-name = { $code } – { $name }
talk-list-sep = {"، "}
talk-about-item = البند { $code }
talk-about-task = المهمة { $title }
talk-place-position = { $country } · { $item }
talk-place-task = المهمة: { $title }

## نقاشات التعليقات
talk-comments = التعليقات
talk-comments-count = التعليقات ({ $open ->
        [zero] لا نقاش مفتوح
        [one] نقاش مفتوح واحد
        [two] نقاشان مفتوحان
        [few] { $open } نقاشات مفتوحة
        [many] { $open } نقاشًا مفتوحًا
       *[other] { $open } نقاش مفتوح
    }{ $urgent ->
        [0] {""}
        [one] ، نقاش عاجل واحد
        [two] ، نقاشان عاجلان
        [few] ، { $urgent } نقاشات عاجلة
        [many] ، { $urgent } نقاشًا عاجلًا
       *[other] ، { $urgent } نقاش عاجل
    }{ $resolved ->
        [0] {""}
        [one] ، نقاش مغلق واحد
        [two] ، نقاشان مغلقان
        [few] ، { $resolved } نقاشات مغلقة
        [many] ، { $resolved } نقاشًا مغلقًا
       *[other] ، { $resolved } نقاش مغلق
    })
talk-comments-on = بشأن { $label }
talk-new-comment-label = تعليق جديد بشأن { $label }
talk-comment-button = نشر التعليق
talk-viewers-read = يقرأ المشاهدون التعليقات، أما كتابتها فتتطلب رابط تحرير.
talk-reopen = إعادة فتح
talk-resolve = إغلاق
talk-resolved-by = أُغلق بواسطة { $who }، { $time }
talk-replies-after-resolved = · { $count ->
        [zero] لا ردود
        [one] رد واحد
        [two] ردّان
        [few] { $count } ردود
        [many] { $count } ردًا
       *[other] { $count } رد
    } بعد إغلاقه
talk-thread-label = نقاش من { $who }{ $resolved ->
        [yes] ، مغلق
       *[no] {""}
    }{ $urgent ->
        [yes] ، عاجل
       *[no] {""}
    }
talk-resolved-thread = نقاش مغلق من { $who }: { $preview }
talk-reply-label = ردك على { $name }
talk-reply = رد
talk-reply-to = الرد على { $name }
talk-edit-label = تعديل تعليقك
talk-save = حفظ
talk-delete-confirm = هل تريد حذف تعليقك؟ تبقى الردود عليه.
talk-edit = تعديل
talk-delete = حذف
talk-handled = تمت المعالجة
talk-edited = معدَّل
talk-urgent = عاجل
talk-error-empty = يحتاج التعليق إلى نص.

## عرض التعليقات
talk-urgent-now = عاجل الآن
talk-open-threads = النقاشات المفتوحة
talk-about-analysis = بشأن التحليل
talk-about-agenda-item = بشأن بند من جدول الأعمال
talk-open-everywhere = كل النقاشات المفتوحة
talk-agenda-item = بند جدول الأعمال
talk-thread-line = — { $who }، { $count ->
        [zero] لا ردود
        [one] رد واحد
        [two] ردّان
        [few] { $count } ردود
        [many] { $count } ردًا
       *[other] { $count } رد
    }، آخر نشاط { $time }
talk-nothing-urgent = لا شيء عاجل.
talk-no-open-threads = لا نقاشات مفتوحة.

## الكتابة والإشارة بـ@
talk-mention-track = { $id } – كل من يتابع { $track }
talk-composer-placeholder = اكتب تعليقًا؛ @ للإشارة إلى شخص أو مسار
talk-mention = إشارة
talk-too-many-mentions = يشير التعليق على الأكثر إلى { $max ->
        [zero] لا أحد
        [one] شخص أو مسار واحد
        [two] شخصين أو مسارين
        [few] { $max } أشخاص أو مسارات
        [many] { $max } شخصًا أو مسارًا
       *[other] { $max } شخص أو مسار
    }.
talk-urgent-box = عاجل: نحتاج إلى أحد الآن

## لك
talk-kind-urgent = عاجل
talk-kind-mention = إشارة إليك
talk-kind-reply = رد عليك
talk-kind-followed = تتابع هذا
talk-for-you = لك
talk-for-you-new = لك ({ $count ->
        [zero] لا جديد
        [one] واحد جديد
        [two] اثنان جديدان
        [few] { $count } جديدة
        [many] { $count } جديدًا
       *[other] { $count } جديد
    })
talk-mark-all-read = تعليم الكل كمقروء
talk-for-you-intro = التعليقات التي تشير إليك أو إلى مسار تتابعه، والردود على تعليقاتك، والنقاشات العاجلة، وأخبار المواقف التي تتابعها. تُقرأ على هذا الجهاز، حتى دون اتصال.
talk-nothing-for-you = لا شيء لك بعد.
talk-tracks-you-follow = المسارات التي تتابعها (تصلك الإشارة @المسار)
talk-new = جديد
talk-follow = متابعة
talk-following = تتابعه
talk-follow-label = متابعة { $label }
talk-followed-now = الآن { $stance ->
        [supports] { stance-supports }
        [opposes] { stance-opposes }
        [undecided] { stance-undecided }
        [mixed] { stance-mixed }
       *[unknown] { stance-unknown }
    }، { $confidence ->
        [rumour] { confidence-rumour }
        [reported] { confidence-reported }
       *[confirmed] { confidence-confirmed }
    }

## النشاط
talk-feed = النشاط
talk-feed-intro = ما تغيّر في هذا التحليل، الأحدث أولًا، من نسخة هذا الجهاز (يعمل دون اتصال). كل تعديل، حقلًا حقلًا، تجده في «التغييرات الأخيرة».
talk-filter-feed = تصفية النشاط
talk-feed-list = التغييرات، الأحدث أولًا
talk-show-more = عرض المزيد
talk-feed-reading = قراءة السجل على هذا الجهاز… { $read ->
        [zero] لم يُقرأ أي تغيير
        [one] قُرئ تغيير واحد
        [two] قُرئ تغييران
        [few] قُرئت { $read } تغييرات
        [many] قُرئ { $read } تغييرًا
       *[other] قُرئ { $read } تغيير
    }، وبقي { $pending }.
talk-feed-nothing-yet = لا شيء بعد…
talk-feed-nothing-filtered = لا شيء بهذه المرشحات.
talk-feed-no-changes = لا تغييرات بعد.
talk-filter-kind = النوع
talk-filter-track = المسار
talk-filter-country = البلد
talk-filter-person = الشخص
talk-clear-filters = مسح المرشحات
talk-feed-urgent = عاجل
talk-all-kinds = كل الأنواع
talk-kind-positions = المواقف
talk-kind-tasks = المهام
talk-kind-comments = التعليقات
talk-all-tracks = كل المسارات
talk-all-countries = كل البلدان
talk-everyone = الجميع
talk-feed-task = المهمة «{ $title }»
talk-feed-stance = الموقف ← { $stance }
talk-feed-confidence = الثقة ← { $confidence }
talk-feed-field = { $field ->
        [stance] الموقف
        [confidence] الثقة
        [notes] الملاحظات
       *[sources] المصادر
    }
talk-feed-added = أُضيفت
talk-feed-added-assigned = أُضيفت وأُسندت إلى { $person }
talk-feed-assigned = أُسندت إلى { $person }
talk-feed-unassigned = أُلغي إسنادها
talk-feed-status = الحالة ← { $status }
talk-feed-track = المسار ← { $track }
talk-feed-track-none = المسار ← لا شيء
talk-feed-changed = { $field ->
        [when] تغيّر الموعد
        [title] تغيّر العنوان
        [notes] تغيّرت الملاحظات
       *[other] تغيّر { $field }
    }
talk-feed-resolved = إغلاق النقاش
talk-feed-replied = رد: «{ $text }»
talk-feed-commented = تعليق: «{ $text }»

## من أين
talk-where-remote = عن بُعد
talk-where-hall = في الردهة
talk-where-in = في { $track }
talk-where-question = أين أنت؟
talk-where-placeholder = مثلًا: في COM5
talk-where-title = مكانك، ليراه الآخرون: اختر أو اكتب (يظهر بجانب اسمك)
talk-where-show = عرض
talk-where-show-who = عرض من هم
talk-where-everyone = الجميع
