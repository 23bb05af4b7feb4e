### المستندات، وملفات العمل دون اتصال، وما يحيط بالتقرير (التصدير، معاينة الطباعة، القائمة البريدية)، والسجل.

## عرض المستندات
documents-title = المستندات
documents-intro = مقترحات الدول الأعضاء ومشاريع القرارات وسائر الوثائق، للتحالف وحده. احتفظ دون اتصال بما ستحتاج إليه في القاعة.
documents-add = إضافة مستندات
documents-add-for = إضافة مستندات إلى { $place }
documents-attach = إرفاق مستند
documents-attach-for = إرفاق مستند بـ{ $place }
documents-for = مستندات { $place }
documents-or-drop = أو أفلت الملفات على هذه الصفحة
documents-none = لا توجد مستندات بعد.
documents-attached-to = مرفق بـ{ $places }
documents-place-analysis = التحليل
documents-place-item = البند { $code } من جدول الأعمال
documents-place-position = { $country } بشأن { $code }
documents-place-task = المهمة «{ $title }»
documents-remove = إزالة
documents-remove-all-label = إزالة { $name } من التحليل
documents-confirm-remove = تأكيد الإزالة
documents-confirm-remove-label = تأكيد إزالة { $name } من كل المواضع
documents-someone = شخص ما

## مساحة التخزين على هذا الجهاز
documents-storage-label = مساحة تخزين المستندات على هذا الجهاز
documents-keep-at-most = الحد الأقصى
documents-storage-note = عند تجاوز هذا الحد، تُحذف من هذا الجهاز المستندات التي فُتحت منذ أطول مدة (وتبقى على الخادم). أما المستندات المحفوظة دون اتصال، وتلك التي لم تُرفع بعد، فتبقى دائمًا.
documents-storage-used = على هذا الجهاز: تستخدم المستندات { $used } من أصل { $budget }
documents-relay-quota = على الخادم: { $used } من أصل { $quota } لهذا التحليل.
documents-relay-quota-max = على الخادم: { $used } من أصل { $quota } لهذا التحليل؛ وبحد أقصى { $max } للملف الواحد.
documents-relay-max = يقبل الخادم ملفات يصل حجمها إلى { $max }.

## الأحجام
documents-size-bytes = { $n ->
    [zero] { $n } بايت
    [one] بايت واحد
    [two] بايتان
    [few] { $n } بايتات
    [many] { $n } بايتًا
   *[other] { $n } بايت
}
documents-size-kb = { $n } كيلوبايت
documents-size-mb = { $n } ميغابايت
documents-size-gb = { $n } غيغابايت

## سطر الملف
documents-kind-pdf = PDF
documents-kind-image = صورة
documents-kind-document = مستند
documents-kind-spreadsheet = جدول بيانات
documents-kind-slides = عرض تقديمي
documents-kind-text = نص
documents-kind-file = ملف
documents-file-facts = { $kind } · { $size }
documents-open-label = فتح { $name }
documents-added-by = أضافه { $name }
documents-added-by-at = أضافه { $name }، { $time }
documents-download = تنزيل
documents-download-label = تنزيل { $name }
documents-keep-offline = الاحتفاظ دون اتصال
documents-retry = إعادة المحاولة
documents-retry-label = إعادة محاولة رفع { $name }
documents-remove-from-label = إزالة { $name } من { $place }
documents-status-here = على هذا الجهاز
documents-status-here-pinned = على هذا الجهاز · محفوظ دون اتصال
documents-status-upload-waiting = في انتظار الرفع من هذا الجهاز (ستُعاد المحاولة عند الاتصال)
documents-status-uploading = جارٍ الرفع من هذا الجهاز…
documents-status-downloading = جارٍ التنزيل إلى هذا الجهاز…
documents-status-relay = على الخادم
documents-status-waiting-device = لم يُرفع بعد: جارٍ الرفع من { $device } الخاص بـ{ $name }…
documents-status-waiting = لم يُرفع بعد (أضافه { $name })
documents-status-unknown-pinned = محفوظ دون اتصال: يُنزَّل عندما يصبح الخادم متاحًا
documents-status-unknown = ليس على هذا الجهاز (الخادم غير متاح)

