"""The Space's words that the toolkit repeats elsewhere: the chat's default system prompt and the disclaimer
(standard library only, no imports).

The Space shows them (``space.chat``, ``space.safety``, the About tab) and ``gaokerena space deploy`` ships this
module beside it; the GGUF repo's Ollama ``system`` file (``hub_tools.export.ollama``) and the release take them
from here, so the toolkit never imports ``space``.
"""

DEFAULT_SYSTEM_PROMPT = (
    "تو گائوکرنا هستی، یک دستیار پزشکی فارسی‌زبان. به پرسش‌های پزشکی به زبان فارسی، دقیق، روشن و محتاطانه "
    "پاسخ بده. اگر مطمئن نیستی بگو، و یادآوری کن که پاسخ تو جایگزین معاینه و مشورت با پزشک نیست."
)

# Shown in the chat header and the About tab.
DISCLAIMER_FA = (
    "گائوکرنا یک مدل زبانی پژوهشی است و جایگزین پزشک نیست. پاسخ‌ها ممکن است نادرست باشند. "
    "برای تشخیص و درمان به پزشک مراجعه کنید. در موارد اورژانسی با ۱۱۵ تماس بگیرید."
)
DISCLAIMER_EN = (
    "Gaokerena is a research language model, not a doctor. Its answers can be wrong. "
    "See a physician for diagnosis and treatment. In an emergency in Iran, call 115."
)
