"""The topics each fixture draft is about, judged by hand from the taxonomy's descriptions
(not copied from the tagger's output): the gold standard for precision and recall."""

from __future__ import annotations

GOLD: dict[str, dict[str, set[str]]] = {
    "briefing": {
        "2023-03-09-energy-ministers-of-ukraine-and-moldova-signed-the.md":
            {"energy-grid", "diplomacy"},
        "2023-03-10-belarusian-prosecutor-told-the-court-which.md": {"belarus"},
        "2023-03-10-new-exchange-of-prisoners-took-place-under-a-deal.md": set(),
        "2023-03-10-poland-will-send-a-third-package-of-military-aid.md": {"aid"},
        "2023-03-10-port-authorities-in-odesa-said-one-berth-had.md":
            {"drones", "air-defence", "casualties"},
        "2023-03-10-russias-defence-ministry-claimed-its-forces-had.md": {"frontline"},
        "2023-03-10-scientists-count-the-wars-toll-on-black-sea.md": set(),
        "2023-03-10-volunteers-in-lviv-open-a-winter-shelter-for.md": {"civilian-life"},
    },
    "html": {
        "2023-03-14-first-convoy-of-the-week-leaves-odesa.md": set(),
        "2023-03-14-minesweepers-clear-the-shipping-lane.md": set(),
        "2023-03-14-three-grain-ships-left-odesas-ports-on-tuesday.md": set(),
    },
    "liveblog": {
        "2023-02-08-drone-debris-damages-odesa-market-stalls.md": {"drones", "air-defence"},
        "2023-02-13-latest-figures-on-russian-losses.md": {"casualties"},
        "2023-02-14-germany-pledges-more-money-for-air-defence.md": {"aid", "air-defence"},
        "2023-02-14-power-cuts-scheduled-in-four-regions.md": {"energy-grid"},
        "2023-02-14-three-killed-in-tuesdays-strike-on-zaporizhzhia.md":
            {"strikes", "casualties"},
        "2023-02-15-belarusian-troops-begin-snap-readiness-drills.md": {"belarus"},
        "2023-02-15-city-officials-said-on-wednesday-that-schools.md":
            {"energy-grid", "civilian-life"},
        "2023-02-15-foreign-ministers-to-meet-in-vienna.md": {"diplomacy"},
        "2023-02-15-kharkiv-heating-plant-hit-overnight.md": {"energy-grid", "strikes"},
        "2023-02-15-shelling-reported-across-the-border-in-belgorod.md": {"strikes", "frontline"},
        "2023-02-15-volunteers-hand-out-generators-in-kherson.md":
            {"energy-grid", "aid", "civilian-life"},
    },
    "markdown": {
        "2023-02-23-belarusian-exiles-lay-flowers-in-vilnius.md": {"belarus"},
        "2023-02-24-alert-lifted-without-strikes-in-the-capital.md": {"air-defence"},
        "2023-02-24-ceremonies-were-held-in-cities-across-ukraine-to.md": {"civilian-life"},
        "2023-02-24-zelensky-thanks-allies-in-anniversary-address.md": {"aid"},
    },
    "page-roundup": {
        "2023-08-15-russias-central-bank-raised-its-key-interest-rate.md": {"economy"},
        "2023-08-16-ukraines-military-said-its-forces-had-recaptured.md": {"frontline"},
        "2023-08-17-netherlands-and-denmark-said-on-thursday-they-had.md": {"aid"},
        "2023-08-17-russian-drones-struck-grain-silos-in-the-danube.md": {"drones", "strikes"},
    },
    "page-liveblog": {
        "2024-02-05-germanys-chancellor-meets-baltic-leaders.md": {"diplomacy"},
        "2024-02-06-japan-sets-aside-money-for-demining-equipment.md": {"aid"},
        "2024-02-06-parliament-extends-martial-law-by-ninety-days.md": {"military-command"},
        "2024-02-06-two-injured-as-shells-hit-sumy.md": {"strikes", "casualties"},
    },
    "page-wire": {
        "2023-09-22-russian-installed-authorities-in-crimea-said-a.md": {"strikes"},
        "2023-09-25-ukraines-foreign-minister-asked-european-union.md":
            {"air-defence", "diplomacy"},
        "2023-09-26-russian-drones-hit-port-buildings-in-odesa.md": {"drones", "strikes"},
    },
    "page-single": {
        "2023-11-26-power-returns-to-zaporizhzhia-villages-after-six.md":
            {"energy-grid", "strikes", "frontline"},
    },
    "plain": {
        "2023-01-20-lviv-bakery-becomes-a-night-shelter-during-power.md":
            {"energy-grid", "civilian-life"},
    },
    "plain-dateline": {
        "2023-03-13-missile-strike-knocks-out-power-to-lutsk.md":
            {"energy-grid", "strikes", "casualties"},
    },
    "plain-single": {
        "2023-12-17-flooded-villages-near-kherson-begin-to-dry-out.md": {"civilian-life"},
    },
    "sections-md": {
        "2023-09-06-ukrainian-units-said-they-pushed-russian-troops.md": {"frontline"},
        "2023-09-07-denmark-and-norway-announced-a-joint-package-of.md": {"aid"},
        "2023-09-07-european-union-released-1-5-billion-euros-of.md": {"aid"},
        "2023-09-07-russian-missile-hit-an-apartment-block-in-kharkiv.md":
            {"strikes", "casualties"},
        "2023-09-08-air-force-said-it-downed-21-of-25-attack-drones.md":
            {"drones", "air-defence"},
        "2023-09-08-foreign-ministers-of-the-black-sea-states-are-due.md": {"diplomacy"},
    },
    "sections-paragraphs": {
        "2023-10-17-grain-exports-through-the-new-black-sea-route.md": {"economy"},
        "2023-10-18-russian-forces-kept-up-assaults-on-the-industrial.md": {"frontline"},
        "2023-10-18-ukrenergo-finished-repairing-two-high-voltage.md": {"energy-grid"},
        "2023-10-19-navy-said-a-sea-drone-damaged-a-russian-patrol.md": {"drones"},
    },
    "stamped-md": {
        "2023-06-18-grain-ship-runs-aground-near-izmail.md": set(),
        "2023-06-19-defence-ministers-will-meet-in-brussels-on.md":
            {"air-defence", "aid", "diplomacy"},
        "2023-06-19-energy-ministry-lifts-emergency-power-cuts.md": {"energy-grid"},
        "2023-06-19-lukashenko-says-russian-warheads-have-reached.md": {"belarus", "nuclear"},
        "2023-06-20-drones-hit-a-warehouse-district-outside-kyiv.md": {"drones", "air-defence"},
        "2023-06-20-former-envoy-recalls-the-minsk-agreements.md": {"diplomacy"},
        "2023-06-20-portugal-and-spain-promise-a-further-batch-of.md": {"aid"},
    },
    "stamped-dash": {
        "2023-05-23-poland-announces-new-ammunition-package.md": {"aid"},
        "2023-05-23-russian-missile-hit-a-printing-house-in-kharkiv.md": {"strikes", "casualties"},
        "2023-05-23-sirens-across-the-east.md": {"air-defence"},
    },
    "sections-leadins": {
        "2023-05-23-brussels-paid-out-1-5-billion-euros-to-kyiv-on.md": {"aid"},
        "2023-05-23-russian-forces-attacked-the-citys-northern-edge-on.md": {"frontline"},
        "2023-05-24-shelling-damaged-a-hospital-and-two-shops.md": {"strikes"},
    },
    "stamped-text": {
        "2023-05-11-air-force-says-12-drones-downed-over-the-south.md":
            {"drones", "air-defence", "iran"},
        "2023-05-11-zelensky-thanks-nordic-leaders-for-budget-support.md": {"aid"},
        "2023-05-12-istanbul-talks-end-without-a-deal-on-grain.md": {"diplomacy"},
        "2023-05-12-missiles-damage-grain-warehouses-in-odesa-port.md": {"strikes", "casualties"},
        "2023-05-12-rail-line-to-kherson-repaired.md": {"strikes", "frontline"},
        "2023-05-12-slovakia-pledges-a-further-batch-of-fighter-jets.md": {"aid"},
        "2023-05-12-volunteers-reopen-a-school-kitchen-in-volyn.md": {"civilian-life"},
    },
}
