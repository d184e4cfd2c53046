"""Plain-Norwegian (bokmål) texts for the methods page, plus Norwegian labels for result codes.

``SECTIONS`` maps a key to ``(title, markdown)``; :func:`analysis.pages.language.methods_markdown` joins them into one
page body. ``LABELS`` and ``REASONS`` translate the codes in the result tables
(``verdict``, ``band``, ``progress_class``, ``convergence``, ``reason``) for tables and badges.
The texts describe exactly what ``analysis.stats.trends``, ``analysis.stats.status``, ``analysis.stats.progress``
and ``analysis.stats.compare`` compute, and how ``analysis.pages.present`` rounds the shares of the target;
change them together. Section ``deviations`` lists every place where the code departs from the literal
published formulas (``tests/pages/test_pages.py`` checks that each is named).
"""

from __future__ import annotations

# --- site: strings of analysis.site (skip link, search, language switch, page chrome) ---------------
#: The site's own words (analysis.site and reports/): what the renderers write around every page, the
#: language switch and the parts of the project the build fills in. ``{network}`` arrives escaped.
SITE = {
    "language_name": "Norsk",  # the switch on the other languages' pages says this, in this language
    "skip_link": "Hopp til hovedinnholdet",
    "anchor": "Lenke til denne delen",
    "toc_title": "Innhold",
    "no_results": "Ingen treff",
    "description": "U4SSC-indikatorer for medlemmene i {network}",
    "footer": "{network} · U4SSC-indikatorer for smarte og bærekraftige byer",
    "table": "Tabell",
    "datapackage_link": "⬇ Datapakken (datapackage.json)",
    "package": "analysepakken",
}

#: Landmarks and labels the fallback writes in English or leaves unlabelled (Quarto takes its own from
#: ``lang``), by the markup it writes: analysis.site.finish puts the page's language's words there.
INTERFACE = {
    '<nav class="navbar ': '<nav aria-label="Hovedmeny" class="navbar ',
    '<nav class="quarto-secondary-nav">': '<nav aria-label="Meny på små skjermer" class="quarto-secondary-nav">',
    '<nav id="quarto-sidebar" ': '<nav aria-label="Sidemeny" id="quarto-sidebar" ',
    '<nav id="TOC" ': '<nav aria-label="Innhold på siden" id="TOC" ',
    '<nav class="page-navigation">': '<nav aria-label="Forrige og neste side" class="page-navigation">',
    'd-none d-lg-block" aria-label="breadcrumb"': 'd-none d-lg-block" aria-label="Brødsmulesti over tittelen"',
    'placeholder="Search"': 'placeholder="Søk"',
    'aria-label="Search"': 'aria-label="Søk"',
    'aria-label="Toggle navigation"': 'aria-label="Vis eller skjul navigasjonen"',
    'aria-label="Toggle section"': 'aria-label="Vis eller skjul delen"',
    'aria-label="Toggle sidebar navigation"': 'aria-label="Vis eller skjul sidemenyen"',
    'aria-label="breadcrumb"': 'aria-label="Brødsmulesti"',
}

