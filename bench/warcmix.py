"""A news mix for bench/backfill.py: ordinary pages in tracker's nine languages, and pages that report a measure.

Ordinary pages are generated from the sentences below (written for this benchmark: sport, markets, weather,
culture, local news), laid out as news sites lay them out: a head with meta tags and JSON-LD, inline CSS and
a few kilobytes of script, navigation, share buttons, the article, related headlines, a footer with the
outlet's social accounts. They are varied so the scan is really tested, in these shares (per page):

- 62% plain news;
- 13% name a service in the text (a video posted on YouTube, a statement on X, Meta's shares);
- 13% use a measure word in another sense (a ban on plastic bags, a blocked shot, a road closed, a fine);
- 8% do both, in different paragraphs;
- 4% do both in one sentence without any authority acting on a service ("users complained on X that the app
  would not load after the update", "the league fined the club and suspended its Instagram account manager").

Pages that report a measure are corpus texts (corpus/texts/*.jsonl with at least one gold event) wrapped in
the same page layout, each copy with its own desk line so no two share a text.
"""

from __future__ import annotations

import html
import json
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus" / "texts"

#: Share of ordinary pages per language (CC-NEWS is about half English).
LANGUAGES = (("en", 50), ("es", 10), ("fr", 8), ("pt", 7), ("ru", 7), ("tr", 5), ("id", 5), ("ar", 5), ("fa", 3))
#: Page profiles and their weights (see the module docstring).
PROFILES = (("plain", 62), ("service", 13), ("measure", 13), ("apart", 8), ("together", 4))

CITIES = {"en": ["Leeds", "Denver", "Perth", "Nairobi", "Toronto", "Dublin"],
          "es": ["Sevilla", "Rosario", "Cali", "Valparaíso"], "fr": ["Lyon", "Nantes", "Dakar", "Liège"],
          "pt": ["Recife", "Porto", "Curitiba", "Braga"], "ru": ["Казани", "Самаре", "Перми", "Томске"],
          "tr": ["İzmir", "Bursa", "Konya", "Trabzon"], "id": ["Bandung", "Medan", "Makassar", "Malang"],
          "ar": ["الإسكندرية", "صفاقس", "إربد", "وهران"], "fa": ["شیراز", "تبریز", "اصفهان", "رشت"]}

