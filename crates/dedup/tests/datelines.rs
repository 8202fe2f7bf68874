//! Real-world dateline shapes against `masthead_normalize::split_dateline`.
//!
//! Input: lead paragraphs in the shapes wire services and syndication sites use (AP, Reuters,
//! AFP, UPI, dpa, CP, PR Newswire, Big News Network), and openings that look like datelines
//! but are not (labels, acronyms, a name and a colon). Output: pass/fail per case. Cases that
//! `split_dateline` gets wrong are listed in `KNOWN_FAILURES` (none today):
//! `known_failures_listed` prints expected against got without failing, and
//! `known_failures_fixed` asserts them. Shapes collected from wire copy; the leads after them
//! are invented.

use masthead_normalize::split_dateline;

/// (lead, expected dateline, expected rest). The dateline is the place only: agency tags and
/// dates are dropped, as the teaser prints `DATELINE: lead…`.
const CASES: &[(&str, Option<&str>, &str)] = &[
    // AP
    (
        "WASHINGTON (AP) — The Senate voted on Tuesday",
        Some("WASHINGTON"),
        "The Senate voted on Tuesday",
    ),
    (
        "WASHINGTON, D.C. (AP) - The Senate voted",
        Some("WASHINGTON, D.C."),
        "The Senate voted",
    ),
    (
        "NEW YORK (AP) — Stocks fell",
        Some("NEW YORK"),
        "Stocks fell",
    ),
    (
        "UNITED NATIONS (AP) — The Security Council voted",
        Some("UNITED NATIONS"),
        "The Security Council voted",
    ),
    (
        "CAPE CANAVERAL, Fla. (AP) — NASA launched a probe",
        Some("CAPE CANAVERAL, Fla."),
        "NASA launched a probe",
    ),
    (
        "REDDING, Calif. (AP) — A wildfire forced",
        Some("REDDING, Calif."),
        "A wildfire forced",
    ),
    (
        "LITTLE ROCK, Ark. (AP) — Lawmakers approved",
        Some("LITTLE ROCK, Ark."),
        "Lawmakers approved",
    ),
    (
        "ST. LOUIS (AP) — A jury found",
        Some("ST. LOUIS"),
        "A jury found",
    ),
    (
        "WINSTON-SALEM, N.C. (AP) — Police said",
        Some("WINSTON-SALEM, N.C."),
        "Police said",
    ),
    (
        "COEUR D'ALENE, Idaho (AP) — A wildfire",
        Some("COEUR D'ALENE, Idaho"),
        "A wildfire",
    ),
    (
        "O'FALLON, Mo. (AP) — A school",
        Some("O'FALLON, Mo."),
        "A school",
    ),
    (
        "HONOLULU (AP) — A tsunami watch",
        Some("HONOLULU"),
        "A tsunami watch",
    ),
    (
        "SALT LAKE CITY (AP) — Utah's governor",
        Some("SALT LAKE CITY"),
        "Utah's governor",
    ),
    (
        "MEXICO CITY (AP) — Mexico's president",
        Some("MEXICO CITY"),
        "Mexico's president",
    ),
    (
        "JERUSALEM (AP) — Israel's cabinet",
        Some("JERUSALEM"),
        "Israel's cabinet",
    ),
    (
        "SAN JUAN, Puerto Rico (AP) — Power was restored",
        Some("SAN JUAN, Puerto Rico"),
        "Power was restored",
    ),
    (
        "PORT-AU-PRINCE, Haiti (AP) — Gangs attacked",
        Some("PORT-AU-PRINCE, Haiti"),
        "Gangs attacked",
    ),
    (
        "VATICAN CITY (AP) — Pope Leo XIV said",
        Some("VATICAN CITY"),
        "Pope Leo XIV said",
    ),
    (
        "THE HAGUE, Netherlands (AP) — Judges at the court",
        Some("THE HAGUE, Netherlands"),
        "Judges at the court",
    ),
    (
        "GAZA CITY, Gaza Strip (AP) — Aid trucks",
        Some("GAZA CITY, Gaza Strip"),
        "Aid trucks",
    ),
    (
        "FORT LAUDERDALE, Fla. (AP) — A flight",
        Some("FORT LAUDERDALE, Fla."),
        "A flight",
    ),
    (
        "TEL AVIV, Israel (AP) — Thousands marched",
        Some("TEL AVIV, Israel"),
        "Thousands marched",
    ),
    (
        "WEST LAFAYETTE, Ind. (AP) — Purdue said",
        Some("WEST LAFAYETTE, Ind."),
        "Purdue said",
    ),
    (
        "ARLINGTON, Va. (AP) — The Pentagon said",
        Some("ARLINGTON, Va."),
        "The Pentagon said",
    ),
    // Reuters
    (
        "LONDON (Reuters) - Britain's economy grew",
        Some("LONDON"),
        "Britain's economy grew",
    ),
    (
        "NEW YORK (Reuters) — Oil prices fell",
        Some("NEW YORK"),
        "Oil prices fell",
    ),
    (
        "TOKYO (Reuters) - Japan's Nikkei rose",
        Some("TOKYO"),
        "Japan's Nikkei rose",
    ),
    (
        "SÃO PAULO (Reuters) - Brazil's real weakened",
        Some("SÃO PAULO"),
        "Brazil's real weakened",
    ),
    (
        "HONG KONG (Reuters) - Shares rose",
        Some("HONG KONG"),
        "Shares rose",
    ),
    (
        "KYIV (Reuters) - Russia launched drones",
        Some("KYIV"),
        "Russia launched drones",
    ),
    (
        "LONDON, March 3 (Reuters) - Prices rose",
        Some("LONDON"),
        "Prices rose",
    ),
    (
        "WASHINGTON, Jan 15 (Reuters) - The Fed said",
        Some("WASHINGTON"),
        "The Fed said",
    ),
    (
        "FRANKFURT, Aug. 7 (Reuters) - The ECB said",
        Some("FRANKFURT"),
        "The ECB said",
    ),
    (
        "BEIJING/SHANGHAI, July 1 (Reuters) - China's factories",
        Some("BEIJING/SHANGHAI"),
        "China's factories",
    ),
    (
        "WASHINGTON/LONDON (Reuters) - The two governments",
        Some("WASHINGTON/LONDON"),
        "The two governments",
    ),
    // AFP, UPI, dpa, EFE, CP, CNN
    (
        "Paris (AFP) - France's government fell",
        Some("Paris"),
        "France's government fell",
    ),
    (
        "Kyiv (AFP) – Ukraine said on Monday",
        Some("Kyiv"),
        "Ukraine said on Monday",
    ),
    (
        "WASHINGTON, March 3 (UPI) -- The House passed",
        Some("WASHINGTON"),
        "The House passed",
    ),
    (
        "BERLIN (dpa) - Germany's economy shrank",
        Some("BERLIN"),
        "Germany's economy shrank",
    ),
    (
        "MADRID (EFE) - Spain's parliament",
        Some("MADRID"),
        "Spain's parliament",
    ),
    (
        "TORONTO, Ontario (CP) — Canada's banks",
        Some("TORONTO, Ontario"),
        "Canada's banks",
    ),
    (
        "WASHINGTON (CNN) — The president said",
        Some("WASHINGTON"),
        "The president said",
    ),
    // Big News Network and syndication sites
    (
        "KYIV, Ukraine: Talks between Ukraine and the United States",
        Some("KYIV, Ukraine"),
        "Talks between Ukraine and the United States",
    ),
    (
        "WASHINGTON, D.C.: The Trump administration is in early talks",
        Some("WASHINGTON, D.C."),
        "The Trump administration is in early talks",
    ),
    (
        "FRANKFORT, Kentucky: Heavy rain over several days",
        Some("FRANKFORT, Kentucky"),
        "Heavy rain over several days",
    ),
    (
        "FRANKFORT/JACKSON: Heavy rain over several days",
        Some("FRANKFORT/JACKSON"),
        "Heavy rain over several days",
    ),
    (
        "SÃO PAULO — Brazil's real weakened",
        Some("SÃO PAULO"),
        "Brazil's real weakened",
    ),
    (
        "SÃO PAULO, Brazil: Brazil's real weakened",
        Some("SÃO PAULO, Brazil"),
        "Brazil's real weakened",
    ),
    (
        "ST. PETERSBURG, Russia: Witkoff left",
        Some("ST. PETERSBURG, Russia"),
        "Witkoff left",
    ),
    (
        "BEIJING, China: China's exports rose",
        Some("BEIJING, China"),
        "China's exports rose",
    ),
    (
        "NEW DELHI, India: India's central bank",
        Some("NEW DELHI, India"),
        "India's central bank",
    ),
    (
        "PORT OF SPAIN, Trinidad and Tobago: Heavy rain",
        Some("PORT OF SPAIN, Trinidad and Tobago"),
        "Heavy rain",
    ),
    (
        "ABU DHABI, UAE: The Emirates said",
        Some("ABU DHABI, UAE"),
        "The Emirates said",
    ),
    (
        "RIO DE JANEIRO, Brazil: Police said",
        Some("RIO DE JANEIRO, Brazil"),
        "Police said",
    ),
    (
        "DAR ES SALAAM, Tanzania: The government said",
        Some("DAR ES SALAAM, Tanzania"),
        "The government said",
    ),
    (
        "N'DJAMENA, Chad: Officials said",
        Some("N'DJAMENA, Chad"),
        "Officials said",
    ),
    (
        "KUALA LUMPUR, Malaysia: Malaysia's king",
        Some("KUALA LUMPUR, Malaysia"),
        "Malaysia's king",
    ),
    (
        "WASHINGTON, D.C., United States: The agency said",
        Some("WASHINGTON, D.C., United States"),
        "The agency said",
    ),
    (
        "MOSCOW, Russia, March 3: The Kremlin said",
        Some("MOSCOW, Russia"),
        "The Kremlin said",
    ),
    // Newspaper styles: dash only
    (
        "WASHINGTON — President Trump said",
        Some("WASHINGTON"),
        "President Trump said",
    ),
    (
        "LOS ANGELES – Firefighters said",
        Some("LOS ANGELES"),
        "Firefighters said",
    ),
    ("CHICAGO -- Police said", Some("CHICAGO"), "Police said"),
    (
        "OTTAWA — Canada's prime minister",
        Some("OTTAWA"),
        "Canada's prime minister",
    ),
    (
        "SYDNEY, Australia -- Shares slid",
        Some("SYDNEY, Australia"),
        "Shares slid",
    ),
    (
        "LUBBOCK, Texas — A measles outbreak",
        Some("LUBBOCK, Texas"),
        "A measles outbreak",
    ),
    // Press-release wires
    (
        "NEW YORK, March 3, 2025 /PRNewswire/ -- Acme Corp. announced",
        Some("NEW YORK"),
        "Acme Corp. announced",
    ),
    (
        "LONDON, UK, 3 March 2025 /PRNewswire/ -- Acme plc said",
        Some("LONDON, UK"),
        "Acme plc said",
    ),
    // Not datelines: labels, acronyms, names with a colon, ordinary openings
    ("BREAKING: Fire downtown forces evacuations", None, ""),
    ("UPDATE: The council met again on Tuesday", None, ""),
    ("UPDATE 1-Oil prices rise on supply worries", None, ""),
    ("EXCLUSIVE: Inside the minerals talks", None, ""),
    ("ANALYSIS: Why the Fed is waiting", None, ""),
    ("WATCH: Video shows the flood", None, ""),
    ("PHOTOS: Flooding in Kentucky", None, ""),
    ("EDITOR'S NOTE: This story was corrected", None, ""),
    ("READ MORE: Other stories from the region", None, ""),
    ("FACT CHECK: The claim is false", None, ""),
    ("John Smith: I never said that", None, ""),
    ("Zelenskyy: Ukraine will not cede territory", None, ""),
    ("Trump: Tariffs will stay in place", None, ""),
    ("Mr. Powell: Rates will stay high", None, ""),
    ("Q&A: What the ruling means", None, ""),
    ("COVID-19: Cases rise again", None, ""),
    ("(CNN) — The president said", None, ""),
    ("U.S. stocks fell on Monday", None, ""),
    ("KYIV-based analysts said the talks", None, ""),
    ("OK, so here is what happened: we left", None, ""),
    ("The GOP: a party divided", None, ""),
    ("US, China agree to talks: officials", None, ""),
    ("NASA: The agency said its probe is healthy", None, ""),
    ("FBI: Suspect was known to police", None, ""),
    ("WHO: Measles cases doubled last year", None, ""),
    ("IMF: Global growth to slow", None, ""),
    ("UN: Aid convoy reaches the city", None, ""),
    ("CEO: We will cut jobs", None, ""),
    ("GDP: Growth slows in third quarter", None, ""),
    ("LIVE UPDATES: Election night in Denver", None, ""),
    ("SPOILER ALERT: The finale", None, ""),
    ("MORE: Council votes on budget", None, ""),
];