# --- pages: methods text, labels, tables, figures, maps, downloads (analysis.pages) -----------------
SECTIONS: dict[str, tuple[str, str]] = {
    "data": (
        "Manglende og skjermede tall",
        """\
Vi regner bare med tall som faktisk er publisert. Celler som SSB har merket med `.` (ikke
aktuelt), `..` (mangler) eller `:` (skjermet av personvernhensyn) blir stående tomme: de blir
aldri gjort om til null, og vi regner aldri ut et skjermet tall baklengs fra summer. Når et
resultat ikke kan beregnes, står det hvorfor (for eksempel «for få år med tall» eller «tallet er
skjermet»). Finnes samme tall to ganger i dataene (samme kommune, år og indikator), stopper
byggingen med en melding om hvor, i stedet for å velge ett av dem.

I en kommune med under 5 000 innbyggere kan noen få hendelser flytte et tall per innbygger
mye fra ett år til et annet. Siden for en slik kommune sier derfor at tall per innbygger er
usikre.
""",
    ),
    "trend": (
        "Utvikling over tid (trend)",
        """\
For hver kommune og hver indikator ser vi på alle årene med tall.

* **Lineær trend (minste kvadraters metode, OLS).** Vi trekker den rette linjen som passer best
  til punktene. Stigningstallet er endringen per år, med et 95 % konfidensintervall og en
  p-verdi. Vi viser også endringen i prosent av gjennomsnittet for serien.
* **Theil–Sen-stigning.** Et robust alternativ: medianen av stigningen mellom alle par av år.
  Ett enkelt avvikende år trekker den lite.
* **Mann–Kendall-test.** Teller hvor ofte et senere år ligger høyere enn et tidligere år, og
  omvendt. Testen spør bare om serien *jevnt over* går opp eller ned, ikke om den følger en rett
  linje, og tåler skjeve fordelinger og uteliggere. Vi bruker normaltilnærmingen med korreksjon
  for like verdier og kontinuitetskorreksjon.
* **Vurdering (vår regel).** Med minst 4 år med tall og kjent ønsket retning kaller vi
  utviklingen *bedring* når Mann–Kendall-testen gir p < 0,05 og serien går i ønsket retning,
  *forverring* når p < 0,05 og den går motsatt vei, og ellers *ingen klar trend*. For
  indikatorer der et intervall er best (for eksempel lønnsforholdet kvinner/menn nær 1), tester
  vi avstanden til intervallet: bedring betyr at avstanden krymper. Med færre enn 4 år viser vi
  bare endringen fra første til siste år, uten test. Merk: med nøyaktig 4 år kan testen aldri
  bli signifikant (minste mulige p-verdi er 0,09), så da blir svaret alltid «ingen klar trend».
  Der den ønskede retningen ikke er kjent, gir vi ingen vurdering.
""",
    ),
    "status": (
        "Status mot målet (fire nivåer)",
        """\
U4SSC plasserer hver indikator i ett av fire nivåer etter hvor stor del av målet som er nådd:
**minst 95 %**, **66–95 %**, **33–66 %** og **under 33 %**. U4SSC har ikke publisert hvordan
prosenten regnes ut, så **formelen er vår egen**:

* høyere er bedre: andel nådd = verdi / mål (høyst 100 %);
* lavere er bedre: 100 % når verdien er på eller under målet, ellers mål / verdi;
* ja/nei-indikatorer (for eksempel «har en plan»): 100 % når svaret er det målet ber om, ellers
  0 % (se «Der vi avviker fra de publiserte formlene»);
* indikatorer med et ønsket intervall: 100 % innenfor intervallet; under intervallet regnes
  verdien mot nedre grense, over intervallet mot øvre grense, på samme måte som over.

Grensene hører til nivået over: nøyaktig 95 % er «minst 95 %». På sidene står prosenten rundet
ned til hel prosent, så den alltid hører til nivået ved siden av. Vi bruker siste år med tall (til
og med rapportåret). Målene er satt av nettverket (felles mål) eller av kommunen selv (lokale
mål fra egne planer), fordi U4SSCs egne målverdier ikke er offentlige. Mangler tallet eller
målet, får indikatoren ikke noe nivå.
""",
    ),
    "progress": (
        "Fremdrift mot målet",
        """\
Vi sammenligner utviklingen fra **basisåret 2015** (eller første år etter 2015 med tall) til
**siste år med tall** med den utviklingen som trengs for å nå målet innen målåret (vanligvis
2030). Veksten måles som gjennomsnittlig årlig vekst i prosent (*CAGR*).

* **Med mål (Eurostat og Statistics Canada, slik Open SDG bruker dem):** forholdet *R*
  mellom faktisk og nødvendig årlig vekst. *R* ≥ 95 %: **i rute**; 60–95 %: **fremgang, men må
  øke farten**; 0–60 %: **begrenset fremgang**; under 0: **forverring**. Er målet allerede nådd,
  står det **mål nådd**. De to metodene gir samme svar når det finnes et mål.
* **Uten mål, Eurostat:** årlig vekst i ønsket retning over 1 %: **betydelig fremgang**;
  0–1 %: **moderat fremgang**; 0 til −1 %: **moderat tilbakegang**; under −1 %: **betydelig
  tilbakegang**.
* **Uten mål, Statistics Canada:** samme idé med grensene 1,5 % og 0,5 %, men
  grensene krympes med en faktor *C* når verdien allerede er nær en naturlig grense (for
  eksempel en andel nær 100 %), fordi det da ikke er mulig å vokse like raskt.
* **SDSN (Sustainable Development Report):** faktisk gjennomsnittlig årlig endring delt på den
  lineære endringen som trengs for å nå målet: minst 1: **i rute**; 0,5–1: **moderat
  bedring**; 0–0,5: **stagnasjon**; under 0: **går feil vei**.

**Merket på indikatorsidene** bruker Eurostats metode: med mål når det finnes et mål, ellers
uten mål. De andre metodene finnes i nedlastbare data. Hva vi gjør med null, negative verdier,
ja/nei-indikatorer og andre tilfeller som formlene ikke dekker, står i neste avsnitt.
""",
    ),
    "deviations": (
        "Der vi avviker fra de publiserte formlene",
        """Formlene for fremdrift er publisert av Eurostat, Statistics Canada og SDSN. Noen tilfeller dekker
de ikke, og noen steder ville formelen, brukt bokstavelig, gi et misvisende svar. Her er alle
stedene der vi regner annerledes enn den publiserte formelen, eller der vi har valgt selv fordi
formelen ikke sier noe. Kodene i parentes er merknadene i de nedlastbare dataene.

* **Målet var nådd i basisåret, men er ikke nådd nå.** Da står det **forverring**. Det er
  Statistics Canadas regel. Eurostats formel, brukt bokstavelig, ville ofte gitt **i rute**:
  både den faktiske og den nødvendige veksten er da negative, og forholdet mellom to negative tall
  er positivt. Vi bruker Statistics Canadas svar også for Eurostat (`base_met_target`), og på
  samme måte for SDSN-metoden, der det da står **går feil vei**.
* **Null.** Vekst i prosent kan ikke regnes ut fra 0. Som i de publiserte metodene erstatter vi en
  startverdi eller et mål på nøyaktig 0 med 0,001. To ting har vi lagt til selv: en sluttverdi på 0
  erstattes også, slik at en serie som står stille på 0 ikke får «−100 % per år», og i en serie
  med bare negative verdier bruker vi −0,001 (`zero_replaced`). SDSN-metoden regner med endring
  i verdi og trenger ikke dette.
* **Negative verdier.** Alle verdiene fra basisåret til siste år, og målet, må ha samme fortegn.
  Ellers gir vi ingen klasse (`mixed_signs`), fordi vekst i prosent da ikke gir mening. I en serie
  med bare negative verdier snur vi tolkningen av veksten, slik Statistics Canada gjør: når et
  negativt tall blir mer negativt, vokser det i prosent, men verdien går ned
  (`all_negative_direction_flipped`). SDSN-metoden bygger på endring i verdi, ikke i prosent, og
  har ikke denne begrensningen.
* **Naturlig grense (faktoren *C*).** Uten mål krymper Statistics Canada grensene for vekst med
  faktoren *C* = 1 − (startverdi / grense) opphøyd i 4,44 når startverdien ligger nær et tak (og
  tilsvarende nær et gulv). Statistics Canada setter grensen for hver indikator; vi har lest den ut av
  enheten i indikatorlisten: 100 for indikatorer i prosent der høyere er bedre, 0 for indikatorer
  i prosent der lavere er bedre (da blir *C* = 1, altså ingen krymping), og ingen grense ellers.
  Målfila kan sette en annen grense eller *C* direkte. For serier med bare negative verdier og for
  indikatorer med et ønsket intervall er *C* = 1.
* **Indikatorer med et ønsket intervall.** Ingen av metodene er laget for et intervall. Vi bruker
  den grensen av intervallet som ligger nærmest startverdien, som mål. Har verdien gått forbi hele
  intervallet og havnet lenger unna enn den startet, står det **forverring**; er den nærmere enn
  før, gir vi ingen klasse, fordi vekst mot én grense da ikke sier noe (`overshot_band`).
* **Ja/nei-indikatorer.** Vekst i prosent gir ikke mening for et ja/nei-svar, så vi ser bare på
  siste verdi: mål 1 betyr at «ja» er målet, mål 0 at «nei» er målet, og uten mål regner vi «ja»
  som målet. Er svaret det målet ber om, er statusen 100 % og fremdriften **mål nådd** i alle
  metodene; ellers er statusen 0 % og fremdriften **mål ikke nådd**. Trender og sammenligninger
  regner alltid «ja» som det beste svaret.
* **Andel av målet på sidene.** U4SSC har ikke publisert hvordan andelen regnes ut, så formelen er
  vår egen (se «Status mot målet»). Prosenten i parentes etter nivået er **rundet ned** til hel
  prosent, slik at den aldri motsier nivået: 94,99 % står som «66–95 % (94 %)», ikke som
  «66–95 % (95 %)», og 100 % står bare når målet er nådd. I de nedlastbare dataene står andelen
  uten avrunding.

Andre valg som er våre egne, er beskrevet i sine egne avsnitt: vurderingen av trender (over) og
valget av sammenligningsår (under).
""",
    ),
    "comparisons": (
        "Sammenligninger med andre",
        """\
Vi sammenligner kommunen med andre i **samme år**: det siste året der minst halvparten så
mange kommuner har tall som i det året med flest tall (slik at noen få tidlige tall ikke
bestemmer året). For hver indikator viser vi:

* kommunens verdi ved siden av **medianen og gjennomsnittet i nettverket**, **landstallet** fra
  den nasjonale statistikken (ikke et gjennomsnitt av kommunene), **fylket** og medianen i
  **sammenligningsgruppen** (satt av nettverket, for eksempel etter størrelse; SSBs KOSTRA-grupper kan brukes);
* **persentil:** hvor stor andel av kommunene med tall som ligger dårligere an (kommunen selv og
  like verdier teller halvt). Høyere er bedre; 50 er midt i feltet;
* **robust z-verdi:** avstanden fra medianen for kommunene med tall, målt i en robust
  spredningsenhet (1,4826 × medianen av avvikene fra medianen). Positive verdier betyr bedre enn
  vanlig; over 2 eller under −2 er uvanlig langt fra de fleste.

**Utvikler kommunen seg annerledes enn de andre?** Vi sammenligner stigningstallet for kommunen
med det felles stigningstallet for de andre medlemmene i nettverket, i én regresjonsmodell der
hver kommune har sitt eget nivå. Forskjellen i stigning vises med konfidensintervall og
p-verdi.
""",
    ),
    "q_values": (
        "q-verdier: når mange indikatorer testes samtidig",
        """\
Når vi tester mange indikatorer for samme kommune, vil noen se «signifikante» ut bare ved
tilfeldighet: med 100 tester og grensen p < 0,05 venter vi omtrent fem slike treff selv om
ingenting egentlig skiller seg ut. **q-verdien** justerer for dette (Benjamini–Hochberg).
Lest enkelt: hvis vi godtar alle resultater med q under 0,05 som reelle forskjeller, vil vi
i gjennomsnitt ta feil for høyst 5 % av dem. En liten q-verdi er derfor et sterkere signal
enn en liten p-verdi alene. q-verdien er aldri mindre enn p-verdien.
""",
    ),
    "mixed_model": (
        "Nettverket samlet: felles trend og spredning",
        """\
**Felles trend.** For hele nettverket beregner vi én felles årlig endring med en *blandet
modell* (lineær modell med tilfeldig nivå per kommune): hver kommune får sitt eget nivå, men
vi anslår én felles stigning. Da teller ikke store forskjeller i nivå mellom kommunene som
usikkerhet i trenden. Av og til er det beste anslaget at kommunene ikke skiller seg i nivå i det
hele tatt, utover tilfeldige svingninger. Da er modellen det samme som en vanlig lineær regresjon
med ett felles nivå for alle. Vi leter derfor etter den beste tilpasningen (REML) over alle mulige
størrelser på nivåforskjellene, null medregnet; når null passer best, er tilfellet merket `boundary_fit`.
Hvis modellen ikke lar seg tilpasse (for eksempel fordi det er for få tall), står det hvorfor, og
vi viser ikke noe tall.

**Nærmer kommunene seg hverandre?** Hvert år måler vi hvor spredt medlemmene er:
variasjonskoeffisienten (standardavvik delt på gjennomsnitt) når alle verdiene er positive,
ellers standardavviket. Vi bruker år der minst tre medlemmer har tall. Faller spredningen
signifikant (p < 0,05 i en lineær trend over minst fire år), sier vi at kommunene
**nærmer seg hverandre**; øker den, at de **fjerner seg fra hverandre**; ellers at spredningen
er **stabil**. Vær oppmerksom på at spredningen også endres når kommuner kommer til eller
faller ut av tallene.
""",
    ),
}