PLAIN = {
    "en": [
        "The home side scored twice in the second half to win {n}-1 in {city}.",
        "Inflation eased to {n}.{m} percent in the year to March, the statistics office said.",
        "Heavy rain is expected across the region on {day}, with temperatures near {n} degrees.",
        "The museum in {city} will reopen its east wing after two years of renovation.",
        "Shares in the carmaker rose {n} percent after it raised its forecast for the year.",
        "The council approved a budget of {n} million for new cycle lanes and bus stops.",
        "Tickets for the festival sold out within {n} hours, organisers said.",
        "The central bank kept its main rate at {n}.{m} percent, as economists had expected.",
        "Residents of {city} queued for hours to see the comet on {day} night.",
        "The coach said the team had prepared well and was ready for the final.",
        "Farmers expect a good harvest after a mild winter and a wet spring.",
        "The new bridge will cut travel times between the two towns by {n} minutes.",
        "A local bakery has won the regional prize for the third year in a row.",
        "The orchestra opens its season with a programme of Brahms and Sibelius.",
        "Police are asking witnesses of the crash on the ring road to come forward.",
        "The airline will add {n} weekly flights to the capital from next month.",
    ],
    "es": [
        "El equipo local ganó {n} a 1 en {city} con dos goles en la segunda parte.",
        "La inflación bajó al {n},{m} por ciento en marzo, según el instituto de estadística.",
        "Se esperan lluvias intensas el {day} y temperaturas de unos {n} grados.",
        "El museo de {city} reabrirá su ala este tras dos años de obras.",
        "Las acciones del fabricante subieron un {n} por ciento tras mejorar sus previsiones.",
        "El ayuntamiento aprobó un presupuesto de {n} millones para nuevos carriles bici.",
        "Las entradas del festival se agotaron en {n} horas, dijeron los organizadores.",
        "El entrenador dijo que el equipo estaba preparado para la final.",
        "Los agricultores esperan una buena cosecha después de un invierno suave.",
        "La orquesta abre la temporada con un programa de Brahms y Falla.",
    ],
    "fr": [
        "L'équipe locale s'est imposée {n} à 1 à {city} grâce à deux buts en seconde période.",
        "L'inflation a ralenti à {n},{m} % sur un an en mars, selon l'institut de statistique.",
        "De fortes pluies sont attendues {day}, avec des températures proches de {n} degrés.",
        "Le musée de {city} rouvrira son aile est après deux ans de travaux.",
        "L'action du constructeur a gagné {n} % après le relèvement de ses prévisions.",
        "Le conseil municipal a voté un budget de {n} millions pour de nouvelles pistes cyclables.",
        "Les billets du festival se sont vendus en {n} heures, selon les organisateurs.",
        "L'entraîneur estime que son équipe est prête pour la finale.",
        "Les agriculteurs attendent une bonne récolte après un hiver doux.",
        "L'orchestre ouvre sa saison avec Brahms et Ravel.",
    ],
    "pt": [
        "O time da casa venceu por {n} a 1 em {city} com dois gols no segundo tempo.",
        "A inflação caiu para {n},{m}% em março, segundo o instituto de estatística.",
        "São esperadas chuvas fortes na {day}, com temperaturas perto de {n} graus.",
        "O museu de {city} vai reabrir a ala leste depois de dois anos de obras.",
        "As ações da montadora subiram {n}% depois de a empresa elevar a sua previsão.",
        "A câmara aprovou um orçamento de {n} milhões para novas ciclovias.",
        "Os ingressos do festival esgotaram em {n} horas, disseram os organizadores.",
        "O treinador disse que a equipe está pronta para a final.",
        "Os agricultores esperam uma boa colheita depois de um inverno ameno.",
        "A orquestra abre a temporada com Brahms e Villa-Lobos.",
    ],
    "ru": [
        "Хозяева поля победили в {city} со счётом {n}:1 благодаря двум голам во втором тайме.",
        "Инфляция в марте замедлилась до {n},{m}% в годовом выражении, сообщил статистический комитет.",
        "В {day} ожидаются сильные дожди, температура воздуха около {n} градусов.",
        "Музей в {city} откроет восточное крыло после двух лет ремонта.",
        "Акции автопроизводителя выросли на {n}% после повышения прогноза.",
        "Городская дума утвердила бюджет в {n} миллионов на новые велодорожки.",
        "Билеты на фестиваль были распроданы за {n} часов, сообщили организаторы.",
        "Тренер сказал, что команда готова к финалу.",
        "Фермеры ждут хорошего урожая после мягкой зимы.",
        "Оркестр открывает сезон программой из произведений Брамса и Чайковского.",
    ],
    "tr": [
        "Ev sahibi takım ikinci yarıda bulduğu iki golle {city} deplasmanından {n}-1 galip döndü.",
        "Yıllık enflasyon martta yüzde {n},{m}'e geriledi.",
        "{day} günü yoğun yağış bekleniyor, sıcaklık {n} derece civarında olacak.",
        "{city} müzesi iki yıllık restorasyonun ardından doğu kanadını yeniden açıyor.",
        "Otomobil üreticisinin hisseleri tahminlerini yükseltmesinin ardından yüzde {n} değer kazandı.",
        "Belediye meclisi yeni bisiklet yolları için {n} milyonluk bütçeyi onayladı.",
        "Festival biletleri {n} saatte tükendi.",
        "Teknik direktör takımın finale hazır olduğunu söyledi.",
        "Çiftçiler ılık geçen kışın ardından bereketli bir hasat bekliyor.",
        "Orkestra yeni sezonu Brahms ve Saygun eserleriyle açıyor.",
    ],
    "id": [
        "Tim tuan rumah menang {n}-1 di {city} berkat dua gol di babak kedua.",
        "Inflasi tahunan turun menjadi {n},{m} persen pada bulan Maret.",
        "Hujan lebat diperkirakan turun pada hari {day} dengan suhu sekitar {n} derajat.",
        "Museum di {city} akan membuka kembali sayap timurnya setelah direnovasi selama dua tahun.",
        "Saham produsen mobil itu naik {n} persen setelah perusahaan menaikkan perkiraannya.",
        "Dewan kota menyetujui anggaran {n} miliar rupiah untuk jalur sepeda baru.",
        "Tiket festival habis terjual dalam {n} jam, kata panitia.",
        "Pelatih mengatakan timnya siap menghadapi final.",
        "Petani berharap panen yang baik setelah musim hujan yang cukup.",
        "Orkestra membuka musim baru dengan karya Brahms.",
    ],
    "ar": [
        "فاز الفريق المضيف في {city} بنتيجة {n}-1 بفضل هدفين في الشوط الثاني.",
        "تراجع التضخم السنوي إلى {n}.{m} في المئة في مارس بحسب جهاز الإحصاء.",
        "يتوقع هطول أمطار غزيرة يوم {day} مع درجات حرارة تقارب {n} درجة.",
        "يعيد متحف {city} افتتاح جناحه الشرقي بعد عامين من الترميم.",
        "ارتفعت أسهم شركة السيارات بنسبة {n} في المئة بعد رفع توقعاتها.",
        "وافق المجلس البلدي على ميزانية قدرها {n} مليون لإنشاء مسارات للدراجات.",
        "نفدت تذاكر المهرجان خلال {n} ساعات بحسب المنظمين.",
        "قال المدرب إن الفريق مستعد للمباراة النهائية.",
        "يتوقع المزارعون محصولا جيدا بعد شتاء معتدل.",
    ],
    "fa": [
        "تیم میزبان در {city} با دو گل در نیمه دوم {n} بر یک پیروز شد.",
        "نرخ تورم سالانه در اسفند به {n} درصد رسید.",
        "روز {day} بارش شدید باران با دمای حدود {n} درجه پیش بینی می شود.",
        "موزه {city} پس از دو سال مرمت بخش شرقی خود را بازگشایی می کند.",
        "سهام خودروساز پس از افزایش پیش بینی سود {n} درصد بالا رفت.",
        "شورای شهر بودجه {n} میلیاردی برای مسیرهای دوچرخه را تصویب کرد.",
        "بلیت های جشنواره در {n} ساعت به فروش رفت.",
        "سرمربی گفت تیم برای فینال آماده است.",
    ],
}