## بعد الفتح أو التنزيل أو الحفظ دون اتصال أو الإرفاق
documents-note-not-uploaded = ليس على الخادم بعد؛ سيُفتح حين يتصل الشخص الذي أضافه.
documents-note-offline = ليس على هذا الجهاز، وتعذّر الوصول إلى الخادم الآن.
documents-note-failed = تعذّر فتحه: { $error }.
documents-note-press-open = أصبح على هذا الجهاز: اضغط «فتح» مرة أخرى لعرضه.
documents-note-pin-waiting = سيُحفظ دون اتصال بعد رفعه.
documents-note-pin-offline = محفوظ دون اتصال: سيُنزَّل عندما يصبح الوصول إلى الخادم ممكنًا.
documents-attach-removed = أُزيل هذا الجهاز من التحليل المشفّر: لا يمكنه إضافة مستندات.
documents-attach-failed = تعذّر إرفاق { $name }: { $error }.
documents-error-relay-answered = ردّ الخادم بالرمز { $status }
documents-error-other-bytes = أرسل الخادم بيانات غير التي أُرفقت
documents-error-decrypt = لا يستطيع هذا الجهاز فك تشفير الملف

## ملفات رفض الخادم رفعها
documents-upload-too-large = الملف أكبر مما يقبله الخادم: يبقى على هذا الجهاز وحده. شاركه بطريقة أخرى، أو اطلب من المنسّق رفع الحد.
documents-upload-full = امتلأت مساحة تخزين مستندات التحليل على الخادم: يبقى هذا الملف على هذا الجهاز وحده. اطلب من المنسّق مساحة إضافية، ثم أعد المحاولة.
documents-upload-unauthorized = لم يعد رابط الوصول هذا يسمح برفع المستندات؛ يبقى الملف على هذا الجهاز.
documents-upload-read-only = وصولك للقراءة فقط: يبقى الملف على هذا الجهاز.
documents-upload-refused = رفض الخادم هذا الملف؛ يبقى على هذا الجهاز وحده.
documents-upload-refused-why = رفض الخادم هذا الملف ({ $error })؛ يبقى على هذا الجهاز وحده.
documents-upload-gone = لم يعد الملف على هذا الجهاز، لذا لا يمكن رفعه من هنا.