#: Norwegian labels for the codes in the result tables.
LABELS: dict[str, str] = {
    # trends
    "improving": "bedring",
    "no_clear_trend": "ingen klar trend",
    "worsening": "forverring",
    "not_assessed": "ikke vurdert",
    "no_direction": "ingen ønsket retning",
    # status bands
    "ge95": "minst 95 %",
    "66to95": "66–95 %",
    "33to66": "33–66 %",
    "lt33": "under 33 %",
    # progress
    "achieved": "mål nådd",
    "not_achieved": "mål ikke nådd",
    "on_track": "i rute",
    "acceleration_needed": "fremgang, men må øke farten",
    "limited_progress": "begrenset fremgang",
    "deterioration": "forverring",
    "significant_progress": "betydelig fremgang",
    "moderate_progress": "moderat fremgang",
    "moderate_away": "moderat tilbakegang",
    "significant_away": "betydelig tilbakegang",
    "moderately_improving": "moderat bedring",
    "stagnating": "stagnasjon",
    "decreasing": "går feil vei",
    # convergence
    "converging": "nærmer seg hverandre",
    "diverging": "fjerner seg fra hverandre",
    "stable": "stabil spredning",
    # methods
    "eurostat_target": "Eurostat, med mål",
    "eurostat_no_target": "Eurostat, uten mål",
    "statcan_target": "Statistics Canada, med mål",
    "statcan_no_target": "Statistics Canada, uten mål",
    "sdsn_linear": "SDSN, lineær",
}

#: Norwegian text for each reason code (see ``analysis.stats.common.REASONS``).
REASONS: dict[str, str] = {
    "": "",
    "no_data": "Ingen tall for denne kommunen og indikatoren.",
    "suppressed": "Tallene er skjermet (:) og brukes ikke.",
    "missing": "Tallene mangler (..).",
    "not_applicable": "Indikatoren er ikke aktuell her (.).",
    "too_few_points": "For få år med tall for denne metoden.",
    "no_direction": "Ønsket retning for indikatoren er ikke kjent.",
    "no_band": "Det er ikke satt noe ønsket intervall for indikatoren.",
    "no_target": "Det er ikke satt noe mål.",
    "no_base_year": "Ingen tall fra basisåret eller senere.",
    "mixed_signs": "Verdiene (eller målet) har ulikt fortegn, så vekst i prosent gir ikke mening.",
    "zero_variance": "Alle verdiene er like.",
    "target_not_positive": "Målet er null eller negativt, så andel av målet gir ikke mening.",
    "value_not_positive": "Verdien er null eller negativ der formelen krever en positiv verdi.",
    "no_value_in_year": "Ingen tall for kommunen i sammenligningsåret.",
    "not_in_units": "Enheten er ikke i enhetslisten.",
    "no_group": "Ingen sammenligningsgruppe med tall.",
    "no_group_data": "For få tall i sammenligningsgruppen.",
    "too_few_units": "For få kommuner med tall.",
    "fit_failed": "Modellen kunne ikke tilpasses.",
    "not_converged": "Modelltilpasningen konvergerte ikke; vi viser ikke noe tall.",
    "singular_fit": "Modelltilpasningen er singulær; vi viser ikke noe tall.",
    "target_year_not_after_base": "Målåret er ikke etter basisåret.",
    "band_kpi": "Vekstklassene uten mål gjelder ikke indikatorer med et ønsket intervall.",
    "overshot_band": "Verdien har gått forbi hele det ønskede intervallet og ligger nå nærmere det enn i "
    "basisåret; vekst mot den ene grensen sier ikke noe om det.",
    "not_computed": "Ikke beregnet.",
}


#: Norwegian text of each warning a soft plausibility rule gives (the ``warning`` column of
#: ``data/reference/plausibility.csv``): a value outside the rule's range is kept, and the member's page shows
#: «Merknad: <text>» next to it. Every name in the rules file must be here (``analysis.build`` refuses one that
#: is not); the text says why the value is unusual, not that it is wrong.
WARNINGS: dict[str, str] = {
    "life_expectancy": "Uvanlig verdi. Forventet levealder i norske kommuner er mellom omtrent 78 og 86 år.",
    "turnout": "Uvanlig verdi. Valgdeltakelsen ved kommunevalg er mellom omtrent 50 og 80 %.",
    "water_use": "Uvanlig verdi. Vannforbruket er omtrent 150–600 liter per innbygger og døgn, lekkasjer medregnet.",
    "response_time": "Uvanlig verdi. En responstid over én time er sjelden i Norge; er tallet i minutter?",
    "mobile_subscriptions": "Uvanlig verdi. Norge har omtrent 100 000–140 000 mobilabonnement per 100 000 innbyggere.",
    "congestion": "Uvanlig verdi. Selv i de største byene tar en reise i rushtiden sjelden over tre ganger så "
    "lang tid.",
}

