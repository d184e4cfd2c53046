"""Plain-Norwegian (bokmål) texts for the methods page, plus Norwegian labels for result codes.

``SECTIONS`` maps a key to ``(title, markdown)``; :func:`methods_markdown` joins them into one
page body. ``LABELS_NB`` and ``REASONS_NB`` translate the codes in the result tables
(``verdict``, ``band``, ``progress_class``, ``convergence``, ``reason``) for tables and badges.
The texts describe exactly what ``analysis.stats.trends``, ``analysis.stats.status``, ``analysis.stats.progress``
and ``analysis.stats.compare`` compute, and how ``analysis.pages.present`` rounds the shares of the target;
change them together. Section ``deviations`` lists every place where the code departs from the literal
published formulas (``tests/test_pages.py`` checks that each is named).
"""

from __future__ import annotations

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
LABELS_NB: dict[str, str] = {
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
REASONS_NB: dict[str, str] = {
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


def section(key: str) -> str:
    """One section as Markdown with a level-2 heading."""
    title, body = SECTIONS[key]
    return f"## {title}\n\n{body}"


def methods_markdown(keys: list[str] | None = None) -> str:
    """The methods page body: the chosen sections (all, in order) as Markdown."""
    keys = list(SECTIONS) if keys is None else keys
    return "\n".join(section(k) for k in keys)


def label(code: str) -> str:
    """Norwegian label of a result code (the code itself if unknown)."""
    return LABELS_NB.get(code, code)


def reason_nb(code: str) -> str:
    """Norwegian text of a reason code or a ``;``-separated list of codes."""
    if not code:
        return ""
    return " ".join(REASONS_NB.get(c, c) for c in str(code).split(";"))


#: How the methods page names each choice of params/methods.yaml.
METHOD_SETTING_LABELS_NB = {
    "alpha": "Signifikansnivå for alle tester (tosidig)",
    "min_points": "Minste antall år med verdier for en trendtest",
    "coverage_share": "Et sammenligningsår må ha verdier for minst denne andelen av enhetene i det best dekte året",
    "slope_model": "Modell for å sammenligne en enhets trend med nettverkets",
    "slope_group": "Gruppen en enhets trend sammenlignes med",
    "small_population": "Under så mange innbyggere merkes tall per innbygger som usikre",
}
METHOD_VALUES_NB = {
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
            return f"{value:,}".replace(",", "\u202f")
        return METHOD_VALUES_NB.get(value, str(value))

    rows = [f"| {METHOD_SETTING_LABELS_NB.get(k, k)} | {shown(v)} | `{k}` |" for k, v in methods.items()]
    return (
        "\n## Valg i denne rapporten\n\nStatistikken på nettstedet er beregnet med disse valgene "
        "(fila `params/methods.yaml`):\n\n| Valg | Verdi | Navn i fila |\n|---|---|---|\n" + "\n".join(rows) + "\n"
    )


#: The site's navigation (analysis/site/navigation.py): the sidebar's entries, the members and indicators
#: pages with their filters, and the breadcrumbs. ``{n}`` and ``{total}`` are filled in by the filter.
NAV_NB = {
    "network": "Nettverket",
    "members": "Medlemmer",
    "indicators": "Indikatorer",
    "methods": "Metode",
    "about_data": "Om dataene",
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
}