/// Cases `split_dateline` gets wrong, by lead (none today); each is in `CASES` with what it
/// should give.
const KNOWN_FAILURES: &[&str] = &[];

fn expected(case: &(&str, Option<&str>, &str)) -> (Option<String>, String) {
    let (input, dateline, rest) = *case;
    match dateline {
        Some(d) => (Some(d.to_owned()), rest.to_owned()),
        None => (None, input.trim().to_owned()),
    }
}

#[test]
fn enough_shapes() {
    let datelines = CASES.iter().filter(|c| c.1.is_some()).count();
    let negatives = CASES.len() - datelines;
    assert!(datelines >= 50, "{datelines} dateline shapes");
    assert!(negatives >= 20, "{negatives} false-positive cases");
    for k in KNOWN_FAILURES {
        assert!(
            CASES.iter().any(|c| c.0 == *k),
            "known failure not in CASES: {k}"
        );
    }
}

#[test]
fn dateline_shapes_that_pass() {
    let mut wrong = Vec::new();
    for case in CASES.iter().filter(|c| !KNOWN_FAILURES.contains(&c.0)) {
        let got = split_dateline(case.0);
        if got != expected(case) {
            wrong.push(format!(
                "{:?}: expected {:?}, got {:?}",
                case.0,
                expected(case),
                got
            ));
        }
    }
    assert!(wrong.is_empty(), "new failures:\n{}", wrong.join("\n"));
}

#[test]
fn known_failures_listed() {
    for case in CASES.iter().filter(|c| KNOWN_FAILURES.contains(&c.0)) {
        let got = split_dateline(case.0);
        let state = if got == expected(case) {
            "now passes"
        } else {
            "fails"
        };
        println!(
            "{state}: {:?}\n  expected {:?}\n  got      {:?}",
            case.0,
            expected(case),
            got
        );
    }
}

#[test]
fn known_failures_fixed() {
    for case in CASES.iter().filter(|c| KNOWN_FAILURES.contains(&c.0)) {
        assert_eq!(split_dateline(case.0), expected(case), "{}", case.0);
    }
}