#: How a warning is introduced next to the value on a page.
WARNING_LABEL = "Merknad"


#: How the methods page names each choice of params/methods.yaml.
METHOD_SETTING_LABELS = {
    "alpha": "Signifikansnivå for alle tester (tosidig)",
    "min_points": "Minste antall år med verdier for en trendtest",
    "coverage_share": "Et sammenligningsår må ha verdier for minst denne andelen av enhetene i det best dekte året",
    "slope_model": "Modell for å sammenligne en enhets trend med nettverkets",
    "slope_group": "Gruppen en enhets trend sammenlignes med",
    "small_population": "Under så mange innbyggere merkes tall per innbygger som usikre",
}
METHOD_VALUES = {
    "unit_fe": "hver enhet sitt eget nivå",
    "pooled": "felles modell (verdi ~ år × enhet)",
    "network": "nettverkets medlemmer",
    "all": "alle enheter",
}


def method_settings_markdown(methods: dict) -> str:
    """The method choices the results were computed with (params/methods.yaml), as a table for the methods page."""

    def shown(value) -> str:
        if isinstance(value, float):
            return f"{value:g}".replace(".", ",")
        if isinstance(value, int):
            return f"{value:,}".replace(",", "\xa0")
        return METHOD_VALUES.get(value, str(value))

    rows = [f"| {METHOD_SETTING_LABELS.get(k, k)} | {shown(v)} | `{k}` |" for k, v in methods.items()]
    return (
        "\n## Valg i denne rapporten\n\nStatistikken på nettstedet er beregnet med disse valgene "
        "(fila `params/methods.yaml`):\n\n| Valg | Verdi | Navn i fila |\n|---|---|---|\n" + "\n".join(rows) + "\n"
    )


# --- downloads, the data page and the footer ------------------------------------------------------

#: The columns of every page's CSV download (``analysis.site.downloads``): header and what it holds.
#: The data page lists them with these descriptions.
DOWNLOAD_COLUMNS: dict[str, tuple[str, str]] = {
    "part": ("Del", "Delen av siden tallet står i: en tabell, en figur, eller fremdrift etter alle metoder"),
    "unit_code": ("Enhetskode", "Kommune- eller fylkesnummer i 2024-grensene (0 er hele landet)"),
    "unit_name": ("Enhet", "Kommunens eller fylkets navn"),
    "kpi_id": ("Indikatorkode", "U4SSC-indikatorens kode i katalogen (datapunktet)"),
    "kpi_name": ("Indikator", "Indikatorens navn på bokmål"),
    "dimension": ("Dimensjon", "U4SSC-dimensjonen indikatoren hører til"),
    "measure_unit": ("Måleenhet", "Enheten verdien er målt i"),
    "year": ("År", "Året tallet gjelder (for et mål: målåret; for fremdrift: siste år med tall)"),
    "measure": ("Størrelse", "Hva tallet er: verdi, median, mål, andel av målet, stigning, p-verdi …"),
    "method": ("Metode", "Metoden tallet er beregnet med, der det er beregnet"),
    "value": ("Verdi", "Tallet, med punktum som desimaltegn og full presisjon (siden runder av)"),
    "text": ("Tekst", "Det siden viser i ord: statusbånd, vurdering, fremdriftsklasse, SSB-symbol eller årsak"),
    "source": ("Kilde", "Kilden til tallene raden bygger på"),
    "vintage": ("Versjon", "Versjonen av kilden (tabell og hentedato, eller mål-fila)"),
}

#: The parts of a page, as the CSV's «Del» names them (the page's own headings).
DOWNLOAD_PARTS: dict[str, str] = {
    "profile": "Profil",
    "dimensions": "Figur: de tre dimensjonene",
    "kpi_table": "Tabell: alle indikatorer",
    "key_series": "Figur: utviklingen for utvalgte indikatorer",
    "comparison": "Sammenlignet med resten av nettverket",
    "slope_tests": "Tabell: hvor skiller utviklingen seg ut",
    "progress": "Fremdrift, alle metoder",
    "facts": "Om indikatoren",
    "all_units": "Figur: utviklingen i kommunene",
    "members": "Tabell: medlemmene i rapportåret",
    "network_trend": "Nettverket som helhet",
    "side_by_side": "Tabell: medlemmene side om side",
    "heatmap": "Figur: fargekart (robust z)",
    "spread": "Figur: spredningen mellom medlemmene",
    "map": "Kart",
}

#: What a number in the CSV is («Størrelse»).
DOWNLOAD_MEASURES: dict[str, str] = {
    "kind": "Type",
    "county": "Fylke",
    "peer_group": "Sammenligningsgruppe",
    "breaks": "Brudd i serien",
    "small_population": "Små tall: under så mange innbyggere er tall per innbygger usikre",
    "population": "Folketall 1. januar",
    "kpis_reported": "Indikatorer med tall",
    "kpis_in_catalog": "Indikatorer i katalogen",
    "kpis_with_target": "Indikatorer med mål",
    "first_year": "Første år med tall",
    "last_year": "Siste år med tall",
    "n_improving": "Indikatorer i bedring",
    "n_worsening": "Indikatorer i forverring",
    "n_kpis": "Antall indikatorer",
    "value": "Verdi",
    "latest_value": "Siste verdi",
    "warning": "Merknad: uvanlig verdi, godtatt med advarsel",
    "target": "Mål",
    "band_low": "Målintervall, nedre grense",
    "band_high": "Målintervall, øvre grense",
    "achieved_pct": "Andel av målet nådd (%)",
    "mk_p": "Utvikling (Mann–Kendall), p-verdi",
    "ols_slope": "Endring per år (OLS)",
    "ols_ci_low": "Endring per år (OLS), 95 % KI nedre",
    "ols_ci_high": "Endring per år (OLS), 95 % KI øvre",
    "badge": "Fremdrift (merket på siden)",
    "network_median": "Nettverkets median",
    "network_mean": "Nettverkets gjennomsnitt",
    "county_value": "Fylkets verdi",
    "national_value": "Hele landets verdi",
    "peer_median": "Sammenligningsgruppens median",
    "percentile_rank": "Persentil",
    "robust_z": "Robust z (positiv = bedre)",
    "county_z": "Median av robust z for fylkets kommuner",
    "slope_unit": "Endring per år, enheten",
    "slope_group": "Endring per år, resten",
    "diff": "Forskjell i endring per år",
    "ci_low": "Forskjell, 95 % KI nedre",
    "ci_high": "Forskjell, 95 % KI øvre",
    "q_value": "q-verdi",
    "base_value": "Verdi i basisåret",
    "progress": "Fremdrift",
    "ratio": "Forholdet faktisk/nødvendig (R)",
    "growth_good_direction": "Årlig vekst i ønsket retning",
    "cagr_observed": "Faktisk årlig vekst (andel)",
    "cagr_required": "Nødvendig årlig vekst (andel)",
    "change_observed": "Faktisk endring per år",
    "change_required": "Nødvendig endring per år",
    "c_factor": "Faktor C (naturlig grense)",
    "mixed_slope": "Felles endring per år (blandet modell)",
    "mixed_ci_low": "Felles endring per år, 95 % KI nedre",
    "mixed_ci_high": "Felles endring per år, 95 % KI øvre",
    "mixed_p": "Felles endring per år, p-verdi",
    "spread_p": "Endring i spredningen, p-verdi",
    "median": "Median blant medlemmene",
    "p10": "10. persentil blant kommunene",
    "p25": "25. persentil blant kommunene",
    "p50": "Median blant kommunene",
    "p75": "75. persentil blant kommunene",
    "p90": "90. persentil blant kommunene",
    "q1": "Nedre kvartil blant medlemmene",
    "q3": "Øvre kvartil blant medlemmene",
    "code": "U4SSC-kode",
    "own_code": "Nettverkets egen indikator (kode)",
    "formula": "Beregning",
    "name_en": "Engelsk navn",
    "data_point": "Datapunkt",
    "direction": "Retning",
    "sdg_goals": "Bærekraftsmål",
    "network_target": "Nettverkets mål",
    "band": "Statusbånd",
    "map_value": "Verdi på kartet (fargeklassen i teksten)",
    "map_share_ge95": "Andel av indikatorene med mål som har nådd minst 95 % av målet (%)",
    "map_n_banded": "Indikatorer med mål og tall",
    "map_class_low": "Fargeklasse, nedre grense",
    "map_class_high": "Fargeklasse, øvre grense",
}

