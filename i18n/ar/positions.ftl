### المواقف: المصفوفة وصفحة البلد وبطاقاتها والتعارضات ودمج النصوص.

## المصفوفة
positions-matrix-title = المصفوفة
positions-matrix-label = مصفوفة المواقف
positions-grid-label = المواقف حسب البلد وبند جدول الأعمال
positions-country = البلد
positions-filter-region = التصفية حسب المنطقة
positions-filter-track = التصفية حسب المسار
positions-filter-stance = التصفية حسب الموقف
positions-filter-priority = التصفية حسب الأولوية
positions-all-regions = كل المناطق
positions-all-tracks = كل المسارات
positions-all-stances = كل المواقف
positions-all-priorities = كل الأولويات
positions-search-placeholder = ابحث عن بلد
positions-search-label = البحث حسب البلد
positions-track-option = { $id } – { $name }
positions-legend = درجة الثقة: ? إشاعة · • منقول · ✓ مؤكد · ⚠ تعارض
positions-no-match = لا يوجد بلد يطابق عوامل التصفية.
positions-item-tooltip = { $title } ({ $track }، أولوية { $priority ->
    [high] عالية
    [medium] متوسطة
   *[low] منخفضة
})
positions-viewing = يطّلع الآن: { $names }
positions-cell-supports = مؤيد
positions-cell-opposes = معارض
positions-cell-undecided = متردد
positions-cell-mixed = منقسم
positions-cell-unknown = ؟
positions-cell-label = { $country }، { $code }: { $stance }، { $confidence }
positions-cell-empty = { $country }، { $code }: لا موقف بعد
positions-cell-conflict = { $country }، { $code }: تعارض. الموقف: { $stance }. درجة الثقة: { $confidence }
positions-either = { $first } أو { $second }

## صفحة البلد
positions-no-country = لا يوجد بلد { $code } في هذا التحليل.
positions-country-history = سجل البلد
positions-delegation = الوفد
positions-open-to-cs = منفتح على المجتمع المدني
positions-open-to-cs-for = انفتاح وفد { $country } على المجتمع المدني
positions-open-unknown = غير معروف
positions-open-yes = نعم
positions-open-no = لا
positions-contacts = جهات الاتصال
positions-contacts-for = جهات الاتصال في وفد { $country }
positions-also-here = هنا أيضًا: { $names }
positions-person-org = { $name } ({ $org })

## بطاقة بند من جدول الأعمال
positions-on = { $country }، { $code }
positions-stance = الموقف
positions-confidence = درجة الثقة
positions-notes = الملاحظات
positions-source = المصدر
positions-add-source = إضافة مصدر
positions-stance-for = الموقف: { $country }، { $code }
positions-confidence-for = درجة الثقة: { $country }، { $code }
positions-notes-for = الملاحظات: { $country }، { $code }
positions-source-for = المصدر: { $country }، { $code }
positions-add-source-for = إضافة مصدر: { $country }، { $code }
positions-meta = { $track } · أولوية { $priority ->
    [high] عالية
    [medium] متوسطة
   *[low] منخفضة
}
positions-meta-theme = { $track } · أولوية { $priority ->
    [high] عالية
    [medium] متوسطة
   *[low] منخفضة
} · { $theme }
positions-about = عن هذا البند
positions-updated-by = آخر تحديث بواسطة { $names }، { $time }
positions-updated-unknown = غير معروف
positions-not-updated = لم يُحدَّث بعد
positions-and = { $first } و{ $second }
positions-sources = المصادر
positions-source-placeholder = رابط أو مرجع
positions-add = إضافة
positions-remove-source = إزالة المصدر { $n }: { $country }، { $code }

## التعارضات
positions-conflict-label = تعارض: { $field ->
    [stance] الموقف
   *[confidence] درجة الثقة
}، { $country }، { $code }
positions-conflict-text = { $count ->
    [zero] ⚠ لم يحدد أحد { $field ->
        [stance] الموقف
       *[confidence] درجة الثقة
    } في الوقت نفسه:
    [one] ⚠ حدد شخص واحد { $field ->
        [stance] الموقف
       *[confidence] درجة الثقة
    } في الوقت نفسه:
    [two] ⚠ حدد شخصان { $field ->
        [stance] الموقف
       *[confidence] درجة الثقة
    } في الوقت نفسه:
    [few] ⚠ حدد { $count } أشخاص { $field ->
        [stance] الموقف
       *[confidence] درجة الثقة
    } في الوقت نفسه:
    [many] ⚠ حدد { $count } شخصًا { $field ->
        [stance] الموقف
       *[confidence] درجة الثقة
    } في الوقت نفسه:
   *[other] ⚠ حدد { $count } شخص { $field ->
        [stance] الموقف
       *[confidence] درجة الثقة
    } في الوقت نفسه:
}
positions-set-by = اختاره { $who }
positions-keep = اعتماد «{ $value }»
positions-keep-for = اعتماد «{ $value }» { $field ->
    [stance] موقفًا
   *[confidence] درجةً للثقة
}: { $country }، { $code }

## نص عُدِّل في الوقت نفسه
positions-merge-label = دمج النص: { $label }
positions-merge-text = ⚠ عُدِّل في الوقت نفسه بواسطة { $names }. النص أعلاه هو ما دمجه automerge من النسختين؛ راجعه.
positions-merge-version = نسخة { $name }:
positions-merge-empty = (فارغ)
positions-merge-keep = اعتماد نسخة { $name }
positions-merge-keep-for = اعتماد نسخة { $name }: { $label }
positions-merge-keep-merged = اعتماد النص المدمج
positions-merge-keep-merged-for = اعتماد النص المدمج: { $label }
positions-merge-or-edit = أو عدّل النص أعلاه ثم اعتمده.
positions-merge-unknown-device = جهاز غير معروف { $id }

## الملاحظات الداخلية
positions-internal = داخلي: لا يُدرج في التقارير
positions-internal-for = داخلي: لا يُدرج في التقارير ({ $label })
