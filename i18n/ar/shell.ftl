### إطار التطبيق: الشريط والقائمة والتنقل والصفحة الرئيسية ونموذج الاسم وأسئلة الجهاز والتنبيهات فوق العرض وحالة المزامنة.

## الشريط
shell-title = Caucus
shell-brand = Caucus
shell-home-link = كل التحليلات
shell-menu = القائمة
shell-menu-online = { $count ->
    [zero] القائمة (لا أحد غيرك متصل)
    [one] القائمة (شخص آخر متصل)
    [two] القائمة (شخصان آخران متصلان)
    [few] القائمة ({ $count } أشخاص آخرين متصلون)
    [many] القائمة ({ $count } شخصًا آخر متصلون)
   *[other] القائمة ({ $count } شخص آخر متصلون)
}
shell-nav-label = طرق العرض
shell-presence-label = من المتصل الآن
shell-sealed-lock = 🔒 مشفّر من طرف إلى طرف
shell-presence-only-you = أنت فقط
shell-presence-nobody = لا أحد غيرك في: { $where }
shell-looking-at-task = مهمة: { $title }
shell-invalid-title = رابط الوصول هذا لم يعد صالحًا
shell-invalid-text = — اطلب رابطًا جديدًا من جهة التنسيق. يبقى ما على هذا الجهاز مقروءًا هنا، لكنه لا يستطيع الاتصال بالمُرحِّل بهذا الرابط.
shell-loading = جارٍ التحميل
shell-doc-title = { $title } – Caucus
shell-title-tooltip = { $title }
shell-untitled = تحليل بلا عنوان
shell-analysis = تحليل

## حالة المزامنة
shell-status-invalid = رابط الوصول لم يعد صالحًا
shell-status-offline = غير متصل: تعديلاتك محفوظة على هذا الجهاز
shell-status-offline-waiting = { $count ->
    [zero] غير متصل: تعديلاتك محفوظة على هذا الجهاز
    [one] غير متصل: تعديلاتك محفوظة على هذا الجهاز (تعديل واحد بانتظار الإرسال)
    [two] غير متصل: تعديلاتك محفوظة على هذا الجهاز (تعديلان بانتظار الإرسال)
    [few] غير متصل: تعديلاتك محفوظة على هذا الجهاز ({ $count } تعديلات بانتظار الإرسال)
    [many] غير متصل: تعديلاتك محفوظة على هذا الجهاز ({ $count } تعديلًا بانتظار الإرسال)
   *[other] غير متصل: تعديلاتك محفوظة على هذا الجهاز ({ $count } تعديل بانتظار الإرسال)
}
shell-status-saved = تم حفظ كل شيء
shell-status-catching-up = جارٍ التحديث…
shell-status-waiting = { $count ->
    [zero] لا تعديلات بانتظار الإرسال
    [one] تعديل واحد بانتظار الإرسال
    [two] تعديلان بانتظار الإرسال
    [few] { $count } تعديلات بانتظار الإرسال
    [many] { $count } تعديلًا بانتظار الإرسال
   *[other] { $count } تعديل بانتظار الإرسال
}

## التنقل
shell-nav-matrix = المصفوفة
shell-nav-country = البلد
shell-nav-tasks = المهام
shell-nav-foryou = ما يخصّك
shell-nav-comments = التعليقات
shell-nav-documents = الوثائق
shell-nav-feed = النشاط
shell-nav-recent = التغييرات الأخيرة
shell-nav-export = تصدير التقرير
shell-nav-changes = ملفات دون اتصال
shell-nav-access = الوصول
shell-nav-admin = الإدارة
shell-nav-copy-link = نسخ الرابط
shell-nav-copied = تم النسخ
shell-nav-link-prompt = الرابط (دون رمز الوصول):
shell-nav-as-of = العرض بتاريخ…
shell-nav-foryou-count = { $count ->
    [zero] لا جديد لك
    [one] عنصر جديد واحد لك
    [two] عنصران جديدان لك
    [few] { $count } عناصر جديدة لك
    [many] { $count } عنصرًا جديدًا لك
   *[other] { $count } عنصر جديد لك
}