DOWNLOAD_TEXTS = {
    "local_target": "lokalt mål",
    "network_target": "nettverkets mål",
    "no_band": "uten mål eller tall",
    "median_of": "median av medlemmene av samme type",
    "median_towns": "median av kommunene",
    "trend_method": "Mann–Kendall-test",
    "ols": "minste kvadraters metode (OLS)",
    "robust_z": "(verdi − median) / (1,4826 · MAD), snudd så positiv er bedre",
    "slope_test": "regresjon, hver enhet sitt nivå; q etter Benjamini–Hochberg",
    "mixed": "blandet modell (REML)",
    "spread": "median og kvartiler blant medlemmene",
    "computed": "Beregnet av Bærekraftsnettverket",
    "catalog_source": "ITU, U4SSC-indikatorene (ITU-T Y.4903), indikatorkatalogen",
    "inferred": " (utledet av definisjonen)",
    "population_vintage": "1.1.{year}",
}

MONTHS = (
    "januar", "februar", "mars", "april", "mai", "juni",
    "juli", "august", "september", "oktober", "november", "desember",
)  # fmt: skip


def date_long(iso: str) -> str:
    """'2026-12-03' as a Norwegian reader writes it: '3. desember 2026' (the text itself when not a date)."""
    try:
        year, month, day = (int(p) for p in str(iso)[:10].split("-"))
        return f"{day}. {MONTHS[month - 1]} {year}"
    except (ValueError, IndexError):
        return str(iso)


#: The footer of every page (``_quarto.yml`` ``page-footer``, filled in by the build). ``{network}``,
#: ``{date}`` and ``{vintage}`` arrive escaped.
FOOTER = "{network} · U4SSC-indikatorer for smarte og bærekraftige byer · Sist oppdatert {date} · Dataversjon {vintage}"

#: The data page (reports/data.qmd includes what analysis.site.datapage writes from these).
DATA_PAGE = {
    "intro": (
        "Her kan du laste ned alle de bearbeidede tabellene som sidene er laget av: observasjonene, alle "
        "resultattabellene, indikatorkatalogen og enhetene (medlemmene). Hver tabell finnes som CSV (UTF-8 "
        "med BOM, komma som skilletegn, punktum som desimaltegn; åpnes direkte i Excel) og som Parquet (for R, "
        "Python og andre analyseverktøy). Beskrivelsen av hver kolonne står nedenfor og i datapakken "
        "`datapackage.json` ([Frictionless Data Package](https://datapackage.org/)), som også kan brukes til å "
        "sjekke filene maskinelt."
    ),
    "csv_note": (
        "I CSV-filene har en tekstcelle som begynner med `=`, `+`, `-`, `@`, tabulator eller vognretur fått en "
        "apostrof foran, slik at et regneark ikke kjører den som en formel. Parquet-filene har tekstene urørt."
    ),
    "pages_heading": "Tallene på hver side",
    "pages_intro": (
        "Hver kommune-, fylkes- og indikatorside og forsiden har en lenke «Last ned tallene på denne siden (CSV)». "
        "Fila har én rad per tall på siden: seriene bak hver figur (alle år), verdiene og fargeklassene på "
        "kartene, verdiene i tabellene, "
        "sammenligningen med nettverkets median, fylket og hele landet, målene, fremdriften etter alle fem "
        "metodene (siden viser bare Eurostats), og kilde og versjon på hver rad. Kolonnene:"
    ),
    "tables_heading": "Tabellene",
    "columns_heading": "Kolonnene i",
    "licence_heading": "Lisens og kilder",
    "build_heading": "Om denne versjonen",
    "file": "Fil",
    "rows": "Rader",
    "size": "Størrelse",
    "what": "Innhold",
    "column": "Kolonne",
    "type": "Type",
    "description": "Beskrivelse",
    "source": "Kilde",
    "licence": "Lisens",
    "code_version": "Kodeversjon",
    "data_digest": "Sjekksum for dataene (SHA-256)",
    "data_vintage": "Dataversjon",
    "built": "Sist oppdatert",
    "report_year": "Rapportår",
    "data_mode": "Data",
    "demo": "demonstrasjonsdata (genererte tall)",
    "ingested": "innleste data fra data/raw",
    "unknown_version": "ukjent (ikke bygget fra et git-arkiv)",
    "this_version": "Denne versjonen",
}

#: What each processed table holds (the data page and the data package's resource descriptions).
TABLES: dict[str, str] = {
    "observations": "Alle observasjoner: én rad per enhet, år og indikator, med verdi, SSB-symbol, kilde og versjon",
    "catalog": "Indikatorkatalogen: alle 112 U4SSC-datapunkter med navn, dimensjon, enhet og retning",
    "units": "Enhetene: medlemmene (kommuner og fylkeskommuner), deres fylker og hele landet",
    "targets": "Målene: nettverkets felles mål og medlemmenes lokale mål",
    "trends": "Trend per enhet og indikator: OLS, Theil–Sen og Mann–Kendall med vurdering",
    "status": "Status mot målet per enhet og indikator: andel av målet nådd og statusbånd",
    "progress": "Fremdrift mot målet per enhet og indikator, én rad per metode (fem metoder)",
    "comparisons": "Nivået sammenlignet med nettverket, fylket, landet og sammenligningsgruppen",
    "slope_tests": "Enhetens trend sammenlignet med resten av nettverket, med q-verdier",
    "network_trends": "Felles trend for nettverket per indikator (blandet modell) og endring i spredningen",
    "spread": "Spredningen mellom medlemmene per indikator og år (median, kvartiler, variasjonskoeffisient)",
}

#: The site's navigation (analysis/site/navigation.py): the sidebar's entries, the members and indicators
#: pages with their filters, and the breadcrumbs. ``{n}`` and ``{total}`` are filled in by the filter.
NAV = {
    "network": "Nettverket",
    "members": "Medlemmer",
    "indicators": "Indikatorer",
    "methods": "Metode",
    "about_data": "Om dataene",
    "data": "Last ned data",
    "members_description": "Alle medlemmene, ordnet etter fylke",
    "indicators_description": "Alle indikatorene med egen side, ordnet etter dimensjon",
    "members_intro": "Alle {total} medlemmene av nettverket, ordnet etter fylke. Hvert navn lenker til "
    "medlemmets side.",
    "indicators_intro": "Alle {total} indikatorene med egen side, ordnet etter dimensjon.",
    "members_filter": "Filtrer medlemmene (navn eller fylke)",
    "indicators_filter": "Filtrer indikatorene (navn eller kode)",
    "members_count": "{n} av {total} medlemmer vises",
    "indicators_count": "{n} av {total} indikatorer vises",
    "county_authority": "fylkeskommune",
    "breadcrumbs": "Brødsmulesti",
    "own": "nettverkets egen indikator",
}