#: A service named, no measure.
SERVICE = {
    "en": ["The singer announced the tour in a video posted on YouTube on {day}.",
           "The mayor thanked volunteers in a post on X after the clean-up.",
           "Shares in Meta rose {n} percent after the company reported higher advertising sales.",
           "Fans can watch the match live on the club's Facebook page.",
           "The bakery takes orders through WhatsApp and Instagram.",
           "Most households in {city} now have fast internet, the survey found."],
    "es": ["La cantante anunció la gira en un vídeo publicado en YouTube.",
           "El alcalde agradeció a los voluntarios en un mensaje en X.",
           "Los aficionados pueden ver el partido en la página de Facebook del club."],
    "fr": ["La chanteuse a annoncé sa tournée dans une vidéo publiée sur YouTube.",
           "Le maire a remercié les bénévoles dans un message sur X.",
           "Les supporters peuvent suivre le match en direct sur la page Facebook du club."],
    "pt": ["A cantora anunciou a turnê em um vídeo publicado no YouTube.",
           "O prefeito agradeceu aos voluntários em uma publicação no Instagram.",
           "Os torcedores podem assistir ao jogo na página do clube no Facebook."],
    "ru": ["Певица объявила о гастролях в ролике на YouTube.",
           "Мэр поблагодарил волонтёров в своём Telegram-канале.",
           "Болельщики могут посмотреть матч во ВКонтакте."],
    "tr": ["Şarkıcı turnesini YouTube'da yayımladığı bir videoyla duyurdu.",
           "Belediye başkanı gönüllülere Instagram hesabından teşekkür etti."],
    "id": ["Penyanyi itu mengumumkan turnya lewat video di YouTube.",
           "Wali kota berterima kasih kepada relawan melalui Instagram."],
    "ar": ["أعلنت المغنية عن جولتها في مقطع نشرته على يوتيوب.",
           "شكر رئيس البلدية المتطوعين في منشور على فيسبوك."],
    "fa": ["خواننده تور خود را در ویدئویی در اینستاگرام اعلام کرد.",
           "شهردار در پیامی در تلگرام از داوطلبان تشکر کرد."],
}