## الفتح والنسيان
shell-opening = جارٍ فتح التحليل…
shell-forgetting = جارٍ نسيان هذا الجهاز…

## من أنت؟
shell-name-title = من أنت؟
shell-name-intro = يظهر اسمك ومنظمتك لأعضاء تحالفك بجانب تعديلاتك.
shell-name-name = اسمك
shell-name-org = المنظمة
shell-name-continue = متابعة

## الصفحة الرئيسية
shell-home-title = التحليلات على هذا الجهاز
shell-home-no-token = لا يملك هذا الجهاز رمز وصول بعد، لذا لا يستطيع الاتصال بالمُرحِّل. افتح الرابط الذي شاركه تحالفك (ينتهي بـ «&token=…»)؛ يُحفظ الرمز على هذا الجهاز.
shell-home-none = لا شيء بعد. افتح رابطًا من تحالفك، أو ابدأ تحليلًا جديدًا.
shell-home-opened = · فُتح في { $date }
shell-home-open-title = فتح رابط
shell-home-link-placeholder = الصق رابط تحليل
shell-home-link-label = رابط التحليل
shell-home-open = فتح
shell-home-new-title = تحليل جديد
shell-home-from-template = من القالب «{ $title }»: { $countries ->
    [zero] لا بلدان
    [one] بلد واحد
    [two] بلدان اثنان
    [few] { $countries } بلدان
    [many] { $countries } بلدًا
   *[other] { $countries } بلد
}، { $items ->
    [zero] لا بنود في جدول الأعمال
    [one] بند واحد في جدول الأعمال
    [two] بندان في جدول الأعمال
    [few] { $items } بنود في جدول الأعمال
    [many] { $items } بندًا في جدول الأعمال
   *[other] { $items } بند في جدول الأعمال
}.
shell-home-sealed = مشفّر من طرف إلى طرف
shell-home-sealed-note = (لا يستطيع المُرحِّل قراءته؛ المفاتيح لدى أجهزة الأعضاء فقط)
shell-home-create = إنشاء تحليل جديد
shell-home-signed-in = على هذا الجهاز، أنت { $name }.
shell-home-signed-in-org = على هذا الجهاز، أنت { $name } ({ $org }).
shell-home-change = تغيير