#: The maps (analysis/pages/maps.py and the map functions of analysis/pages/content.py). ``{…}`` are filled in
#: escaped where they come from data.
MAPS = {
    "heading_network": "Medlemmene på kartet",
    "heading_indicator": "Medlemmene på kartet",
    "credit": "Kart: Kartverket (CC BY 4.0), grenser forenklet av robhop/fylker-og-kommuner",
    "credit_short": "Kart: Kartverket (CC BY 4.0)",
    "no_value": "Medlem uten tall",
    "no_target": "Medlem uten mål å måle mot",
    "non_member": "Ikke medlem",
    "darker_better": "mørkere er bedre",
    "darker_higher": "mørkere er høyere (ingen retning er bedre)",
    "status_legend": "Andel av indikatorene med mål\nsom har nådd minst 95 % av målet",
    "status_caption": (
        "Medlemmene på kartet over Norge, farget etter hvor stor andel av indikatorene med mål og tall som har "
        "nådd minst 95 % av målet (kolonnen «Status ≥ 95 %» i tabellen over delt på summen av de fire "
        "statuskolonnene). Mørkere er bedre. Fylkeskommuner er vist med hele fylket, kommunene oppå; små "
        "kommuner har i tillegg en prikk. Grå områder er ikke medlemmer; fylkesgrensene er tegnet inn."
    ),
    "status_alt": "Kart over Norge med {n} medlemmer farget etter andelen indikatorer som har nådd minst 95 % "
    "av målet.",
    "highest": "Høyest: {names} ({value}).",
    "lowest": "Lavest: {names} ({value}).",
    "none_with_value": "Ingen av medlemmene har et tall å vise.",
    "without_value": "Uten tall: {names}.",
    "value_caption": (
        "{kpi} ({unit}): medlemmenes siste verdi (kolonnen «Verdi» i tabellen under) på kartet over Norge. "
        "{classes} {direction} Fylkeskommuner er vist med hele fylket, kommunene oppå; små kommuner har i "
        "tillegg en prikk. Grå områder er ikke medlemmer; skraverte er medlemmer uten tall."
    ),
    "value_alt": "Kart over Norge med {kpi} for {n} medlemmer i {k} fargeklasser fra {low} til {high}.",
    "classes_quantile": "Fargene er {k} klasser med omtrent like mange medlemmer i hver; en verdi på en "
    "klassegrense hører til klassen over.",
    "classes_binary": "«Ja» og «nei» har hver sin farge.",
    "value_alt_none": "Kart over Norge over {kpi} for {n} medlemmer.",
    "direction_better": "Fargene er snudd etter indikatorens retning ({direction}), så mørkere alltid er bedre.",
    "direction_none": "Indikatoren har ingen fastsatt retning: mørkere er høyere.",
    "not_on_map": "Ikke på kartet (fantes ikke i {year}-grensene): {names}.",
    "table_summary": "Tallene på kartet",
    "col_unit": "Enhet",
    "col_value": "Verdi",
    "col_year": "År",
    "col_share": "Andel med minst 95 % av målet",
    "col_with_target": "Indikatorer med mål og tall",
    "col_class": "Fargeklasse",
    "share_classes": ("0–25 %", "25–50 %", "50–75 %", "75–100 %"),
    "binary_yes": "ja",
    "binary_no": "nei",
}

# --- words of analysis.pages.present, figures and content (read at call time through language.texts()) -----

#: Number format: thousands separator in text (a no-break space) and in figures (a thin space), decimal sign, and
#: what follows a percentage (a no-break space and the sign, as SSB writes it).
NUMBER = {"thousands": "\u00a0", "figure_thousands": "\u2009", "decimal": ",", "percent": "\u00a0%"}

#: A KPI's direction in words.
DIRECTIONS = {
    "higher_is_better": "høyere er bedre",
    "lower_is_better": "lavere er bedre",
    "binary": "ja/nei",
    "target_band": "nærmest målintervallet er best",
    "unknown": "retning ikke fastsatt",
}
#: SSB's symbols, named as on the methods page and in the submission template.
STATUS_SYMBOLS = {"..": "mangler", ":": "skjermet", ".": "ikke aktuelt"}
UNIT_TYPES = {"kommune": "Kommune", "fylke": "Fylkeskommune", "land": "Hele landet"}
#: A municipality's page title («Ålesund kommune»); a county is called by its name alone.
MEMBER_TITLE = "{name} kommune"

#: Where the catalog's texts come from: the page's column, the catalog's column, and the column used where it is
#: empty (an own indicator without ``name_en``).
CATALOG_COLUMNS = {
    "kpi_name": ("name_nb", "name_nb"),
    "kpi_unit": ("unit_nb", "unit_nb"),
    "kpi_dimension": ("dimension_nb", "dimension_nb"),
    "kpi_subdimension": ("subdimension_nb", "subdimension_nb"),
    "kpi_category": ("category_nb", "category_nb"),
}

#: The catalog's column an indicator page names as the KPI's name in the other language («Engelsk navn»).
OTHER_NAME_COLUMN = "name_en"

#: Notes the processing writes in bokmål (analysis/process/population.py: a population figure from before a split),
#: as the page says them.
DATA_NOTES = {
    "gjelder kommunen før delingen i 2024 (brudd i serien)": "gjelder kommunen før delingen i 2024 (brudd i serien)",
}

PRESENT = {
    "yes": "ja",
    "no": "nei",
    "local_target": "lokalt mål",
    "demo_title": "Demonstrasjonsdata",
    "demo_body": "Tallene på denne siden er **demonstrasjonsdata**: de er trukket tilfeldig (de samme hver gang "
    "rapporten lages) og viser hvordan rapporten ser ut, men sier ingenting om kommunenes faktiske bærekraft.",
}

#: Labels inside the figures (analysis.pages.figures).
FIGURES = {
    "no_band": "uten mål eller tall",
    "n_kpis": "Antall indikatorer",
    "share_achieved": "Andel av målet nådd",
    "the_unit": "Enheten",
    "network_median": "Nettverkets median",
    "target": "Mål",
    "p10_p90": "80 % av kommunene",
    "middle_half": "Midterste halvdel",
    "median": "Median",
    "the_town": "Kommunen",
    "other_towns": "De andre kommunene",
}

