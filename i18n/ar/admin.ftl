### الوصول (الرموز والدعوات)، وشاشة الإدارة (حالة الخادم)، وشاشات التحليلات المشفّرة.

## الأدوار وحالات الرموز
admin-role-viewer = مطّلع
admin-role-editor = محرّر
admin-role-admin = مشرف
admin-role-viewer-read-only = مطّلع · للقراءة فقط
admin-role-viewer-option = مطّلع (للقراءة فقط)
admin-role-editor-option = محرّر (قراءة وكتابة)
admin-role-admin-option = مشرف (كل شيء، بما في ذلك الوصول)
admin-state-active = نشط
admin-state-revoked = ملغى
admin-state-expired = منتهي الصلاحية
admin-expires-never = أبدًا
admin-scope-all = كل التحليلات
admin-scope-documents = { $count ->
    [zero] لا مستندات
    [one] مستند واحد
    [two] مستندان
    [few] { $count } مستندات
    [many] { $count } مستندًا
   *[other] { $count } مستند
}

## شاشة الوصول
admin-access-title = الوصول
admin-access-intro = من يحمل رمزًا يستطيع فتح التحليلات التي يسمح بها. يُعرض السر مرة واحدة فقط، في صورة رابط دعوة؛ أرسله بشكل خاص.
admin-tokens = الرموز
admin-new-token = رمز جديد
admin-invite = دعوة شخص
admin-token-name = اسم الرمز
admin-token-name-example = مثلًا: آنا (الحاسوب المحمول)
admin-role = الدور
admin-expires-on = ينتهي في (اختياري)
admin-this-analysis-only = هذا التحليل فقط
admin-create-token = إنشاء الرمز
admin-create-failed = تعذّر إنشاء الرمز ({ $error }). هل أنت متصل؟
admin-copy = نسخ
admin-copied = نُسخ
admin-copy-selected = حُدِّد: اضغط Ctrl+C
admin-new-invitation = دعوة جديدة
admin-token-created = أُنشئ رمز لـ{ $name } ({ $role }).
admin-secret-once = هذه هي المرة الوحيدة التي يُعرض فيها سرّه:
admin-invitation-link = رابط الدعوة
admin-no-tokens = لا توجد رموز.
admin-col-name = الاسم
admin-col-role = الدور
admin-col-state = الحالة
admin-col-expires = ينتهي
admin-col-limited-to = مقصور على
admin-revoke-self-title = هذا أنت:
admin-revoke-self = هذا الجهاز يستخدم هذا الرمز. إلغاؤه يقطع وصول هذا الجهاز فورًا، إلى أن يرسل إليك أحدهم رابطًا جديدًا. إلغاء؟
admin-revoke-ask = إلغاء؟
admin-confirm-revoke = تأكيد إلغاء { $name }
admin-cancel = تراجع
admin-revoke = إلغاء { $name }
admin-revoke-failed = تعذّر إلغاء { $name } ({ $error }).
admin-tokens-failed = تعذّر تحميل الرموز ({ $error }).

