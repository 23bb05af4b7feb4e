### التقرير الأسبوعي ومصفوفة CSV (انظر en/report.ftl). تبقى الأرقام لاتينية والتواريخ بصيغة ISO
### (2026-11-20): يُرسل التقرير إلى قائمة متعددة اللغات.

## الترويسة
report-title = التقرير الأسبوعي ليوم { $date }
report-meeting = الاجتماع: { $meeting }
report-meeting-dates = من { $starts } إلى { $ends }
report-as-of = الوضع: في نهاية يوم { $date } (بالتوقيت العالمي)
report-since = التغييرات منذ: { $since }
report-since-last = { $from } (اليوم التالي لآخر تقرير، بتاريخ { $date }، أرسله { $name })
report-since-week = { $from } (لا يوجد تقرير سابق: آخر 7 أيام)
report-in-short = باختصار: { $changes ->
        [zero] لا تغييرات في المواقف
        [one] تغيير واحد في المواقف
        [two] تغييران في المواقف
        [few] { $changes } تغييرات في المواقف
       *[other] { $changes } تغييرًا في المواقف
    } منذ { $from }، و{ $conflicts ->
        [zero] لا تعارضات غير محسومة
        [one] تعارض واحد غير محسوم
        [two] تعارضان غير محسومين
        [few] { $conflicts } تعارضات غير محسومة
       *[other] { $conflicts } تعارضًا غير محسوم
    }، و{ $tasks ->
        [zero] لا مهام مفتوحة
        [one] مهمة مفتوحة واحدة
        [two] مهمتان مفتوحتان
        [few] { $tasks } مهام مفتوحة
       *[other] { $tasks } مهمة مفتوحة
    }. المعروف { $known } من أصل { $positions } موقفًا.

## التغييرات منذ آخر تقرير
report-changes-heading = التغييرات منذ { $from }
report-no-change = لم يتغير أي موقف.
report-change-new = جديد: { $stance } ({ $confidence })
report-change-stance = { $before } ← { $stance } ({ $confidence })
report-change-confidence = ما زال { $stance }، الثقة { $before } ← { $confidence }
report-by = بواسطة { $name }

## المواقف حسب بنود جدول الأعمال
report-positions-heading = المواقف حسب بنود جدول الأعمال
report-stance-group = { $stance ->
        [supports] مؤيدون
        [opposes] معارضون
        [mixed] منقسمون
       *[undecided] مترددون
    } ({ $count }):
report-not-known = غير معروف بعد: { $count ->
        [zero] لا بلدان
        [one] بلد واحد
        [two] بلدان اثنان
        [few] { $count } بلدان
       *[other] { $count } بلدًا
    }.
report-nothing-known = لا موقف معروفًا بعد بشأن: { $items }.
report-nothing-known-item = { $code } ({ $priority })
report-note-merged = [ملاحظة مدمجة: عدّلها في الوقت نفسه { $names }، لم تُراجَع بعد]
report-sources = المصادر: { $sources }

## التعارضات
report-conflicts-heading = تعارضات غير محسومة
report-conflicts-intro = سجّل عضوان قيمتين مختلفتين في الوقت نفسه. على من يعرف أن يختار إحداهما.
report-conflict = [تعارض في { $field }: { $values }]
report-internal-notes = ملاحظات داخلية (كتبها { $names })
report-unregistered = جهاز غير مسجل { $actor }
report-value-by = { $value } (بواسطة { $name })
report-path-task = المهمة «{ $title }»

## المهام المفتوحة
report-tasks-heading = المهام المفتوحة
report-unassigned = غير مسندة
report-in-progress = قيد التنفيذ
report-when = الموعد: { $when }

## أجزاء مشتركة
report-none = لا شيء.
report-line = { $subject }: { $text }
report-place = { $place }، { $detail }
report-and = { $first } و{ $next }
report-versus = { $first } مقابل { $next }
report-list = { $first }، { $next }
report-item-heading = { $code } (أولوية { $priority ->
        [high] عالية
        [low] منخفضة
       *[medium] متوسطة
    })
report-item-heading-titled = { $code } (أولوية { $priority ->
        [high] عالية
        [low] منخفضة
       *[medium] متوسطة
    }): { $title }
report-no-track = بلا مسار
report-track = المسار { $track }
report-track-named = { $track }: { $name }
report-stance = { $stance ->
        [supports] مؤيد
        [opposes] معارض
        [mixed] منقسم
        [undecided] متردد
       *[unknown] غير معروف
    }
report-confidence = { $confidence ->
        [rumour] إشاعة
        [reported] منقول
       *[confirmed] مؤكد
    }
report-priority = { $priority ->
        [high] عالية
        [low] منخفضة
       *[medium] متوسطة
    }
report-field = { $field ->
        [stance] الموقف
        [confidence] الثقة
        [notes] الملاحظات
        [sources] المصادر
        [title] العنوان
        [assignee] المسؤول
        [status] الحالة
        [when] الموعد
        [name] الاسم
        [region] المنطقة
       *[other] { $field }
    }

## ترويسة مصفوفة CSV
csv-code = الرمز
csv-name = الاسم
csv-region = المنطقة
csv-stance = { $code } الموقف
csv-confidence = { $code } الثقة
csv-notes = { $code } الملاحظات
csv-sources = { $code } المصادر
