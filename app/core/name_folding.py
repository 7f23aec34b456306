"""The one fold that names are compared by: search's words (search_text.fold_words, and
so `label:`'s label_key), the order names are listed in and completion
(name_order.accent_free), and the "differs only in accents" question of the label and
teach dialogs (label_names). Case, accents, full-width letters and ligatures are set
aside, and so are the letters that are no base letter plus an accent, which a Danish,
Polish, German or Icelandic user types plainly ("Kobenhavn", "Lodz", "Strasse",
"Thingvellir" for "København", "Łódź", "Straße", "Þingvellir"), as "Zurich" is typed
for "Zürich". Japanese kana keep their voicing marks ("ガ" is not "カ") and Korean its
syllables: those marks and jamo are letters there, not accents.

Scripts written without spaces between words (Chinese, Japanese, Thai, Lao, Khmer,
Myanmar, and Korean's compounds) have no word boundaries to find: `word_units` makes each
of their letters a word of its own, so a searched run of them, a phrase of those words,
is found anywhere in a name ("旅行" in "京都旅行", "閣寺" in "金閣寺"), not only at its start.

In the scripts of India and Southeast Asia (Devanagari, Tamil, Thai, Khmer…) the combining
marks are no accents: a vowel sign, a virama or a Thai tone mark is part of the word as it
is typed ("मंदिर", "ที่"), so they stay in it (MARKED_SCRIPTS), where an accent elsewhere goes.
A zero-width joiner or non-joiner there (ශ්‍රී, "Sri", as Sinhala keyboards type it; क्‍ष)
only picks a glyph's shape, and many type the word without it: it is dropped, so both
spellings are one word (JOINERS).
"""

from __future__ import annotations

import re
import unicodedata

# Letters NFKD leaves whole (no base letter plus an accent), as people write them
# without their keyboard's letter: ß needs none (case folding makes it "ss").
PLAIN_LETTERS = str.maketrans({
    "ø": "o", "ł": "l", "æ": "ae", "œ": "oe", "đ": "d", "ð": "d", "þ": "th", "ı": "i", "ħ": "h", "ŧ": "t",
    "ĸ": "k",
})
# Kana voicing marks (dakuten, handakuten): letters of their own, kept and composed back.
KANA_VOICING = frozenset("\u3099\u309a")
# Runs NFKD takes apart that are composed back: Hangul syllables (from their jamo), and
# kana with their voicing marks (also the half-width ones, which NFKD makes full-width).
COMPOSED_BACK = re.compile("[\u1100-\u11ff\u3040-\u30ff\ua960-\ua97f\ud7b0-\ud7ff]+")
# The letters of scripts written without spaces between words: CJK ideographs, kana,
# Bopomofo, Hangul, Thai, Lao, Myanmar, Khmer (each a word of its own in word_units).
UNSPACED = (
    "\u0e00-\u0eff\u1000-\u109f\u1100-\u11ff\u1780-\u17ff\u19e0-\u19ff\u2e80-\u2fdf\u3005-\u3007"
    "\u3021-\u3029\u3031-\u3035\u3038-\u303c\u3040-\u30ff\u3100-\u312f\u3130-\u318f\u31a0-\u31bf"
    "\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f\ua9e0-\ua9ff\uaa60-\uaa7f\uac00-\ud7ff"
    "\uf900-\ufaff\uff66-\uffdc\U0001b000-\U0001b16f\U00020000-\U0003134f\U00031350-\U000323af"
)
# The blocks of the scripts whose combining marks are letters of the word (vowel signs,
# viramas, tone marks): the Indic scripts, Sinhala, Thai, Lao, Tibetan, Myanmar, the
# Philippine scripts, Khmer, Limbu, Buginese, Tai Tham, Balinese to Lepcha, Vedic signs,
# Syloti Nagri, Saurashtra, Devanagari Extended, Kayah Li to Javanese, Myanmar Extended,
# Cham, Tai Viet, Meetei Mayek, and the historic Brahmic scripts (Brahmi to Dives Akuru).
MARKED_SCRIPTS = (
    "\u0900-\u0dff\u0e00-\u0eff\u0f00-\u0fff\u1000-\u109f\u1700-\u17ff\u1900-\u194f\u1a00-\u1aaf"
    "\u1b00-\u1c4f\u1cd0-\u1cff\ua800-\ua82f\ua880-\ua8ff\ua900-\ua9df\ua9e0-\uaaff\uabc0-\uabff"
    "\U00011000-\U00011aff"
)
_MARKED_SCRIPT = re.compile(f"[{MARKED_SCRIPTS}]")
# ZWNJ and ZWJ after a letter or mark of MARKED_SCRIPTS: a glyph's shape, not a word break.
JOINERS = re.compile(f"(?<=[{MARKED_SCRIPTS}])[\u200c\u200d]+")


def _marks_of_marked_scripts() -> str:
    """The combining marks (Mn, Mc) of MARKED_SCRIPTS, as a regex class's ranges."""
    marks = [code for first, last in _ranges(MARKED_SCRIPTS) for code in range(first, last + 1)
             if unicodedata.category(chr(code)) in ("Mn", "Mc")]
    runs: list[list[int]] = []
    for code in marks:
        if runs and runs[-1][1] == code - 1:
            runs[-1][1] = code
        else:
            runs.append([code, code])
    return "".join(chr(a) if a == b else f"{chr(a)}-{chr(b)}" for a, b in runs)


def _ranges(char_class: str) -> list[tuple[int, int]]:
    """The (first, last) code points of a character class made of "a-b" ranges only."""
    return [(ord(char_class[i]), ord(char_class[i + 2])) for i in range(0, len(char_class), 3)]


# A mark kept in its word (a vowel sign, virama, tone mark of MARKED_SCRIPTS).
WORD_MARKS = _marks_of_marked_scripts()
# A word: one letter of an unspaced script with its marks, or a run of other letters,
# digits and such marks (the characters FTS5's unicode61 tokenizer takes as a word's with
# Mn and Mc among its categories since schema migration 40, so its tokens are these).
WORD_UNIT = re.compile(rf"(?=[^\W_])[{UNSPACED}][{WORD_MARKS}]*|(?:[^\W_{UNSPACED}]|[{WORD_MARKS}])+")


def fold_letters(text: str) -> str:
    """`text` with case, accents, full-width forms, ligatures and the letters of
    PLAIN_LETTERS folded ("Łódź Straße" gives "lodz strasse"); spaces and punctuation stay."""
    if text.isascii():
        return text.lower()  # (the same as below for ASCII, at a fraction of the cost)
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed
                    if not unicodedata.combining(ch) or ch in KANA_VOICING or _MARKED_SCRIPT.match(ch))
    plain = COMPOSED_BACK.sub(lambda run: unicodedata.normalize("NFC", run.group()), plain)
    plain = JOINERS.sub("", plain)
    return plain.casefold().translate(PLAIN_LETTERS)


def word_units(folded: str) -> list[str]:
    """The words of a folded text: runs of letters and digits, each letter of an unspaced
    script (UNSPACED) a word of its own ("京都旅行2019" gives 京, 都, 旅, 行, 2019)."""
    return WORD_UNIT.findall(folded)