#: A measure word in another sense, no service.
MEASURE = {
    "en": ["The council approved a ban on single-use plastic bags from {day}.",
           "The goalkeeper blocked a late shot to keep the clean sheet.",
           "Police closed the road for {n} hours after the accident.",
           "The club was fined {n},000 euros for crowd trouble.",
           "The league suspended the striker for three matches.",
           "Water supply will be cut in parts of {city} for maintenance on {day}.",
           "The airline will stop flying to the island in winter.",
           "The city will restrict parking in the old town during the festival."],
    "es": ["El ayuntamiento aprobó la prohibición de las bolsas de plástico desde el {day}.",
           "El club fue multado con {n}.000 euros por incidentes en la grada.",
           "La liga suspendió al delantero por tres partidos.",
           "La policía cerró la carretera durante {n} horas tras el accidente."],
    "fr": ["La mairie a interdit les sacs plastiques à usage unique à partir de {day}.",
           "Le club a été condamné à une amende de {n} 000 euros pour des incidents en tribune.",
           "La ligue a suspendu l'attaquant pour trois matchs.",
           "La police a bloqué la route pendant {n} heures après l'accident."],
    "pt": ["A câmara proibiu as sacolas plásticas a partir de {day}.",
           "O clube foi multado em {n} mil reais por incidentes na arquibancada.",
           "A liga suspendeu o atacante por três jogos.",
           "A polícia bloqueou a estrada durante {n} horas após o acidente."],
    "ru": ["Власти города запретили продажу пиротехники в новогоднюю ночь.",
           "Клуб оштрафовали на {n} тысяч рублей за поведение болельщиков.",
           "Полиция перекрыла дорогу на {n} часа после аварии.",
           "Лига дисквалифицировала нападающего на три матча."],
    "tr": ["Belediye tek kullanımlık plastik poşetleri yasakladı.",
           "Kulübe taraftar olayları nedeniyle {n} bin lira para cezası verildi.",
           "Polis kazanın ardından yolu {n} saat trafiğe kapattı."],
    "id": ["Pemerintah kota melarang kantong plastik sekali pakai mulai {day}.",
           "Klub itu didenda {n} juta rupiah karena ulah suporter.",
           "Polisi menutup jalan selama {n} jam setelah kecelakaan."],
    "ar": ["قررت البلدية حظر الأكياس البلاستيكية اعتبارا من {day}.",
           "فرضت الرابطة غرامة على النادي بسبب أحداث المدرجات.",
           "أغلقت الشرطة الطريق لمدة {n} ساعات بعد الحادث."],
    "fa": ["شهرداری استفاده از کیسه های پلاستیکی را ممنوع کرد.",
           "باشگاه به دلیل رفتار هواداران جریمه شد.",
           "پلیس جاده را پس از تصادف {n} ساعت بست."],
}

#: A service and a measure word in one sentence, yet no authority acting on a service.
TOGETHER = {
    "en": ["Users complained on X that the banking app would not load after the update.",
           "The league fined the club and banned its press officer from posting on Instagram for a month.",
           "The company said it had blocked {n} million spam accounts on Facebook last quarter.",
           "YouTube will stop showing ads on videos shorter than {n} seconds."],
    "es": ["Los usuarios se quejaron en X de que la aplicación del banco no cargaba tras la actualización."],
    "fr": ["Des utilisateurs se sont plaints sur X que l'application de la banque ne se chargeait plus."],
    "pt": ["Usuários reclamaram no X que o aplicativo do banco não carregava após a atualização."],
    "ru": ["Пользователи жаловались в Telegram, что приложение банка не загружается после обновления."],
    "tr": ["Kullanıcılar X'te bankanın uygulamasının güncellemeden sonra açılmadığından şikayet etti."],
    "id": ["Pengguna mengeluh di X bahwa aplikasi bank tidak bisa dibuka setelah pembaruan."],
    "ar": ["اشتكى مستخدمون على فيسبوك من توقف تطبيق البنك بعد التحديث."],
    "fa": ["کاربران در اینستاگرام از قطع شدن برنامه بانک پس از به روزرسانی شکایت کردند."],
}