## ملفات العمل دون اتصال
documents-changes-title = ملفات دون اتصال
documents-changes-intro = لحين انعدام الشبكة تمامًا: احفظ تغييرات هذا الجهاز في ملف (ذاكرة USB، مرفق بريد إلكتروني)، وحمّل ملفًا حفظه شخص آخر على جهازه. تحميل الملف نفسه مرتين لا يغيّر شيئًا. وتُضمَّن في الملف أيضًا المستندات التي ترفقها التغييرات إن كانت على هذا الجهاز (حتى 50 ميغابايت إجمالًا).
documents-changes-save = حفظ التغييرات في ملف
documents-changes-all = كل التغييرات (التحليل كاملًا)
documents-changes-since = التغييرات منذ
documents-changes-since-label = التغييرات منذ (التاريخ)
documents-changes-load = تحميل ملف تغييرات
documents-changes-viewers = لا يستطيع المطّلعون تحميل ملفات التغييرات: اطلب ذلك من محرّر.
documents-changes-choose-date = اختر تاريخًا.
documents-changes-writing = جارٍ كتابة ملف التغييرات…
documents-changes-saved = حُفظ { $name } ({ $bytes } بايت).
documents-changes-save-failed = تعذّر حفظ التغييرات: { $error }
documents-changes-keep-failed = تعذّر الاحتفاظ على هذا الجهاز بالمستندات التي وصلت معها: { $error }.
documents-changes-reading = جارٍ قراءة { $name }…
documents-changes-had-all = كل تغييرات هذا الملف موجودة من قبل ({ $name }).
documents-changes-loaded = { $count ->
    [zero] لم يُحمَّل أي تغيير جديد من { $name }.
    [one] حُمِّل تغيير جديد واحد من { $name }.
    [two] حُمِّل تغييران جديدان من { $name }.
    [few] حُمِّلت { $count } تغييرات جديدة من { $name }.
    [many] حُمِّل { $count } تغييرًا جديدًا من { $name }.
   *[other] حُمِّل { $count } تغيير جديد من { $name }.
}
documents-changes-load-failed = تعذّر تحميل { $name }: { $error }
documents-carry-came = { $came ->
    [zero] لم يصل أي مستند مع هذه التغييرات.
    [one] وصل مستند واحد مع هذه التغييرات.
    [two] وصل مستندان مع هذه التغييرات.
    [few] وصلت { $came } مستندات مع هذه التغييرات.
    [many] وصل { $came } مستندًا مع هذه التغييرات.
   *[other] وصل { $came } مستند مع هذه التغييرات.
}
documents-carry-came-missing = { $came ->
    [zero] لم يصل أي مستند
    [one] وصل مستند واحد
    [two] وصل مستندان
    [few] وصلت { $came } مستندات
    [many] وصل { $came } مستندًا
   *[other] وصل { $came } مستند
} مع هذه التغييرات؛ { $missing ->
    [zero] ولا شيء غير مُضمَّن.
    [one] ومستند واحد غير مُضمَّن: سيُنزَّل من الخادم حين يرفعه أحد.
    [two] ومستندان غير مُضمَّنين: سيُنزَّلان من الخادم حين يرفعهما أحد.
    [few] و{ $missing } مستندات غير مُضمَّنة: ستُنزَّل من الخادم حين يرفعها أحد.
    [many] و{ $missing } مستندًا غير مُضمَّن: ستُنزَّل من الخادم حين يرفعها أحد.
   *[other] و{ $missing } مستند غير مُضمَّن: ستُنزَّل من الخادم حين يرفعها أحد.
}
documents-carry-missing = { $missing ->
    [zero] لا توجد مستندات غير مُضمَّنة.
    [one] مستند واحد تشير إليه هذه التغييرات غير مُضمَّن: سيُنزَّل من الخادم حين يرفعه أحد.
    [two] مستندان تشير إليهما هذه التغييرات غير مُضمَّنين: سيُنزَّلان من الخادم حين يرفعهما أحد.
    [few] { $missing } مستندات تشير إليها هذه التغييرات غير مُضمَّنة: ستُنزَّل من الخادم حين يرفعها أحد.
    [many] { $missing } مستندًا تشير إليها هذه التغييرات غير مُضمَّن: ستُنزَّل من الخادم حين يرفعها أحد.
   *[other] { $missing } مستند تشير إليها هذه التغييرات غير مُضمَّن: ستُنزَّل من الخادم حين يرفعها أحد.
}
documents-carry-unreadable = { $count ->
    [zero] لم يتعذّر فتح أي منها على هذا الجهاز.
    [one] تعذّر فتح واحد منها على هذا الجهاز.
    [two] تعذّر فتح اثنين منها على هذا الجهاز.
    [few] تعذّر فتح { $count } منها على هذا الجهاز.
    [many] تعذّر فتح { $count } منها على هذا الجهاز.
   *[other] تعذّر فتح { $count } منها على هذا الجهاز.
}
documents-carry-includes = { $count ->
    [zero] لا يتضمّن أي مستند تشير إليه التغييرات.
    [one] يتضمّن مستندًا واحدًا تشير إليه التغييرات.
    [two] يتضمّن مستندين تشير إليهما التغييرات.
    [few] يتضمّن { $count } مستندات تشير إليها التغييرات.
    [many] يتضمّن { $count } مستندًا تشير إليها التغييرات.
   *[other] يتضمّن { $count } مستند تشير إليها التغييرات.
}
documents-carry-includes-none = لا يتضمّن أيًّا من المستندات التي تشير إليها التغييرات.
documents-carry-not-included = { $count ->
    [zero] لا شيء غير مُضمَّن.
    [one] مستند واحد غير مُضمَّن (ليس على هذا الجهاز، أو يتجاوز 50 ميغابايت التي يحملها ملف التغييرات): من يحمّل الملف يحصل عليه من الخادم.
    [two] مستندان غير مُضمَّنين (ليسا على هذا الجهاز، أو يتجاوزان 50 ميغابايت التي يحملها ملف التغييرات): من يحمّل الملف يحصل عليهما من الخادم.
    [few] { $count } مستندات غير مُضمَّنة (ليست على هذا الجهاز، أو تتجاوز 50 ميغابايت التي يحملها ملف التغييرات): من يحمّل الملف يحصل عليها من الخادم.
    [many] { $count } مستندًا غير مُضمَّن (ليست على هذا الجهاز، أو تتجاوز 50 ميغابايت التي يحملها ملف التغييرات): من يحمّل الملف يحصل عليها من الخادم.
   *[other] { $count } مستند غير مُضمَّن (ليست على هذا الجهاز، أو تتجاوز 50 ميغابايت التي يحملها ملف التغييرات): من يحمّل الملف يحصل عليها من الخادم.
}