#: The headings and fixed sentences of the notebooks (notebooks/*.ipynb show them with content.heading and
#: content.section_intro).
HEADINGS = {
    "summary": "Sammendrag",
    "dimensions": "De tre dimensjonene",
    "all_kpis": "Alle indikatorer",
    "key_series": "Utviklingen for utvalgte indikatorer",
    "comparison": "Sammenlignet med resten av nettverket",
    "side_by_side": "Medlemmene side om side",
    "improving": "Der nettverket blir bedre",
    "worsening": "Der nettverket blir dårligere",
    "spread": "Nærmer medlemmene seg hverandre?",
    "all_units": "Utviklingen i kommunene",
    "members": "Medlemmene i rapportåret",
    "network_trend": "Nettverket som helhet",
}
INTROS = {
    "dimensions": "U4SSC-indikatorene er delt i tre dimensjoner: økonomi, miljø og samfunn og kultur. Figuren viser "
    "hvor mange indikatorer som har nådd ulike andeler av målet. Grå betyr at det mangler mål eller tall.",
    "all_kpis": "Siste verdi, målet og hvor stor andel av målet som er nådd, utviklingen over tid (trend) og "
    "fremdriften mot målet. Metodene er forklart på [metodesiden](../metode.html).",
    "heatmaps": "Fargekartene viser hver kommune mot medianen i nettverket for hver indikator i rapportåret, én "
    "figur per dimensjon.",
    "improving": "Indikatorer der den felles trenden for medlemmene (blandet modell med eget nivå for hver enhet) "
    "går i riktig retning med p < 0,05.",
    "worsening": "Indikatorer der den felles trenden går i feil retning med p < 0,05.",
}

#: The sentences, table headers, captions and alt texts of the pages (analysis.pages.content). ``{…}`` from data
#: arrive escaped where they land in Markdown (captions and alt texts are escaped as a whole).
PAGE = {
    # lists and ranges
    "and": "og",
    "n_of": "{n} av {total}",
    "range": "{value} ({low} til {high})",
    "no_numbers": "Ingen tall.",
    # a member's profile
    "fact_type": "Type",
    "fact_code": "Kode",
    "fact_county": "Fylke",
    "fact_peer_group": "Sammenligningsgruppe",
    "fact_population": "Folketall 1.1.{year}",
    "fact_small": "Små tall",
    "small_text": "Under {n} innbyggere: tall per innbygger kan svinge mye fra år til år og er usikre",
    "fact_breaks": "Brudd i serien",
    "fact_existed": "Fantes",
    "fact_reported": "Indikatorer med tall",
    "fact_years": "År med tall",
    "fact_with_target": "Indikatorer med mål",
    "fact_trends": "Bedring / forverring",
    "no_testable": "– (for få år til at en trend kan bli statistisk sikker)",
    # the three dimensions
    "dim_part": "{dim}: {good} av {total} indikatorer har nådd minst 95 % av målet",
    "dim_alt": "Stolpediagram for {name}. {parts}.",
    "dim_caption": "{name}: antall indikatorer i hvert statusbånd (andel av målet som er nådd) for de tre "
    "dimensjonene, siste år med tall til og med {year}.",
    # the table of every KPI
    "without_target": "{label} (uten mål)",
    "col_kpi": "Indikator",
    "col_year": "År",
    "col_value": "Verdi",
    "col_target": "Mål (år)",
    "col_status": "Status (andel av mål)",
    "col_trend": "Utvikling (Mann–Kendall)",
    "col_progress": "Fremdrift (Eurostat)",
    "col_slope": "Endring per år (OLS)",
    "col_robust_z": "Robust z",
    "dim_none": "Ingen tall rapportert for de {n} indikatorene i denne dimensjonen.",
    "not_reported": "Ikke rapportert ({n} av {total} indikatorer): {names}.",
    # the key figure
    "key_alt": "Linjediagrammer for {name} med nettverkets median og målet for {n} indikatorer. {described}.",
    "key_caption": "Utviklingen i {name} (blå) for utvalgte indikatorer, sammenlignet med medianen i nettverket "
    "(grå, stiplet) og målet (rødt, prikket).",
    # the comparison
    "col_network_median": "Nettverket (median)",
    "col_county": "Fylket",
    "col_nation": "Hele landet",
    "col_percentile": "Persentil",
    "col_z_better": "Robust z (positiv = bedre)",
    "no_direction_set": "ingen retning fastsatt",
    "better": "bedre enn resten",
    "weaker": "svakere enn resten",
    "none_differ": "Ingen av de {n} testede indikatorene har en utvikling i {name} som skiller seg sikkert fra "
    "resten av nettverket (q < 0,05 etter kontroll for mange samtidige tester).",
    "col_slope_unit": "Endring per år, {name}",
    "col_slope_rest": "Endring per år, resten",
    "col_diff": "Forskjell (95 % KI)",
    "col_q": "q-verdi",
    "col_assessment": "Vurdering",
    "differ_intro": "{n} av {total} testede indikatorer utvikler seg i {name} annerledes enn i resten av "
    "nettverket (q < 0,05):",
    "peers_towns": "kommunene",
    "peers_counties": "fylkeskommunene",
    "comparison_intro": "Nivået i sammenligningsåret (det siste året de fleste har tall for, normalt {year}) for de "
    "utvalgte indikatorene, sammenlignet med de andre {peers} i nettverket, fylket og hele landet der tallene "
    "finnes. Persentilen er andelen av enhetene med tall som {name} ligger bedre an enn (like verdier teller "
    "halvt); den robuste z-verdien er snudd slik at positiv betyr bedre.",
    "differ_heading": "Hvor skiller utviklingen seg ut?",
    "differ_text": "For hver indikator er endringen per år i {name} sammenlignet med endringen i resten av "
    "nettverket (regresjon der hver kommune har sitt eget nivå). Fordi over hundre indikatorer testes samtidig, "
    "er p-verdiene justert til q-verdier (Benjamini–Hochberg).",
    # the network's status table
    "col_member": "Enhet",
    "col_population": "Folketall",
    "col_status_band": "Status {band}",
    "col_improving": "Bedring",
    "col_worsening": "Forverring",
    "status_note": "«Bedring» og «Forverring» teller indikatorer med en statistisk sikker trend i ønsket eller "
    "motsatt retning; – betyr at enheten har for få år med tall til at en trend kan bli statistisk sikker.",
    # the heat maps
    "heat_left_out": " {n} av dimensjonens {total} indikatorer er utelatt fordi kommunene ikke har tall å "
    "sammenligne for dem.",
    "heat_columns_counties": "fylker",
    "heat_side_counties": "fylkene",
    "heat_colour_counties": "medianen av fylkets kommuners robuste z-verdi",
    "heat_columns_towns": "kommuner",
    "heat_side_towns": "kommunene",
    "heat_colour_towns": "robust z-verdi",
    "heat_alt": "Fargekart for {dimension} med {rows} indikatorer i rader og {cols} {columns} i kolonner; blått er "
    "bedre og rødt svakere enn nettverkets median. Høyest gjennomsnitt: {best}; lavest: {worst}.",
    "heat_caption": "{dimension}: {side_by_side} side om side i sammenligningsåret (det siste året de fleste har tall "
    "for, normalt {year}). Fargen er {colour} per indikator, (verdi − median) / (1,4826 · MAD), snudd slik at "
    "positiv alltid betyr bedre. Grå, skraverte celler mangler tall.{left_out}",
    "heat_scale": "robust z (positiv = bedre)",
    # the network's common trends
    "no_kpis": "Ingen indikatorer.",
    "col_dimension": "Dimensjon",
    "col_common_slope": "Felles endring per år (95 % KI)",
    "col_measure_unit": "Enhet",
    "col_p": "p-verdi",
    "col_spread": "Spredning mellom medlemmene",
    "spread_alt": "Linjediagrammer med median og interkvartilbredde blant medlemmene per år for: {titles}.",
    "spread_caption": "Spredningen mellom medlemmene over tid for indikatorene der den endrer seg tydeligst: median "
    "(linje) og midterste halvdel av medlemmene (skravert).",
    # page frames
    "in_county": "i {county}",
    "county_authority": "fylkeskommune",
    "unit_intro": "Denne siden viser hvordan {name} ({where}) ligger an på U4SSC-indikatorene for smarte og "
    "bærekraftige byer, med tall til og med {year}.",
    "download_pdf": "⬇ Last ned årsrapporten (PDF)",
    "download_csv": "⬇ Last ned tallene på denne siden (CSV)",
    "download_network_csv": "⬇ Last ned tallene for hele nettverket (CSV)",
    "summary_reported": "{name} har tall for {reported} av {total} indikatorer. {banded} av dem har et mål og et tall "
    "å måle mot: {ge95} har nådd minst 95\u00a0% av målet, og {lt33} har nådd under en tredjedel (siste år med "
    "tall til og med {year}).",
    "summary_trends": "Over tid går {better} indikatorer i ønsket retning og {worse} i feil retning, så tydelig at "
    "det ikke er tilfeldig (Mann–Kendall-test, {alpha} signifikansnivå).",
    "clearest_better": " Tydeligst bedring: {names}.",
    "clearest_worse": " Tydeligst forverring: {names}.",
    "no_trends": "Det er for få år med tall til at en trend kan bli statistisk sikker.",
    "summary_progress": "Målt mot målene er {on_track} av {judged} indikatorer i rute eller har nådd målet, og "
    "{away} går bort fra det (fremdrift etter Eurostats metode).",
    "town": "kommune",
    "towns": "kommuner",
    "county_member": "fylkeskommune",
    "county_members": "fylkeskommuner",
    "no_members": "ingen medlemmer",
    "network_intro": "{network} måler lokal bærekraft med FNs U4SSC-indikatorer for smarte og bærekraftige byer (91 "
    "indikatorer, 112 datapunkter, knyttet til de 17 bærekraftsmålene). Rapporten dekker {members} med tall til "
    "og med {year}. Velg en kommune eller et fylke i menyen for å se den enkelte enhetens side.",
    "sources": "**Kilde:** {sources} (versjon {vintages}). **Beregnet med** Bærekraftsnettverkets analysepakke "
    "(versjon {version}), Python {python} og pandas {pandas}.",
    # an indicator's page
    "target_by": "{target} innen {year}",
    "no_common_target": "ingen felles mål",
    "direction_inferred": " (utledet av definisjonen, ikke oppgitt av ITU)",
    "fact_u4ssc_code": "U4SSC-kode",
    "data_point": ", datapunkt {point}",
    "fact_other_name": "Engelsk navn",
    "fact_dimension": "Dimensjon",
    "fact_kind": "Type",
    "core": "Kjerneindikator",
    "advanced": "Avansert indikator",
    "fact_unit": "Enhet",
    "fact_direction": "Retning",
    "fact_sdgs": "Bærekraftsmål",
    "fact_network_target": "Nettverkets mål",
    "col_indicator_facts": "Indikator",
    "lowest_highest": "I {year} er verdien lavest i {low} ({low_value}) og høyest i {high} ({high_value}).",
    "target_dotted": ", nettverkets mål prikket.",
    "spread_fig_alt": "Linjediagram over fordelingen av {kpi} i {n} kommuner per år: medianen som linje, den "
    "midterste halvdelen og 80 % av kommunene som bånd. {extremes}",
    "spread_fig_caption": "{kpi}: medianen av kommunene (linje), den midterste halvdelen (mørkt bånd) og 80 % av "
    "kommunene (lyst bånd){goal} Tabellen under viser hver kommune.",
    "multiples_alt": "Små linjediagrammer, ett per kommune, over {kpi} for {n} kommuner per år. {extremes}",
    "multiples_caption": "{kpi}: hver kommune (blå) mot de andre kommunene (grå) og nettverkets median (stiplet){goal}",
    "no_common_trend": "Den felles trenden kunne ikke beregnes. {reason}",
    "right_direction": "i riktig retning",
    "wrong_direction": "i feil retning",
    "no_sure_direction": "uten en sikker retning (p ≥ 0,05 eller ingen fastsatt retning)",
    "common_trend": "Felles endring per år for medlemmene (blandet modell med eget nivå for hver enhet): "
    "**{slope}** (95 % KI {low} til {high}, {p}) {unit} — {reading}. Spredningen mellom medlemmene: {spread}.",
}