## شاشة الإدارة
admin-title = الإدارة
admin-intro = الخادم الآن. تتحدّث كل بضع ثوانٍ ما دامت هذه الشاشة مفتوحة.
admin-relay = الخادم
admin-relay-line = الإصدار { $version } · يعمل منذ { $up } · { $connections ->
    [zero] لا اتصالات
    [one] اتصال واحد
    [two] اتصالان
    [few] { $connections } اتصالات
    [many] { $connections } اتصالًا
   *[other] { $connections } اتصال
} · { $stored ->
    [zero] لا مستندات مخزّنة
    [one] مستند مخزّن واحد
    [two] مستندان مخزّنان
    [few] { $stored } مستندات مخزّنة
    [many] { $stored } مستندًا مخزّنًا
   *[other] { $stored } مستند مخزّن
} ({ $size })، منها { $loaded } في الذاكرة
admin-storage-writes = عمليات الكتابة في التخزين: { $commits }
admin-storage-refuses = التخزين يرفض الكتابة:
admin-commits-none = لا عمليات كتابة بعد.
admin-commits = { $count ->
    [zero] لا عمليات كتابة
    [one] عملية كتابة واحدة
    [two] عمليتا كتابة
    [few] { $count } عمليات كتابة
    [many] { $count } عملية كتابة
   *[other] { $count } عملية كتابة
} · المتوسط { $mean } · p50 { $p50 } · p95 { $p95 }
admin-backup = النسخ الاحتياطي
admin-warning = تنبيه:
admin-backup-none = لم تُؤخذ أي نسخة احتياطية بعد. خذ نسخة (caucus backup) أو جدولها (--backup-dir).
admin-backup-last = آخر نسخة احتياطية { $time } UTC ({ $ago }): { $kind }، { $documents ->
    [zero] لا مستندات
    [one] مستند واحد
    [two] مستندان
    [few] { $documents } مستندات
    [many] { $documents } مستندًا
   *[other] { $documents } مستند
}، { $size }.
admin-backup-old = مضى عليها أكثر من 26 ساعة: تحقّق من جدول النسخ الاحتياطي.
admin-connections = الاتصالات الحالية
admin-connections-count = الاتصالات الحالية ({ $count })
admin-nobody = لا أحد متصل.
admin-col-token = الرمز
admin-col-peer = النظير
admin-col-from = من العنوان
admin-col-since = منذ
admin-col-documents = المستندات
admin-joining = (قيد الانضمام)
admin-oldest-listed = تُعرض أقدم 1000 فقط.
admin-documents = المستندات
admin-documents-count = المستندات ({ $count })
admin-documents-failed = تعذّر سرد المستندات: { $error }
admin-no-documents = لا توجد مستندات مخزّنة بعد.
admin-col-document = المستند
admin-col-size = الحجم
admin-col-last-change = آخر تغيير
admin-col-open-by = مفتوح لدى
admin-col-in-memory = في الذاكرة
admin-peers = { $count ->
    [zero] لا نظراء
    [one] نظير واحد
    [two] نظيران
    [few] { $count } نظراء
    [many] { $count } نظيرًا
   *[other] { $count } نظير
}
admin-yes = نعم
admin-no = لا
admin-largest-listed = تُعرض أكبر 1000 فقط.
admin-col-connections = الاتصالات
admin-invite-on-access = الدعوة والإلغاء من شاشة الوصول.
admin-cluster-label = العنقود:
admin-cluster = هذا الخادم { $connected ->
    [yes] متصل بـ
   *[no] غير متصل بـ
}{ $url }؛ طُبِّق حتى الرقم { $seq }؛ { $waiting ->
    [0] كل تغيير أُجري هنا موجود في JetStream
    [one] رسالة تغيير واحدة ({ $size }) أُجريت هنا تنتظر JetStream
    [two] رسالتا تغيير ({ $size }) أُجريتا هنا تنتظران JetStream
    [few] { $waiting } رسائل تغيير ({ $size }) أُجريت هنا تنتظر JetStream
    [many] { $waiting } رسالة تغيير ({ $size }) أُجريت هنا تنتظر JetStream
   *[other] { $waiting } رسالة تغيير ({ $size }) أُجريت هنا تنتظر JetStream
}. المنشور: { $published }، والمطبَّق من خوادم أخرى: { $applied }، { $snapshots ->
    [zero] ولا لقطات
    [one] ولقطة واحدة
    [two] ولقطتان
    [few] و{ $snapshots } لقطات
    [many] و{ $snapshots } لقطة
   *[other] و{ $snapshots } لقطة
}.
admin-status-failed = تعذّر الحصول على حالة الخادم ({ $error }). تُعرض آخر حالة معروفة.
admin-unexpected-answer = ردّ غير متوقع
admin-just-now = الآن
admin-ago = قبل { $age }
admin-age-s = { $s } ث
admin-age-min = { $min } د
admin-age-h-min = { $h } س { $min } د
admin-age-d-h = { $d } ي { $h } س
admin-size-b = { $n } بايت
admin-size-kb = { $n } كيلوبايت
admin-size-mb = { $n } ميغابايت
admin-size-gb = { $n } غيغابايت
admin-time-us = { $n } ميكروثانية
admin-time-ms = { $n } ملّي ثانية
admin-time-s = { $n } ث

## التحليلات المشفّرة من طرف إلى طرف
admin-recovery-key = مفتاح الاسترداد
admin-recovery-title = احفظ مفتاح الاسترداد
admin-recovery-text = هذا التحليل مشفّر من طرف إلى طرف: لا يستطيع الخادم قراءته. إذا فُقدت كل الأجهزة القادرة على فتحه، فمفتاح الاسترداد هذا هو السبيل الوحيد لاستعادته. لا يُعرض إلا هذه المرة: احفظه في مدير كلمات المرور لدى تحالفك أو على الورق.
admin-recovery-saved = حفظت مفتاح الاسترداد
admin-continue = متابعة
admin-waiting-title = في انتظار أن يُدخلك أحد الأعضاء
admin-waiting-text = هذا التحليل مشفّر من طرف إلى طرف. سيُدخل جهازُ أحد الأعضاء هذا الجهازَ حالما يتصل؛ أبقِ هذه الصفحة مفتوحة.
admin-this-device = هذا الجهاز: { $device }
admin-not-member-title = هذا التحليل مشفّر من طرف إلى طرف: اطلب دعوة من أحد الأعضاء
admin-not-member-text = هذا الجهاز ليس من أعضائه، لذا لا يستطيع قراءته (ولا الخادم كذلك). يستطيع عضو لديه شاشة الوصول إنشاء رابط دعوة يُدخل هذا الجهاز.
admin-home = الرئيسية
admin-try-again = إعادة المحاولة
admin-removed-title = أُزيل هذا الجهاز من هذا التحليل.
admin-removed-text = يحتفظ بما سبق أن قرأه، لكنه لم يعد يتلقى التغييرات، ولا تُرسل التعديلات التي تُجرى هنا. اطلب من مشرف دعوة جديدة لتُقبل مرة أخرى.
admin-col-device = الجهاز
admin-this-device-mark = (هذا الجهاز)
admin-remove-device = إزالة { $device }
admin-remove-device-failed = تعذّرت إزالة الجهاز ({ $error }).
admin-turn-down-failed = تعذّر رفض الطلب ({ $error }).
admin-requests-title = طلبات انضمام دون دعوة صالحة
admin-no-name = (بلا اسم)
admin-request = { $label } عبر { $token }
admin-turn-down = رفض
admin-devices-title = 🔒 الأجهزة التي تستطيع قراءة هذا التحليل
admin-devices-text = هذه الأجهزة وحدها تحمل مفاتيحه. إزالة أحدها تبدأ مفتاحًا جديدًا لا يتلقاه أبدًا.
admin-unavailable = هذا التحليل ليس على هذا الجهاز بعد، ولم يتمكن الخادم من توفيره. تحقّق من الرابط والاتصال؛ سيُفتح حالما يتوفر لدى الخادم.
admin-creating-sealed = جارٍ إنشاء التحليل المشفّر…
admin-create-sealed-failed = تعذّر إنشاء التحليل المشفّر ({ $error }). هل أنت متصل؟