## تصدير التقرير ومعاينة الطباعة
documents-report-export = تصدير التقرير
documents-report-intro-local = هذا التحليل مشفّر من طرف إلى طرف: يكتب هذا الجهاز التقرير من نسخته (لا يستطيع الخادم قراءتها): التحليل كما كان في نهاية تاريخ التقرير، وما تغيّر منذ آخر تقرير (أو منذ تاريخ محدد).
documents-report-intro-relay = يكتب الخادم التقرير مما خزّنه: التحليل كما كان في نهاية تاريخ التقرير، وما تغيّر منذ آخر تقرير (أو منذ تاريخ محدد).
documents-report-format = الصيغة
documents-format-md = تقرير Markdown
documents-format-csv = مصفوفة CSV
documents-format-json = JSON
documents-report-date = تاريخ التقرير (UTC)
documents-report-language = لغة التقرير
documents-report-since = التغييرات منذ
documents-report-since-last = آخر تقرير أُرسل
documents-report-since-date = تاريخ محدد
documents-report-since-label = تاريخ بداية التغييرات
documents-report-choose-date = اختر تاريخ التقرير.
documents-report-print-view = معاينة الطباعة
documents-report-print = طباعة
documents-report-mark-sent = وضع علامة «أُرسل»
documents-report-back = العودة إلى التصدير
documents-report-marked = وُضعت علامة «أُرسل» على تقرير { $date }.
documents-report-downloaded = نُزِّل { $name }.
documents-report-sent-title = التقارير المرسلة
documents-report-none-sent = لم يُعلَّم أي تقرير بأنه أُرسل بعد.
documents-report-sent-by = بواسطة { $name }، { $time }
documents-report-change-files = ملفات التغييرات (عند انعدام الشبكة)
documents-report-writing = جارٍ كتابة التقرير على هذا الجهاز…
documents-report-asking = جارٍ طلب التقرير من الخادم…
documents-report-offline = يُعدّ الخادم التقرير مما خزّنه، وتعذّر الوصول إلى الخادم الآن (لا اتصال؟). أعد المحاولة عند الاتصال.
documents-report-relay-failed = يُعدّ الخادم التقرير، وقد فشل: { $error }.
documents-report-failed = فشل التقرير: { $error }
documents-api-offline = دون اتصال
documents-api-unreachable = تعذّر الوصول إلى الخادم
documents-api-answered = ردّ الخادم بالرمز { $status }
documents-api-not-offered = هذا الخادم لا يوفّر ذلك

## الإرسال إلى القائمة البريدية
documents-mail-send = إرسال إلى القائمة البريدية
documents-mail-title = يرسل الخادم التقرير بالبريد إلى { $to }
documents-mail-sending = جارٍ الإرسال…
documents-mail-sent = أُرسل إلى { $to } في { $time }.
documents-mail-log-title = ما أُرسل إلى القائمة البريدية
documents-mail-log = أرسله { $name } في { $when } · تقرير { $date } · إلى { $to }
documents-mail-log-detail = { $subject } · { $reply }
documents-mail-offline = دون اتصال: الخادم هو الذي يرسل البريد، لذا ينتظر الإرسال حتى يتصل هذا الجهاز.
documents-mail-unreachable = تعذّر الوصول إلى الخادم (لا اتصال؟)؛ لم يُرسل شيء.
documents-mail-answered = ردّ الخادم بالرمز { $status }؛ لم يُرسل شيء.

## السجل
documents-history = السجل
documents-history-of = سجل { $label }
documents-history-text-of = { $text }: { $label }
documents-history-reading = جارٍ قراءة السجل على هذا الجهاز…
documents-history-asking = جارٍ طلب السجل من الخادم…
documents-history-empty = لم تُسجَّل أي تغييرات بعد.
documents-history-offline = يحتاج السجل إلى الخادم، وتعذّر الوصول إليه الآن (لا اتصال؟). فهو يأتي من النسخة المخزّنة على الخادم.
documents-history-failed = تعذّر على الخادم تقديم السجل: { $error }.
documents-history-changes = { $count ->
    [zero] لا تغييرات
    [one] تغيير واحد
    [two] تغييران
    [few] { $count } تغييرات
    [many] { $count } تغييرًا
   *[other] { $count } تغيير
}
documents-history-line = { $who } · { $when } · { $what }
documents-history-span = { $start } – { $end }
documents-history-to = { $field } ← { $after }
documents-history-from-to = { $field }: { $before } ← { $after }
documents-history-quoted = «{ $text }»
documents-history-removed = حُذف
documents-history-none = لا شيء
documents-history-set = عُيّن
documents-history-created = أُنشئ
documents-history-change = تغيير
documents-history-time-unknown = وقت غير معروف
documents-history-unknown-device = جهاز غير معروف { $id }
