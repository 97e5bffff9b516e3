"""The sentence pools the realistic writers speak in, one :class:`~.writer._Pool` each.

A sentence is ``opener + core + tail``: a core is a small function of the writer that
draws its own names and numbers, so a pool of a few dozen cores yields sentences that
rarely repeat.  Registers: clinical (monograph prose), pharmacokinetics, contraindications,
warnings, overdose, monitoring, storage, research results, mechanism (guides) and ward
notes.  Openers and tails are weighted toward the empty string: many sentences are bare.
"""

from __future__ import annotations

from .vocab import _MONTHS, _TOPICS
from .vocab_realistic import (
    _ASSAYS,
    _CELLS,
    _CYTOKINES,
    _DAYS,
    _DESIGNS,
    _ENDPOINTS,
    _ENZYMES,
    _FOOD,
    _FORMS,
    _FREQ,
    _LABS,
    _MODELS,
    _MORE_EFFECTS,
    _POPULATIONS,
    _REGIONS,
    _SERIOUS,
    _SPECIALTIES,
    _SURNAMES,
    _TARGETS,
    _WARDS,
)
from .writer import _a, _Pool

_CLIN_OPEN = [*[""] * 8, "In practice, ", "In clinical use, ", "According to the label, "]
_CLIN_OPEN += ["Generally, ", "For most patients, ", "Where possible, "]
_CLIN_TAIL = [*[""] * 8, " in most patients", ", particularly in the first month"]
_CLIN_TAIL += [" unless the prescriber advises otherwise", ", as for other drugs of this class"]
_RES_OPEN = [*[""] * 6, "Notably, ", "By contrast, ", "In a post hoc analysis, ", "Overall, "]
_RES_OPEN += [
    "In the pooled data, ",
    "As expected, ",
    "Importantly, ",
    "In a sensitivity analysis, ",
]
_RES_TAIL = [*[""] * 6, ", although the confidence interval was wide"]
_RES_TAIL += [", consistent with earlier reports", " after adjustment for baseline severity"]
_RES_TAIL += [", which was not statistically significant", " in the per-protocol population"]
_RES_TAIL += [", a finding replicated in an independent cohort"]
_RES_TAIL += [" across all prespecified subgroups", " (p < 0.05)"]
_NOTE_OPEN = [*[""] * 8, "Reminder: ", "FYI ", "Also, ", "NB: ", "Per handover, "]
_NOTE_TAIL = [*[""] * 8, " (see chart)", " - to confirm", " - done", " (ask pharmacy)", " today"]

