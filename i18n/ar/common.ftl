### كلمات يشترك فيها العميل كله.

## اختيار اللغة
common-language = اللغة

## المواقف ودرجات الثقة والأولويات وحالات المهام
stance-supports = مؤيد
stance-opposes = معارض
stance-undecided = متردد
stance-mixed = منقسم
stance-unknown = غير معروف
confidence-rumour = إشاعة
confidence-reported = منقول
confidence-confirmed = مؤكد
priority-high = عالية
priority-medium = متوسطة
priority-low = منخفضة
status-open = مفتوحة
status-doing = قيد التنفيذ
status-done = منجزة