DAYS = {"en": ["Monday", "Friday", "Sunday"], "es": ["lunes", "viernes"], "fr": ["lundi", "vendredi"],
        "pt": ["segunda-feira", "sexta-feira"], "ru": ["понедельник", "пятницу"], "tr": ["Pazartesi", "Cuma"],
        "id": ["Senin", "Jumat"], "ar": ["الاثنين", "الجمعة"], "fa": ["دوشنبه", "جمعه"]}
SECTIONS = ["World", "Politics", "Business", "Sport", "Culture", "Science", "Opinion", "Video"]
DIRECTION = {"ar": "rtl", "fa": "rtl"}


def _fill(rng: random.Random, template: str, lang: str) -> str:
    return template.format(n=rng.randint(2, 90), m=rng.randint(0, 9), city=rng.choice(CITIES[lang]),
                           day=rng.choice(DAYS[lang]))


def _weighted(rng: random.Random, pairs: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([p for p, _ in pairs], weights=[w for _, w in pairs])[0]


def ordinary_text(rng: random.Random, lang: str) -> tuple[str, list[str], str]:
    """(title, paragraphs, profile) of an ordinary article in `lang`."""
    profile = _weighted(rng, PROFILES)
    paras = [" ".join(_fill(rng, rng.choice(PLAIN[lang]), lang) for _ in range(rng.randint(2, 4)))
             for _ in range(rng.randint(4, 10))]

    def put(pool: dict[str, list[str]], where: int) -> None:
        paras[where] += " " + _fill(rng, rng.choice(pool[lang]), lang)

    if profile in ("service", "apart"):
        put(SERVICE, 0 if profile == "apart" else rng.randrange(len(paras)))
    if profile in ("measure", "apart"):
        put(MEASURE, len(paras) - 1 if profile == "apart" else rng.randrange(len(paras)))
    if profile == "together":
        put(TOGETHER, rng.randrange(len(paras)))
    title = _fill(rng, rng.choice(PLAIN[lang]), lang).rstrip(".")
    return title, paras, profile


_SCRIPT_WORDS = ("var", "function", "return", "this", "push", "length", "window", "document", "data", "event")


def _script(rng: random.Random, size: int) -> str:
    """Minified-looking JavaScript of about `size` characters (analytics, ads, consent)."""
    parts = []
    while sum(map(len, parts)) < size:
        a, b = rng.choice(_SCRIPT_WORDS), rng.choice(_SCRIPT_WORDS)
        parts.append(f"{a}.{b}{rng.randint(0, 999)}=function(e,t){{return e&&t?e[{rng.randint(0, 9)}]:null}};")
    return "".join(parts)


_CSS = (".site-header{display:flex;justify-content:space-between}.nav a{display:block;padding:4px 8px}"
        ".share-twitter,.share-facebook{display:inline-block;width:32px;height:32px}"
        ".article-body p{margin:0 0 1em;line-height:1.6}.related li{display:block}.ad-slot{min-height:250px}"
        ".cookie-banner{position:fixed;bottom:0}.social-youtube:before{content:''}")


def page(title: str, paras: list[str], lang: str, published: str, url: str, rng: random.Random,
         related: list[str]) -> str:
    """A news page around an article, as outlets lay them out."""
    e = html.escape
    body = "\n".join(f"<p>{e(p)}</p>" for p in paras)
    ld = json.dumps({"@context": "https://schema.org", "@type": "NewsArticle", "headline": title,
                     "datePublished": f"{published}T08:00:00Z", "inLanguage": lang}, ensure_ascii=False)
    nav = "".join(f'<li><a href="/{s.lower()}/">{s}</a></li>' for s in SECTIONS)
    rel = "".join(f'<li><a href="/story/{rng.randint(1000, 99999)}">{e(r)}</a></li>' for r in related)
    share = "".join(f'<a class="share-{s.lower()}" href="https://{d}/share?u={e(url)}"><button>{s}</button></a>'
                    for s, d in (("Facebook", "www.facebook.com"), ("Twitter", "twitter.com"),
                                 ("WhatsApp", "wa.me"), ("Telegram", "t.me")))
    return f"""<!DOCTYPE html>
<html lang="{lang}" dir="{DIRECTION.get(lang, 'ltr')}"><head><meta charset="utf-8"><title>{e(title)} | The Daily Example</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta property="og:title" content="{e(title)}"><meta property="og:type" content="article">
<meta name="twitter:card" content="summary_large_image"><meta name="twitter:site" content="@dailyexample">
<meta property="article:published_time" content="{published}T08:00:00Z">
<link rel="canonical" href="{e(url)}"><link rel="stylesheet" href="/static/site.{rng.randint(100, 999)}.css">
<style>{_CSS}</style>
<script type="application/ld+json">{ld}</script>
<script>{_script(rng, rng.randint(3000, 9000))}</script>
</head><body>
<header class="site-header"><a class="logo" href="/">The Daily Example</a>
<nav class="nav"><ul>{nav}</ul></nav></header>
<main><article><h1>{e(title)}</h1>
<p class="byline">By staff reporter · <time datetime="{published}">{published}</time></p>
<aside class="share">{share}</aside>
<div class="article-body">
{body}
</div></article>
<section class="related"><h2>Related</h2><ul>{rel}</ul></section>
<div class="ad-slot" data-slot="{rng.randint(1, 99)}"></div></main>
<footer><p>Follow us on <a href="https://www.facebook.com/dailyexample">Facebook</a>,
<a href="https://twitter.com/dailyexample">X</a>, <a href="https://www.youtube.com/@dailyexample">YouTube</a> and
<a href="https://t.me/dailyexample">Telegram</a>.</p><p>© The Daily Example. All rights reserved.</p></footer>
<div class="cookie-banner">We use cookies to improve your experience. <a href="/privacy">Settings</a></div>
<script>{_script(rng, rng.randint(2000, 6000))}</script>
</body></html>"""


def load_reports() -> list[dict]:
    """Corpus texts with at least one gold event, in a fixed order."""
    texts = [json.loads(line) for path in sorted(CORPUS.glob("*.jsonl"))
             for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [t for t in texts if t["events"]]


def report_page(doc: dict, copy: int, rng: random.Random, url: str) -> str:
    """A corpus text that reports a measure, in the page layout, with its own desk line."""
    paras = [p for p in doc["text"].split("\n") if p.strip()]
    paras.append(f"Desk {copy}-{rng.randint(0, 10**6)}.")
    related = [_fill(rng, rng.choice(PLAIN["en"]), "en").rstrip(".") for _ in range(4)]
    return page(doc.get("title") or paras[0][:80], paras, doc["language"], doc.get("published") or "2024-01-01",
                url, rng, related)


def ordinary_page(rng: random.Random, url: str) -> tuple[str, str, str]:
    """(html, language, profile) of an ordinary news page."""
    lang = _weighted(rng, LANGUAGES)
    title, paras, profile = ordinary_text(rng, lang)
    related = [_fill(rng, rng.choice(PLAIN[lang]), lang).rstrip(".") for _ in range(4)]
    day = f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    return page(title, paras, lang, day, url, rng, related), lang, profile


def main() -> None:
    """What the mix is made of (make bench runs every file of bench/): 1,000 ordinary pages by profile and language."""
    from collections import Counter

    rng = random.Random(1)
    pages = [ordinary_page(rng, f"https://news.example.com/{i}") for i in range(1000)]
    print("profiles:", ", ".join(f"{k} {v}" for k, v in sorted(Counter(p for _h, _l, p in pages).items())))
    print("languages:", ", ".join(f"{k} {v}" for k, v in sorted(Counter(lang for _h, lang, _p in pages).items())))
    print(f"average page: {sum(len(h) for h, _l, _p in pages) / len(pages):,.0f} characters of HTML")


if __name__ == "__main__":
    main()