# --- the network's own and derived indicators (params/indicators.yaml) --------------------------------

OWN = {
    "label": "Nettverkets egen indikator",
    "group": "Nettverkets egne indikatorer",
    "marker": "nettverkets egen indikator",
    "source": "Kilde",
    "formula": "Beregning",
    "table_note": "Nettverkets egne indikatorer i tabellen, med kilde og beregning",
    "left_out": "Utelatt",
}
POPULATION = "innbyggertallet 1. januar samme år (SSB, tabell 07459, i dagens kommunegrenser)"


def formula_phrase(formula: str, names: dict[str, str]) -> str:
    """A derived indicator's formula as the page states it, in plain text (escaped where it lands):
    '«Klimagassutslipp» / folkemengde × 1 000 (folkemengde 1. januar samme år, SSB …)'."""
    from analysis.reference.indicators import PER_INHABITANTS, parse_formula

    kind, series = parse_formula(formula)
    if kind == "share":
        a, b = (names.get(s, s) for s in series)
        return f"«{a}» / «{b}» × 100 (prosent, samme enhet og år)"
    factor = f"{PER_INHABITANTS[kind]:,}".replace(",", "\xa0")
    return f"«{names.get(series[0], series[0])}» / folkemengde × {factor}, der folkemengden er {POPULATION}"


#: Above the list of values left out of a member's table (border changes).
LEFT_OUT_HEADING = "Verdier som ikke er med (grenseendringer)"

#: A value a border change left out (analysis/process/pipeline.py ``left_out_rows``), as the member's page says
#: it; keyed by the reason the pipeline records.
BORDER_LEFT_OUT = {
    "split": "verdien for {code} {name} ({year}) kan ikke føres over til dagens grenser: kommunen ble delt, og "
    "ingen del fører den videre (en andel kan ikke fordeles)",
    "merged": "verdien for {code} {name} ({year}) kan ikke føres over til dagens grenser: kommunen ble slått "
    "sammen med andre, og en andel eller rate kan ikke regnes om uten tallene for alle delene",
    "unknown": "verdien for {code} ({year}) har en kode som ikke finnes i kodelisten for året",
}


#: The «Kilder» section of member and indicator pages (analysis.pages.sources).
SOURCES = {
    "heading": "Kilder",
    "intro": "Tallene på denne siden kommer fra kildene under. CSV-filen for siden oppgir kilden for hvert "
    "enkelt tall.",
    "none": "Siden viser ingen tall.",
    "source": "Kilde",
    "vintage": "Versjon",
    "supplies_kpis": "Indikatorer",
    "supplies_members": "Medlemmer",
    "years": "År",
    "kpis": "{n} indikatorer",
    "members": "{n} medlemmer",
}
