"""Generated ordinary news in tracker's nine languages, for the extraction benchmark (bench/extract.py).

Ordinary news is most of what a crawler brings in, and the part an extractor must pass over cheaply and
without a false alarm. The sentences below are written for this benchmark, one set per language, and
hold what makes an extractor look twice without stating a censorship measure: measure words about
other things ("M:", a player suspended, a road blocked, lorries banned from a town centre, a cement
maker fined) and services named in passing ("S:", a minister announcing on Facebook, a video on
YouTube); the other sentences are plain news. Half the ordinary articles get one measure-word
sentence, three in ten one naming a service, so about one in seven has both, somewhere in the text.

`news_mix(n, languages, share)` returns `n` articles: a `share` of them are texts of the corpus that
report a measure (train and dev splits only: the test split is for measuring quality, not speed), the
rest ordinary articles of 8 to 14 paragraphs, each article in one language. Run as a script, it
shows what the mix is made of.
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus" / "texts"

#: English slots: (country, capital). Other languages' sentences carry their own places.
PLACES = [("Russia", "Moscow"), ("Turkey", "Ankara"), ("Pakistan", "Islamabad"), ("Nigeria", "Abuja"),
          ("Iran", "Tehran"), ("India", "New Delhi"), ("Brazil", "Brasilia"), ("Ethiopia", "Addis Ababa"),
          ("Bangladesh", "Dhaka"), ("Kazakhstan", "Astana"), ("Uganda", "Kampala"), ("Venezuela", "Caracas")]
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]

ORDINARY: dict[str, list[str]] = {
    "en": [
        ("The central bank kept its main interest rate at {pct} percent on {weekday}, saying inflation was "
        "easing more slowly than it had expected in the spring."),
        ("M:The league suspended the striker for {n} matches after he was sent off in the derby, the club said on "
        "{weekday}."),
        "M:The city council voted to ban cars from the old town on Sundays, a plan shopkeepers say will hurt trade.",
        ("Heavy rain is expected across the north of {country} until {weekday}, and the weather service warned of "
        "floods along the river."),
        "S:The minister announced on Facebook that schools would reopen on {weekday} after the holiday.",
        ("M:Farmers blocked a motorway near {capital} with tractors for several hours on {weekday} to protest "
        "against lower grain prices."),
        "The museum reopened after a two-year renovation, with a new wing for modern art and a rooftop cafe.",
        "The airline said it would add {n} weekly flights to {capital} from March, citing strong demand.",
        ("Prices of bread and milk rose again last month, the statistics office said, adding to pressure on "
        "families."),
        "The company said its profits rose {pct} percent in the third quarter as sales of electric scooters grew.",
        "S:The prime minister posted a video on X thanking volunteers who helped clean the beaches after the storm.",
        "M:Police closed several streets in {capital} for the marathon, which drew more than {n},000 runners.",
        "M:The competition authority fined a cement maker {n} million dollars for fixing prices with its rivals.",
        "The opposition called for an inquiry into the cost of the new bridge, which rose by {pct} percent.",
        ("Researchers at the national university said they had found a new species of frog in the forests east "
        "of {capital}."),
        "The home side won {n}-1 after a late goal, keeping their hopes of a top-four finish alive.",
        "Tourism officials said hotel bookings on the coast were up {pct} percent on last summer.",
        "The national theatre will stage a new production of an old comedy, with tickets on sale from {weekday}.",
        "Doctors at the main hospital in {capital} opened a new ward for children with heart conditions.",
        "A new tram line linking the airport with the centre of {capital} will open next year, officials said.",
        "Exports of coffee and tea grew {pct} percent in the first half of the year, the trade ministry said.",
        "The orchestra will tour {n} cities this autumn, starting with two concerts in {capital}.",
    ],
    "ru": [
        "Центральный банк сохранил ключевую ставку на уровне {pct} процентов, сославшись на замедление инфляции.",
        "M:Клуб дисквалифицировал нападающего на {n} матчей после удаления в дерби.",
        "M:Городские власти запретили въезд грузовиков в центр города по выходным, чтобы уменьшить пробки.",
        "Синоптики предупредили о сильных дождях на севере страны до конца недели.",
        "S:Министр сообщил в своём Telegram-канале, что школы откроются после каникул {n} сентября.",
        "M:Фермеры перекрыли трассу у города на несколько часов, протестуя против низких цен на зерно.",
        "Музей снова открылся после двухлетней реставрации, и в первый день его посетили {n} тысяч человек.",
        "Авиакомпания добавит {n} рейсов в неделю в Казань из-за высокого спроса.",
        "Цены на хлеб и молоко выросли на {pct} процента за месяц, сообщила служба статистики.",
        "Компания сообщила, что её прибыль выросла на {pct} процентов благодаря продажам электросамокатов.",
        ("S:Популярный блогер опубликовал на YouTube видео о ремонте старого дома, которое набрало миллион "
        "просмотров."),
        ("M:Полиция ограничила движение на нескольких улицах из-за марафона, в котором участвовали {n} тысяч "
        "бегунов."),
        "M:Суд оштрафовал застройщика на {n} миллионов рублей за срыв сроков строительства.",
        "Оппозиция потребовала проверить стоимость нового моста, которая выросла на {pct} процентов.",
        "В городе открылась новая линия трамвая, которая связала аэропорт с центром.",
        "Экспорт пшеницы за первое полугодие вырос на {pct} процентов, сообщило министерство.",
        "Театр покажет новую постановку классической комедии, билеты поступят в продажу через {n} дня.",
    ],
    "tr": [
        "Merkez Bankası politika faizini yüzde {pct} seviyesinde sabit tuttu.",
        "M:Disiplin kurulu, derbide kırmızı kart gören forvete {n} maç men cezası verdi.",
        "M:Belediye, hafta sonları tarihi yarımadaya kamyon girişini yasakladı.",
        "Meteoroloji, Karadeniz'de kuvvetli yağış uyarısı yaptı.",
        "S:Bakan, okulların tatilden sonra {n} Eylül'de açılacağını Twitter hesabından duyurdu.",
        "M:Çiftçiler düşük tahıl fiyatlarını protesto etmek için otoyolu traktörlerle kapattı.",
        "Müze iki yıllık restorasyonun ardından yeniden açıldı.",
        "Havayolu şirketi, Mart ayından itibaren haftada {n} sefer daha ekleyeceğini açıkladı.",
        "Ekmek ve süt fiyatları geçen ay yüzde {pct} arttı.",
        "Şirket, üçüncü çeyrekte kârının yüzde {pct} yükseldiğini bildirdi.",
        "S:Ünlü şef yeni tarifini Instagram'da paylaştı, video kısa sürede {n} milyon kez izlendi.",
        "M:Polis, maraton nedeniyle şehir merkezindeki bazı yolları trafiğe kapattı.",
        "M:Rekabet Kurulu, bir çimento şirketine {n} milyon lira para cezası verdi.",
        "Muhalefet, yeni köprünün maliyetinin araştırılmasını istedi.",
        "Kıyı otellerindeki doluluk oranı geçen yaza göre yüzde {pct} arttı.",
        "Şehir tiyatroları yeni sezonu klasik bir komediyle açacak.",
        "Yeni tramvay hattı havalimanını şehir merkezine bağlayacak.",
    ],
    "fa": [
        "بانک مرکزی نرخ سود را در سطح {pct} درصد ثابت نگه داشت.",
        "M:کمیته انضباطی مهاجم تیم را به دلیل اخراج در دربی {n} جلسه محروم کرد.",
        "M:شهرداری ورود کامیون‌ها به بافت تاریخی را در روزهای جمعه ممنوع کرد.",
        "سازمان هواشناسی درباره بارش‌های شدید در استان‌های شمالی هشدار داد.",
        "S:وزیر آموزش و پرورش در اینستاگرام اعلام کرد که مدارس از {n} مهر بازگشایی می‌شوند.",
        "M:کشاورزان در اعتراض به قیمت پایین گندم جاده را برای چند ساعت بستند.",
        "موزه پس از دو سال مرمت دوباره به روی بازدیدکنندگان باز شد.",
        "شرکت هواپیمایی اعلام کرد {n} پرواز هفتگی به مشهد اضافه می‌کند.",
        "مرکز آمار اعلام کرد قیمت نان و شیر در ماه گذشته {pct} درصد افزایش یافت.",
        "این شرکت اعلام کرد سود آن در فصل سوم {pct} درصد رشد کرده است.",
        "S:یک آشپز مشهور دستور غذای تازه‌اش را در یوتیوب منتشر کرد.",
        "M:پلیس راهور چند خیابان مرکز شهر را به دلیل مسابقه دو ماراتن مسدود کرد.",
        "M:سازمان حمایت یک شرکت لبنی را به پرداخت {n} میلیارد ریال جریمه محکوم کرد.",
        "نمایندگان مجلس خواستار بررسی هزینه ساخت پل جدید شدند.",
        "صادرات زعفران در شش ماه نخست سال {pct} درصد افزایش یافت.",
        "خط جدید مترو فرودگاه را به مرکز شهر وصل می‌کند.",
        "جشنواره تئاتر امسال با {n} نمایش از سراسر کشور برگزار می‌شود.",
    ],
    "ar": [
        "أبقى البنك المركزي سعر الفائدة عند {pct} في المئة دون تغيير.",
        "M:أوقف الاتحاد المهاجم {n} مباريات بعد طرده في مباراة القمة.",
        "M:قررت البلدية منع دخول الشاحنات إلى وسط المدينة خلال عطلة نهاية الأسبوع.",
        "حذرت هيئة الأرصاد من أمطار غزيرة على المناطق الشمالية حتى نهاية الأسبوع.",
        "S:أعلن الوزير عبر حسابه على فيسبوك أن المدارس ستفتح أبوابها في {n} سبتمبر.",
        "M:أغلق مزارعون الطريق السريع لساعات احتجاجا على انخفاض أسعار القمح.",
        "أعيد افتتاح المتحف بعد ترميم استمر عامين.",
        "أعلنت شركة الطيران أنها ستضيف {n} رحلات أسبوعية إلى دبي.",
        "ارتفعت أسعار الخبز والحليب بنسبة {pct} في المئة الشهر الماضي.",
        "قالت الشركة إن أرباحها ارتفعت {pct} في المئة في الربع الثالث.",
        "S:نشر طاه مشهور وصفته الجديدة على يوتيوب وشاهدها {n} ملايين شخص.",
        "M:أغلقت الشرطة عدة شوارع في وسط المدينة بسبب سباق الماراثون.",
        "M:فرضت هيئة المنافسة غرامة قدرها {n} ملايين على شركة أسمنت.",
        "طالبت المعارضة بالتحقيق في تكلفة الجسر الجديد.",
        "ارتفعت صادرات التمور {pct} في المئة خلال النصف الأول من العام.",
        "سيربط خط الترام الجديد المطار بوسط المدينة العام المقبل.",
        "يفتتح المسرح الوطني موسمه الجديد بمسرحية كوميدية قديمة.",
    ],
    "es": [
        "El banco central mantuvo el tipo de interés en el {pct} por ciento.",
        "M:La liga suspendió al delantero por {n} partidos tras su expulsión en el clásico.",
        "M:El ayuntamiento prohibió el tráfico de camiones en el centro histórico los fines de semana.",
        "Los meteorólogos advirtieron de lluvias intensas en el norte del país hasta el domingo.",
        "S:El ministro anunció en Twitter que las escuelas reabrirán el {n} de septiembre.",
        "M:Agricultores bloquearon la autopista durante varias horas para protestar por el precio del trigo.",
        "El museo reabrió sus puertas tras dos años de restauración.",
        "La aerolínea añadirá {n} vuelos semanales a Cancún a partir de marzo.",
        "El precio del pan y de la leche subió un {pct} por ciento el mes pasado.",
        "La empresa dijo que sus beneficios crecieron un {pct} por ciento en el tercer trimestre.",
        "S:Un cocinero famoso publicó su nueva receta en Instagram y el vídeo superó el millón de visitas.",
        "M:La policía cortó varias calles del centro por la maratón, que reunió a {n} mil corredores.",
        "M:La autoridad de competencia multó a una cementera con {n} millones de euros.",
        "La oposición pidió investigar el coste del nuevo puente, que subió un {pct} por ciento.",
        "Las exportaciones de café crecieron un {pct} por ciento en el primer semestre.",
        "La nueva línea de tranvía unirá el aeropuerto con el centro el próximo año.",
        "El teatro nacional estrenará una comedia clásica con entradas a la venta desde el lunes.",
    ],
    "pt": [
        "O Banco Central manteve a taxa básica de juros em {pct} por cento.",
        "M:O tribunal desportivo suspendeu o atacante por {n} jogos após a expulsão no clássico.",
        "M:A prefeitura proibiu a circulação de caminhões no centro aos fins de semana.",
        "A meteorologia alertou para chuvas fortes no sul do país até domingo.",
        "S:O ministro anunciou no Instagram que as escolas reabrem no dia {n} de fevereiro.",
        "M:Caminhoneiros bloquearam a rodovia por várias horas em protesto contra o preço do diesel.",
        "O museu reabriu depois de dois anos de reforma.",
        "A companhia aérea vai acrescentar {n} voos semanais para Recife a partir de março.",
        "O preço do pão e do leite subiu {pct} por cento no mês passado, segundo o instituto de estatística.",
        "A empresa informou que o lucro cresceu {pct} por cento no terceiro trimestre.",
        "S:Uma cantora publicou no YouTube um vídeo do novo show, visto por {n} milhões de pessoas.",
        "M:A polícia interditou várias ruas do centro por causa da maratona.",
        "M:O órgão de defesa do consumidor multou uma rede de farmácias em {n} milhões de reais.",
        "A oposição pediu uma investigação sobre o custo da nova ponte.",
        "As exportações de café cresceram {pct} por cento no primeiro semestre.",
        "A nova linha de metrô vai ligar o aeroporto ao centro no próximo ano.",
        "O teatro municipal estreia uma comédia clássica com ingressos à venda a partir de segunda-feira.",
    ],
    "fr": [
        "La banque centrale a maintenu son taux directeur à {pct} %.",
        "M:La ligue a suspendu l'attaquant pour {n} matchs après son expulsion lors du derby.",
        "M:La mairie a interdit la circulation des poids lourds dans le centre-ville le week-end.",
        "Le service météorologique a placé le nord du pays en vigilance orange pour de fortes pluies.",
        "S:Le ministre a annoncé sur Facebook que les écoles rouvriraient le {n} septembre.",
        "M:Des agriculteurs ont bloqué l'autoroute pendant plusieurs heures pour protester contre le prix du blé.",
        "Le musée a rouvert ses portes après deux ans de travaux.",
        "La compagnie aérienne ajoutera {n} vols par semaine vers Dakar à partir de mars.",
        "Le prix du pain et du lait a augmenté de {pct} % le mois dernier, selon l'institut de statistique.",
        "L'entreprise a annoncé que son bénéfice avait progressé de {pct} % au troisième trimestre.",
        "S:Un chef cuisinier a publié sa nouvelle recette sur YouTube, vue par {n} millions de personnes.",
        "M:La police a fermé plusieurs rues du centre pour le marathon.",
        "M:L'autorité de la concurrence a infligé une amende de {n} millions d'euros à un cimentier.",
        "L'opposition a demandé une enquête sur le coût du nouveau pont.",
        "Les exportations de cacao ont progressé de {pct} % au premier semestre.",
        "La nouvelle ligne de tramway reliera l'aéroport au centre-ville l'an prochain.",
        "Le théâtre national ouvrira sa saison avec une comédie classique.",
    ],
    "id": [
        "Bank sentral mempertahankan suku bunga acuan di level {pct} persen.",
        ("M:Komisi disiplin melarang penyerang itu bermain selama {n} pertandingan setelah kartu merah di laga "
        "derbi."),
        "M:Pemerintah kota melarang truk masuk ke pusat kota pada akhir pekan.",
        "BMKG memperingatkan hujan lebat di wilayah utara hingga akhir pekan.",
        "S:Menteri mengumumkan di Instagram bahwa sekolah akan dibuka kembali pada {n} Juli.",
        "M:Para petani memblokir jalan tol selama beberapa jam untuk memprotes harga gabah yang rendah.",
        "Museum itu dibuka kembali setelah renovasi selama dua tahun.",
        "Maskapai itu akan menambah {n} penerbangan per minggu ke Bali mulai Maret.",
        "Harga beras dan minyak goreng naik {pct} persen bulan lalu, menurut Badan Pusat Statistik.",
        "Perusahaan itu mengatakan labanya naik {pct} persen pada kuartal ketiga.",
        "S:Seorang koki terkenal mengunggah resep barunya di YouTube dan ditonton {n} juta kali.",
        "M:Polisi menutup beberapa ruas jalan di pusat kota karena lomba maraton.",
        "M:KPPU menjatuhkan denda {n} miliar rupiah kepada sebuah perusahaan semen.",
        "DPR meminta penyelidikan atas biaya pembangunan jembatan baru.",
        "Ekspor kopi tumbuh {pct} persen pada semester pertama tahun ini.",
        "Jalur kereta ringan yang baru akan menghubungkan bandara dengan pusat kota tahun depan.",
        "Teater nasional akan membuka musim baru dengan sebuah komedi klasik.",
    ],
}
LANGUAGES = tuple(ORDINARY)


def corpus_positives() -> dict[str, list[dict]]:
    """Corpus texts that report a measure, by language (train and dev splits only)."""
    out: dict[str, list[dict]] = {}
    for path in sorted(CORPUS.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            if rec["events"] and rec.get("split") in ("train", "dev"):
                out.setdefault(rec["language"], []).append(rec)
    return out


#: How often an ordinary article holds a sentence with a measure word about something else ("M:" in
#: ORDINARY), and how often one naming a service in passing ("S:"); both at once in about one in seven.
MEASURE_WORD_SHARE, SERVICE_SHARE = 0.5, 0.3


def _kinds(lang: str) -> dict[str, list[str]]:
    """The sentences of a language by kind: "" (plain), "M" (measure word) and "S" (service named)."""
    out: dict[str, list[str]] = {"": [], "M": [], "S": []}
    for t in ORDINARY[lang]:
        kind, _, rest = t.partition(":") if t[:2] in ("M:", "S:") else ("", "", t)
        out[kind].append(rest)
    return out


def ordinary_article(lang: str, rnd: random.Random, published: date) -> tuple[str, str]:
    """(title, text) of one ordinary article in `lang`: 8 to 14 paragraphs of 1 to 3 plain sentences, and
    in some articles one sentence with a measure word about something else and one naming a service."""
    country, capital = rnd.choice(PLACES)

    def fill(template: str) -> str:
        return template.format(country=country, capital=capital, weekday=rnd.choice(WEEKDAYS),
                               n=rnd.randrange(2, 9), pct=rnd.randrange(2, 15))

    kinds = _kinds(lang)
    paras = [[fill(t) for t in rnd.sample(kinds[""], rnd.randrange(1, 4))] for _ in range(rnd.randrange(8, 15))]
    for kind, share in (("M", MEASURE_WORD_SHARE), ("S", SERVICE_SHARE)):
        if rnd.random() < share:
            para = rnd.choice(paras)
            para.insert(rnd.randrange(len(para) + 1), fill(rnd.choice(kinds[kind])))
    title = paras[0][0].split(",")[0].split("،")[0][:80].rstrip(".")
    return title, "\n\n".join(" ".join(p) for p in paras)


def news_mix(n: int, languages: dict[str, float], share: float = 0.1, seed: int = 7) -> list[dict]:
    """`n` articles in the given languages (language -> share of the articles); in each language about
    `share` of them are corpus texts reporting a measure, the rest ordinary news. Records carry `id`, `text`,
    `title`, `published`, `language` and `measure` (True for a corpus text)."""
    rnd = random.Random(seed)
    positives = corpus_positives()
    counts = {lang: round(n * part) for lang, part in languages.items()}
    counts[next(iter(counts))] += n - sum(counts.values())
    out: list[dict] = []
    for lang, k in counts.items():
        n_measure = round(k * share)
        pool = list(positives[lang])
        rnd.shuffle(pool)
        for i in range(k):
            published = date(2021, 1, 1) + timedelta(days=rnd.randrange(1400))
            if i < n_measure:
                rec = pool[i % len(pool)]
                out.append({"id": f"{lang}-{i:05d}", "text": rec["text"], "title": rec["title"],
                            "published": rec["published"], "language": lang, "measure": True,
                            "corpus_id": rec["id"]})
            else:
                title, text = ordinary_article(lang, rnd, published)
                out.append({"id": f"{lang}-{i:05d}", "text": text, "title": title,
                            "published": published.isoformat(), "language": lang, "measure": False})
    rnd.shuffle(out)  # measures scattered among the ordinary news, languages interleaved
    return out


def main() -> None:
    """Show what the mix is made of: per language, the corpus texts available and one ordinary article."""
    positives = corpus_positives()
    rnd = random.Random(7)
    for lang in LANGUAGES:
        title, text = ordinary_article(lang, rnd, date(2024, 5, 1))
        print(f"{lang}: {len(positives.get(lang, [])):>3} corpus texts reporting a measure; an ordinary "
              f"article of {len(text):,} characters: {title!r}")


if __name__ == "__main__":
    main()
