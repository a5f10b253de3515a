from translocal import words


def test_words_follow_the_numbers():
    assert words.significance(0.049) == "statistically significant"
    assert words.significance(0.05) == "not statistically significant"
    assert words.sign(-0.2) == "negative" and words.sign(0.3, "higher", "lower") == "higher"
    assert words.association(0.5, 0.01, "more", "less") == "more"
    assert words.association(-0.5, 0.01, "more", "less") == "less"
    assert words.association(0.5, 0.2, "more", "less") == "no clear association"
    assert words.interval_word(0.1, 2) == "excludes zero" and words.interval_word(-0.1, 2) == "includes zero"
    assert words.stable([1.0, 1.1, 0.95]) and not words.stable([1.0, -0.1]) and not words.stable([1.0, 2.0])
    assert words.count_phrase(0, "miss", "misses") == "no miss"
    assert words.count_phrase(1, "municipality", "municipalities") == "1 municipality"
    assert words.count_phrase(1200, "municipality", "municipalities") == "1,200 municipalities"


def test_findings_read_right_for_every_sign_and_significance():
    assert words.finding(0.8, 0.001) == "are more likely to build stronger assemblages"
    assert words.finding(-0.8, 0.001) == "are less likely to build stronger assemblages"
    assert words.finding(0.8, 0.2) == "show no clear difference in assemblage strength"
    # population change: a negative coefficient means that losing population goes with more
    assert words.finding(-0.2, 0.01, reverse=True) == "are more likely to build stronger assemblages"
