"""Carrier detection from a waybill number: ranked candidates, the seller's mix as a prior, the sandbox."""

import random
import re

import pytest

from fahuo.carriers import detect
from fahuo.carriers.detect import Candidate

# Every sample in FORMATS.md "Tracking-number patterns", with the carrier of its row.
FORMATS_SAMPLES = [
    ("SF1385628716739", "SF"),
    ("73610555582883", "ZTO"),
    ("YT8962646785389", "YTO"),
    ("773277027280336", "STO"),
    ("463431409940372", "YUNDA"),
    ("JDX024407261700", "JD"),
    ("1207119765021", "EMS"),
    ("JT5261988016578", "JTSD"),
    ("DPK202252612836", "DBKD"),
]


@pytest.mark.parametrize("number, code", FORMATS_SAMPLES)
def test_every_formats_sample_detects_to_its_carrier_first(number, code):
    assert detect.detect(number)[0].code == code
    assert detect.matches(code, number)


@pytest.mark.parametrize(
    "number, code",
    [("JDVA11408814483", "JD"), ("JT0006968326954", "JTSD"), ("1240921381750", "EMS"), ("FH000000000001", "DEMO")],
)
def test_other_source_samples_detect_too(number, code):
    assert detect.detect(number)[0].code == code


def test_every_sample_in_the_data_file_fits_its_own_pattern():
    for p in detect.patterns():
        for s in p.samples:
            assert re.fullmatch(p.regex, detect.normalise(s)), (p.regex, s)


@pytest.mark.parametrize(
    "raw, clean",
    [
        ("sf1385628716739", "SF1385628716739"),
        ("SF 1385 6287 16739", "SF1385628716739"),
        ("7736-1055-5582-883", "773610555582883"),
        ('="773277027280336"', "773277027280336"),
        ("'773277027280336", "773277027280336"),
        ("\tＹＴ８９６２６４６７８５３８９ ", "YT8962646785389"),
        ("JT—5261988016578", "JT5261988016578"),
    ],
)
def test_normalise_strips_spaces_dashes_excel_quoting_and_upper_cases(raw, clean):
    assert detect.normalise(raw) == clean


def test_lower_case_and_spaced_numbers_still_detect():
    assert detect.detect("sf 1385-6287-16739")[0].code == "SF"
    assert detect.detect("yt8962646785389")[0].code == "YTO"


def test_an_ambiguous_13_digit_number_gives_several_candidates_best_first():
    # given a 13-digit number that fits EMS, 邮政快递包裹 and 韵达's permissive family
    # when it is detected without a prior
    got = detect.detect("1207119765021")
    # then all three come back, ranked by pattern specificity
    assert got == [
        Candidate("EMS", 0.7, r"1[0-2]\d{11}"),
        Candidate("POSTB", 0.5, r"[981]\d{12}"),
        Candidate("YUNDA", 0.2, r"\d{13}"),
    ]


def test_the_sellers_carrier_mix_reorders_the_candidates():
    # given a seller who sends most parcels by 邮政快递包裹
    prior = {"POSTB": 80, "ZTO": 20}
    # when the same ambiguous number is detected with that prior
    got = detect.detect("1207119765021", prior)
    # then 邮政 comes first; carriers the seller never uses keep a tenth of their score
    assert [c.code for c in got] == ["POSTB", "EMS", "YUNDA"]
    assert got[0].score == pytest.approx(0.5 * (0.1 + 0.9 * 0.8))
    assert got[1].score == pytest.approx(0.7 * 0.1)


def test_a_prior_breaks_the_sto_yunda_overlap_toward_the_carrier_the_seller_uses():
    number = "432542035598773"  # 43 + 13 digits: 申通 (77|43) and 韵达 [34] both fit
    assert [c.code for c in detect.detect(number)] == ["STO", "YUNDA"]
    assert [c.code for c in detect.detect(number, {"YUNDA": 0.9, "STO": 0.1})] == ["YUNDA", "STO"]
    assert [c.code for c in detect.detect(number, {"STO": 0.5, "YUNDA": 0.5})] == ["STO", "YUNDA"]


def test_an_empty_or_all_zero_prior_is_no_prior():
    assert detect.detect("1207119765021", {}) == detect.detect("1207119765021")
    assert detect.detect("1207119765021", {"SF": 0}) == detect.detect("1207119765021")


def test_a_letter_prefix_is_not_outranked_by_any_prior():
    assert detect.detect("SF1385628716739", {"ZTO": 1.0}) == [Candidate("SF", 0.1, r"SF[A-Z0-9]\d{12}")]


@pytest.mark.parametrize("number", ["", "   ", "5685685685685685", "ABC", "SF12", "订单123"])
def test_numbers_that_fit_no_pattern_give_no_candidate(number):
    assert detect.detect(number) == []
    assert detect.best(number) is None


def test_matches_flags_a_number_that_cannot_be_the_chosen_carriers():
    assert detect.matches("ZTO", "73610555582883")
    assert not detect.matches("SF", "73610555582883")
    assert not detect.matches("YTO", "SF1385628716739")
    assert detect.matches("sf".upper(), "sf1385628716739")
    assert not detect.matches("NOPE", "SF1385628716739")


def test_sandbox_numbers_detect_only_as_the_sandbox():
    # given sandbox numbers across the whole range, FH + 12 digits
    rng = random.Random(3)
    numbers = ["FH000000000000", "FH999999999999"] + [f"FH{rng.randrange(10**12):012d}" for _ in range(2000)]
    for n in numbers:
        # then only the sandbox carrier claims them
        assert detect.detect(n) == [Candidate("DEMO", 1.0, r"FH\d{12}")]
        assert not any(detect.matches(code, n) for code in ("SF", "ZTO", "YTO", "STO", "YUNDA", "JD", "EMS", "POSTB", "JTSD", "DBKD"))


def test_no_real_pattern_matches_the_sandbox_prefix_followed_by_digits():
    # a real pattern must not match any string beginning with "FH": check every real pattern against
    # FH followed by digits of every length a waybill number has
    for p in detect.patterns():
        if p.carrier == "DEMO":
            continue
        for length in range(6, 25):
            assert not re.fullmatch(p.regex, "FH" + "0" * length), p.regex
            assert not re.fullmatch(p.regex, "FH" + "9" * length), p.regex


def test_bad_pattern_data_is_refused_at_load():
    with pytest.raises(detect.PatternDataError, match="unknown carrier"):
        detect.load_patterns('[[pattern]]\ncarrier = "XX"\nregex = "X"\nspecificity = 1.0\n')
    with pytest.raises(detect.PatternDataError, match="does not match"):
        detect.load_patterns('[[pattern]]\ncarrier = "SF"\nregex = "SF\\\\d{3}"\nspecificity = 1.0\nsamples = ["SF12"]\n')
    with pytest.raises(detect.PatternDataError, match="capturing"):
        detect.load_patterns('[[pattern]]\ncarrier = "SF"\nregex = "(SF)"\nspecificity = 1.0\n')


def test_the_combined_regex_agrees_with_detect():
    rx = detect.combined_regex()
    for number, _ in FORMATS_SAMPLES:
        assert rx.fullmatch(number)
    assert rx.fullmatch("5685685685685685") is None