## هذا الجهاز
shell-switch-title = هذا الرابط يحمل وصولًا مختلفًا
shell-switch-text = يحمل الرابط الذي فتحته رمز وصول غير الذي يستخدمه هذا الجهاز. استخدامه يستبدل وصول هذا الجهاز: ما يمكنه قراءته وتغييره، والدور الظاهر في الشريط العلوي.
shell-switch-warning = لا تبدّل إلا إذا أرسل إليك أحد أعضاء تحالفك هذا الرابط الجديد عمدًا. قد يمنحك رابط وجدته في وثيقة أو رسالة لم تكن تتوقعها وصول شخص آخر، أو يسلبك وصولك.
shell-switch-use = استخدام الرابط الجديد
shell-switch-keep = الإبقاء على وصولي الحالي
shell-identity-title = هل أنت أحد هؤلاء الأشخاص؟
shell-identity-text = هناك من يحمل الاسم { $name } ويعمل بالفعل على هذا التحليل. إن كان هذا أنت على جهاز آخر، فأخبرنا: ستتبعك مهامك وتعديلاتك والتنبيهات الموجهة إليك إلى هنا، وستظهر للآخرين مرة واحدة.
shell-identity-yes = نعم، أنا { $name }
shell-identity-no = لا، أنا شخص آخر يحمل الاسم { $name }
shell-device-title = هذا الجهاز
shell-device-text = على حاسوب مشترك أو مُعار، انسَ هذا الجهاز عند الانتهاء: يُحذف رمز الوصول والتحليلات المخزنة هنا وملفات التطبيق المخبأة.
shell-device-forget = نسيان هذا الجهاز
shell-forget-title = هل تريد نسيان هذا الجهاز؟
shell-forget-unsent = { $count ->
    [zero] لا تعديلات غير مرسلة.
    [one] تعديل واحد لم يصل إلى المُرحِّل بعد وسيضيع. ألغِ، ثم انسَ الجهاز عندما يظهر في سطر الحالة «تم حفظ كل شيء».
    [two] تعديلان لم يصلا إلى المُرحِّل بعد وسيضيعان. ألغِ، ثم انسَ الجهاز عندما يظهر في سطر الحالة «تم حفظ كل شيء».
    [few] { $count } تعديلات لم تصل إلى المُرحِّل بعد وستضيع. ألغِ، ثم انسَ الجهاز عندما يظهر في سطر الحالة «تم حفظ كل شيء».
    [many] { $count } تعديلًا لم تصل إلى المُرحِّل بعد وستضيع. ألغِ، ثم انسَ الجهاز عندما يظهر في سطر الحالة «تم حفظ كل شيء».
   *[other] { $count } تعديل لم تصل إلى المُرحِّل بعد وستضيع. ألغِ، ثم انسَ الجهاز عندما يظهر في سطر الحالة «تم حفظ كل شيء».
}
shell-forget-text = يؤدي هذا إلى حذف رمز الوصول وكل التحليلات المخزنة على هذا الجهاز والتطبيق المخبأ. تبقى التحليلات على المُرحِّل؛ ولاستخدامها هنا مجددًا ستحتاج إلى رابط من تحالفك.
shell-forget-cancel = إلغاء
shell-forgotten-title = تم نسيان هذا الجهاز
shell-forgotten-text = لم يعد يحمل رمز وصول ولا تحليلات ولا صفحات مخبأة. لاستخدام Caucus هنا مجددًا، افتح الرابط الذي شاركه تحالفك.
shell-forgotten-again = البدء من جديد

## التنبيهات فوق العرض
shell-asof-title = للقراءة فقط: كما في { $date }
shell-asof-existed = (نهاية ذلك اليوم، بالتوقيت العالمي) —
shell-asof-not-existed = — لم يكن هذا التحليل موجودًا بعد في نهاية ذلك اليوم (بالتوقيت العالمي) —
shell-asof-back = العودة إلى الوضع المباشر
shell-since-label = منذ زيارتك الأخيرة
shell-since-title = منذ زيارتك الأخيرة ({ $when }):
shell-since-earlier = سابقًا
shell-since-positions = { $count ->
    [zero] لم يتغير أي موقف
    [one] تغيّر موقف واحد
    [two] تغيّر موقفان
    [few] تغيّرت { $count } مواقف
    [many] تغيّر { $count } موقفًا
   *[other] تغيّر { $count } موقف
}
shell-since-tasks = { $count ->
    [zero] لا مهام لك
    [one] مهمة واحدة لك
    [two] مهمتان لك
    [few] { $count } مهام لك
    [many] { $count } مهمة لك
   *[other] { $count } مهمة لك
}
shell-since-mentions = { $count ->
    [zero] لا إشارات إليك
    [one] إشارة واحدة إليك
    [two] إشارتان إليك
    [few] { $count } إشارات إليك
    [many] { $count } إشارة إليك
   *[other] { $count } إشارة إليك
}
shell-since-separator = {"، "}
shell-since-dismiss = إخفاء
shell-since-your-tasks = مهامك
shell-since-mentions-label = الإشارات إليك
shell-since-task = المهمة «{ $title }»
shell-since-what-by = : { $what } — بواسطة { $by }
shell-since-mentioned = : يشير إليك
shell-since-mentioned-by = : يشير إليك — بواسطة { $by }
shell-since-position = { $country } · { $item }
shell-since-more = و{ $count } أخرى