_CLINICAL = _Pool(
    _CLIN_OPEN,
    [
        lambda w: (
            f"{w.drug} is prescribed for {w.cond} in {w.pick(_POPULATIONS)} when "
            f"first-line options are not tolerated"
        ),
        lambda w: f"the usual maintenance dose is {w.num(1, 40) * 5} mg {w.pick(_FREQ)}",
        lambda w: (
            f"{w.drug} reduced {w.cond} symptoms in {w.num(40, 900)} patients over "
            f"{w.num(4, 52)} weeks"
        ),
        lambda w: (
            f"the plasma half-life of {w.drug} is about {w.num(2, 96)} hours in "
            f"{w.pick(_POPULATIONS)}"
        ),
        lambda w: (
            f"patients should be monitored for {w.pick(_MORE_EFFECTS)} during the first "
            f"{w.num(2, 12)} weeks"
        ),
        lambda w: (
            f"co-administration with {w.pick(w.others)} raised exposure by about {w.num(10, 240)}%"
        ),
        lambda w: (
            f"{w.pick(_MORE_EFFECTS)} was reported in {w.pct()} of patients compared with "
            f"{w.pct()} on placebo"
        ),
        lambda w: f"{w.drug} should be stopped if {w.pick(_SERIOUS)} is suspected",
        lambda w: f"no dose adjustment is needed in {w.pick(_POPULATIONS)}",
        lambda w: (
            f"{w.drug} is not recommended for {w.pick(_POPULATIONS)} because data are "
            f"limited to {w.num(10, 300)} patients"
        ),
        lambda w: f"tapering over {w.num(2, 6)} weeks reduces the risk of rebound {w.cond}",
        lambda w: f"treatment response should be assessed after {w.num(2, 16)} weeks",
        lambda w: (
            f"patients switching from {w.pick(w.others)} can start {w.drug} the day after "
            f"the last dose"
        ),
        lambda w: (
            f"{w.drug} is typically a {w.pick(['first', 'second', 'third'])}-line option "
            f"in {w.pick(_REGIONS)} guidelines"
        ),
        lambda w: (
            f"adherence improves when the {w.pick(_FORMS)} is taken at the same time each day"
        ),
        lambda w: f"it has been used for {w.cond} since {w.num(1985, 2022)}",
    ],
    _CLIN_TAIL,
)
_PK = _Pool(
    _CLIN_OPEN,
    [
        lambda w: f"the plasma half-life is about {w.num(2, 96)} hours in {w.pick(_POPULATIONS)}",
        lambda w: (
            f"{w.drug} is metabolised mainly by {w.pick(_ENZYMES)} and excreted in the "
            f"{w.pick(['urine', 'faeces', 'bile'])}"
        ),
        lambda w: f"peak concentrations are reached {w.num(2, 8)} hours after an oral dose",
        lambda w: f"bioavailability is {w.num(8, 98)}% and is {w.pick(_FOOD)}",
        lambda w: f"protein binding is about {w.num(20, 99)}%",
        lambda w: f"the volume of distribution is {w.num(10, 900)} L",
        lambda w: f"steady state is reached after {w.num(2, 14)} days of dosing",
        lambda w: (
            f"{w.pick(_POPULATIONS)} had {w.num(12, 80)}% higher exposure than healthy volunteers"
        ),
        lambda w: f"about {w.num(1, 60)}% of a dose is excreted unchanged",
        lambda w: f"the onset of action is within {w.num(1, 12)} hours of the first dose",
    ],
    _CLIN_TAIL,
)
_CONTRA = _Pool(
    [""],
    [
        lambda w: f"hypersensitivity to {w.drug} or to any of the excipients",
        lambda w: f"severe hepatic impairment (Child-Pugh {w.pick(['B', 'C'])})",
        lambda w: f"creatinine clearance below {w.num(10, 30)} mL/min",
        lambda w: (
            f"concomitant use of {w.pick(w.others)} or other strong {w.pick(_ENZYMES)} inhibitors"
        ),
        lambda w: f"a history of {w.pick(_SERIOUS)}",
        lambda w: f"children younger than {w.num(2, 12)} years",
        lambda w: f"pregnancy, especially the {w.pick(['first', 'second', 'third'])} trimester",
        lambda w: f"active {w.pick(['infection', 'bleeding', 'malignancy', 'liver disease'])}",
    ],
    [""],
)
_WARN = _Pool(
    _CLIN_OPEN,
    [
        lambda w: (
            f"{w.drug} may cause {w.pick(_MORE_EFFECTS)}; advise patients not to drive until "
            "they know how it affects them"
        ),
        lambda w: f"cases of {w.pick(_SERIOUS)} have been reported; stop treatment at once",
        lambda w: f"use with caution in {w.pick(_POPULATIONS)}",
        lambda w: (
            f"check {w.pick(_LABS)[0].lower()} before starting and after {w.num(2, 12)} weeks"
        ),
        lambda w: (
            f"the risk of {w.pick(_MORE_EFFECTS)} rises with doses above {w.num(4, 40) * 5} mg"
        ),
        lambda w: f"abrupt withdrawal may cause rebound {w.cond}",
        lambda w: f"the {w.pick(_FORMS)} contains lactose and sodium",
    ],
    _CLIN_TAIL,
)
_OVERDOSE = _Pool(
    _CLIN_OPEN,
    [
        lambda w: (
            f"symptoms include {w.pick(_MORE_EFFECTS)}, {w.pick(_MORE_EFFECTS)} and, at high "
            f"doses, {w.pick(_SERIOUS)}"
        ),
        lambda w: "there is no specific antidote; treatment is supportive",
        lambda w: f"activated charcoal may help if given within {w.num(1, 4)} hours",
        lambda w: f"haemodialysis removes about {w.num(5, 60)}% of the drug",
        lambda w: f"monitor the ECG for at least {w.num(6, 48)} hours after ingestion",
        lambda w: f"doses above {w.num(10, 100) * 10} mg have been fatal in adults",
    ],
    _CLIN_TAIL,
)
_MONITOR = _Pool(
    _CLIN_OPEN,
    [
        lambda w: f"{w.pick(_LABS)[0]} at baseline and every {w.num(2, 12)} weeks",
        lambda w: f"blood pressure and heart rate at each visit for the first {w.num(2, 8)} weeks",
        lambda w: f"symptom scores for {w.cond} after {w.num(4, 16)} weeks",
        lambda w: f"signs of {w.pick(_SERIOUS)}, especially in {w.pick(_POPULATIONS)}",
        lambda w: f"body weight every {w.num(1, 6)} months",
        lambda w: f"trough levels when {w.pick(w.others)} is added or stopped",
    ],
    [""],
)
_RESEARCH = _Pool(
    _RES_OPEN,
    [
        lambda w: (
            f"in trial {w.uid}-{w.num(1, 999)}, {w.pct()} of patients on {w.drug} reached "
            f"the primary endpoint compared with {w.pct()} on {w.pick(w.others)}"
        ),
        lambda w: (
            f"{w.drug} inhibited {w.pick(_CYTOKINES)} release from {w.pick(_CELLS)} with an "
            f"IC50 of {w.num(1, 950)} nM"
        ),
        lambda w: (
            f"in {w.pick(_MODELS)}, {w.drug} reduced {w.pick(_CYTOKINES)} levels by "
            f"{w.num(10, 90)}% as measured by {w.pick(_ASSAYS)}"
        ),
        lambda w: (
            f"{_a(w.pick(_DESIGNS))} of {w.num(30, 4000)} {w.pick(_POPULATIONS)} reported "
            f"{w.pick(_ENDPOINTS)} as the primary outcome"
        ),
        lambda w: (
            f"the {w.pick(_TOPICS)} of {w.drug} was assessed at doses of {w.num(1, 40) * 5} mg"
        ),
        lambda w: (
            f"{w.pick(w.others)} showed a numerically higher response ({w.pct()} versus "
            f"{w.pct()}) at week {w.num(4, 52)}"
        ),
        lambda w: (
            f"the odds ratio for {w.pick(_ENDPOINTS)} was {w.num(105, 390) / 100:.2f} "
            f"(95% CI {w.num(100, 150) / 100:.2f} to {w.num(151, 480) / 100:.2f})"
        ),
        lambda w: (
            f"discontinuation due to adverse events occurred in {w.pct()} of the {w.drug} arm"
        ),
        lambda w: (
            f"heterogeneity across the {w.num(3, 40)} included studies was moderate "
            f"(I2 = {w.num(20, 75)}%)"
        ),
        lambda w: f"the number needed to treat was {w.num(3, 25)} over {w.num(8, 104)} weeks",
        lambda w: (
            f"exposure-response modelling supported a {w.num(1, 40) * 5} mg {w.pick(_FREQ)} regimen"
        ),
        lambda w: (
            f"{w.pick(_MORE_EFFECTS)} and {w.pick(_MORE_EFFECTS)} were the most frequent "
            f"treatment-emergent events"
        ),
        lambda w: (
            f"the effect on {w.pick(_ENDPOINTS)} was maintained through week "
            f"{w.num(24, 156)} in the extension phase"
        ),
        lambda w: (
            f"these data position {w.drug} as an alternative to {w.pick(w.others)} for {w.cond}"
        ),
        lambda w: (
            f"long-term use did not increase the rate of {w.pick(_SERIOUS)} "
            f"({w.num(0, 9)} events per {w.num(1, 9) * 1000} patient-years)"
        ),
        lambda w: (
            f"the mean change in {w.pick(_ENDPOINTS)} was {w.num(-60, -5)}% with {w.drug} "
            f"and {w.num(-40, 5)}% with placebo"
        ),
        lambda w: (
            f"{w.num(30, 95)}% of the {w.num(40, 3000)} enrolled patients completed "
            f"{w.num(12, 104)} weeks of follow-up"
        ),
        lambda w: (
            f"dose-dependent effects were seen between {w.num(1, 10) * 5} and "
            f"{w.num(11, 60) * 5} mg"
        ),
        lambda w: (
            f"{w.pick(_SURNAMES)} and colleagues found no difference in {w.pick(_ENDPOINTS)} "
            f"between {w.drug} and {w.pick(w.others)}"
        ),
        lambda w: (
            f"responders had lower baseline {w.pick(_CYTOKINES)} concentrations than non-responders"
        ),
    ],
    _RES_TAIL,
)
_MECHANISM = _Pool(
    _RES_OPEN,
    [
        lambda w: (
            f"{w.drug} blocks {w.pick(_TARGETS)}, which lowers {w.pick(_CYTOKINES)} "
            f"signalling in {w.pick(_CELLS)}"
        ),
        lambda w: (
            f"binding to {w.pick(_TARGETS)} prevents downstream activation of "
            f"{w.pick(_CYTOKINES)} and {w.pick(_CYTOKINES)}"
        ),
        lambda w: (
            f"{w.drug} inhibited {w.pick(_CYTOKINES)} release from {w.pick(_CELLS)} with an "
            f"IC50 of {w.num(1, 950)} nM"
        ),
        lambda w: (
            f"in {w.pick(_MODELS)}, {w.drug} reduced {w.pick(_CYTOKINES)} levels by "
            f"{w.num(10, 90)}% as measured by {w.pick(_ASSAYS)}"
        ),
        lambda w: (
            f"selectivity for {w.pick(_TARGETS)} over {w.pick(_TARGETS)} exceeded "
            f"{w.num(10, 900)}-fold"
        ),
        lambda w: f"{w.drug} binds {w.pick(_TARGETS)} with a Kd of {w.num(1, 900)} nM",
        lambda w: f"the resulting complex reduces activation of {w.pick(_CELLS)}",
    ],
    _RES_TAIL,
)
_STORAGE = _Pool(
    [""],
    [
        lambda w: f"store the {w.pick(_FORMS)} below {w.num(20, 30)} degrees C",
        lambda w: (
            f"keep the {w.pick(_FORMS)} in the original pack to protect it from "
            f"{w.pick(['light', 'moisture', 'heat'])}"
        ),
        lambda w: f"discard opened containers after {w.num(2, 12)} weeks",
        lambda w: f"do not freeze; if frozen, the {w.pick(_FORMS)} must be discarded",
        lambda w: (
            f"keep out of the reach of children and use before the expiry date on the "
            f"{w.pick(['carton', 'blister', 'label'])}"
        ),
    ],
    [""],
)
_NOTES = _Pool(
    _NOTE_OPEN,
    [
        lambda w: f"{w.pick(_WARDS)} asked whether {w.drug} can be crushed for the NG tube",
        lambda w: (
            f"bed {w.num(1, 40)} started {w.drug} {w.num(1, 30) * 5} mg yesterday; "
            f"recheck {w.pick(_LABS)[0]} tomorrow"
        ),
        lambda w: (
            f"pharmacy confirmed stock of the {w.pick(_FORMS)} until the end of {w.pick(_MONTHS)}"
        ),
        lambda w: f"document {w.pick(_MORE_EFFECTS)} on the chart at each round",
        lambda w: f"the consultant prefers {w.pick(w.others)} for {w.pick(_POPULATIONS)}",
        lambda w: (
            f"{w.pick(_SURNAMES)} from {w.pick(_SPECIALTIES)} will review the plan on "
            f"{w.pick(_DAYS)}"
        ),
        lambda w: f"the audit found {w.num(2, 40)} charts without a documented indication",
        lambda w: f"teaching session on {w.cond} booked for {w.pick(_DAYS)} at {w.num(8, 17)}:00",
        lambda w: f"switching from {w.pick(w.others)} needs a washout of {w.num(1, 14)} days",
        lambda w: f"patient reported {w.pick(_MORE_EFFECTS)} after dose {w.num(2, 9)}",
        lambda w: (
            f"trend for {w.pick(_LABS)[0]} is {w.pick(['up', 'down', 'flat', 'erratic'])} "
            f"over the last {w.num(2, 10)} days"
        ),
        lambda w: f"the checklist needs a line for {w.pick(_SERIOUS)} screening",
        lambda w: f"bed {w.num(1, 40)}: {w.drug} held overnight because of {w.pick(_MORE_EFFECTS)}",
        lambda w: (
            f"{w.pick(_SURNAMES)} wants {w.drug} levels drawn before the {w.num(6, 11)}:00 dose"
        ),
        lambda w: f"discharge letter for bed {w.num(1, 40)} must list the {w.drug} taper",
        lambda w: (
            f"family of bed {w.num(1, 40)} asked about {w.drug} and "
            f"{w.pick(['driving', 'alcohol', 'travel', 'missed doses', 'cost', 'school'])}; "
            f"{w.pick(['leaflet given', 'pharmacist to call back', 'discussed at the bedside'])}"
        ),
        lambda w: (
            f"{w.pick(_LABS)[0]} {w.num(1, 200)} this morning, down from {w.num(1, 200)} "
            f"on {w.pick(_DAYS)}"
        ),
        lambda w: f"night team gave an extra {w.num(1, 10) * 5} mg at {w.num(0, 5)}:30",
        lambda w: f"order more {w.pick(_FORMS)} stock before the long weekend",
        lambda w: f"compare with the {w.pick(w.others)} protocol used on {w.pick(_WARDS)}",
        lambda w: f"the interpreter is booked for bed {w.num(1, 40)} on {w.pick(_DAYS)}",
        lambda w: f"{w.cond} clinic moved to {w.pick(_DAYS)} afternoons from {w.pick(_MONTHS)}",
        lambda w: f"physio says mobility is {w.pick(['better', 'unchanged', 'worse'])} on {w.drug}",
        lambda w: f"guideline update due in {w.pick(_MONTHS)}: check the {w.drug} section",
    ],
    _NOTE_TAIL,
)
