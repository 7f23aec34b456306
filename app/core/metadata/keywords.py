"""The keyword policy: which values our keyword fields get.

The user's own keywords are always kept. When a photo's label changes we remove
only the keyword we wrote before (the write journal remembers it) and add the new
one, so a hand-typed keyword that happens to match a landmark is never lost
because of us unless we wrote it. Confidence and model never go into keywords.

digiKam reads its tags from the first field that holds any, in its default order
digiKam:TagsList, MicrosoftPhoto:LastKeywordXMP, lr:hierarchicalSubject, …, dc:subject,
IPTC Keywords (its DMetadataSettingsContainer::defaultTagValues and getItemTagsPath), so
a TagsList already there gets `Landmarks/<name>` by the same policy, and so does a
LastKeywordXMP (Windows writes it with System.Keywords, digiKam with its tags); we never
create either, and one holding no tag starts from the tags digiKam read past it. An
lr:hierarchicalSubject we create starts from the photo's plain keywords as
top-level entries, as Lightroom keeps them there (`Animal` beside `Animal|Mammal`):
holding `Landmarks|<name>` alone, it would hide from digiKam every keyword of a photo
tagged in Windows Explorer, Picasa, Photo Mechanic or a phone app, which write none.
"""

from __future__ import annotations

import unicodedata
from dataclasses import asdict, dataclass, replace

from app.core.metadata.iptc import iptc_keyword
# the matching rules live in keyword_match; callers import them from here too
from app.core.metadata.keyword_match import (KeywordSet, OursSet, holds_a_keyword, holds_keyword, is_keyword,
                                             keyword_form, ours_form, spelt_form, without_keyword)

HIERARCHY_ROOT = "Landmarks"
FIELD_NAMES = ("subject", "hierarchical", "iptc", "xp", "digikam", "microsoft", "taught")
SIDECAR_FIELDS = ("subject", "hierarchical", "digikam", "microsoft", "taught")
# Fields written only where the file has them already: a write never creates one.
# XPKeywords neither: Windows reads dc:subject first and merges it with IPTC and XPKeywords
# (its System.Keywords policy), so a copy we created would only go stale where a program
# writing XMP (Lightroom, digiKam) changes the keywords, and Windows would still show it.
ONLY_WHEN_PRESENT = frozenset({"digikam", "microsoft", "xp"})


@dataclass(frozen=True)
class KeywordFields:
    """The fields we own; None means the field is absent from the file."""

    subject: list[str] | None = None  # XMP dc:subject
    hierarchical: list[str] | None = None  # XMP lr:hierarchicalSubject
    iptc: list[str] | None = None  # IPTC 2:25 Keywords
    xp: list[str] | None = None  # EXIF XPKeywords
    digikam: list[str] | None = None  # XMP digiKam:TagsList (an rdf:Seq of "Parent/Child")
    microsoft: list[str] | None = None  # XMP MicrosoftPhoto:LastKeywordXMP (an rdf:Bag, "Parent/Child" to digiKam)
    taught: list[str] | None = None  # XMP landmarkTagger:Teaches, ours alone: no keyword (taught_field.py)

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> KeywordFields:
        return cls(**{name: data.get(name) for name in FIELD_NAMES})

    def only(self, names: tuple[str, ...]) -> KeywordFields:
        """A copy that keeps just the named fields (sidecars hold only the XMP ones)."""
        return KeywordFields(**{name: getattr(self, name) for name in names})


FIELD_TITLES = {
    "subject": "XMP dc:subject", "hierarchical": "XMP lr:hierarchicalSubject",
    "iptc": "IPTC Keywords", "xp": "EXIF XPKeywords", "digikam": "XMP digiKam:TagsList",
    "microsoft": "XMP MicrosoftPhoto:LastKeywordXMP", "taught": "XMP landmarkTagger:Teaches",
}


def describe_difference(got: KeywordFields, wanted: KeywordFields) -> str:
    """Which fields read back otherwise than written, as a person reads them."""
    def listed(values: list[str] | None) -> str:
        return ", ".join(f'"{value}"' for value in values) if values else "nothing"

    return "; ".join(
        f"{FIELD_TITLES[name]} holds {listed(getattr(got, name))} instead of {listed(getattr(wanted, name))}"
        for name in FIELD_NAMES
        if getattr(got, name) != getattr(wanted, name)
    )


def hierarchical_keyword(label: str) -> str:
    """`Landmarks|<label>`; a `|` inside the label would add a level, so it becomes `/`."""
    return f"{HIERARCHY_ROOT}|{label.replace('|', '/')}"


def digikam_tag(label: str) -> str:
    """`Landmarks/<label>`: digiKam's tag path; a `/` inside the label would add a level,
    so it becomes `|` (as hierarchical_keyword does the other way round)."""
    return f"{HIERARCHY_ROOT}/{label.replace('/', '|')}"


def xp_keyword(label: str) -> str:
    """XPKeywords separates keywords with `;`, so a `;` inside a label becomes `,`."""
    return label.replace(";", ",")


def _swap(
    values: list[str] | None,
    olds: set[str],
    new: str | None,
    empty_is_absent: bool,
    separated: bool = False,
    theirs: tuple[list[str] | None, ...] = (),
    new_spellings: set[str] = frozenset(),
) -> list[str] | None:
    """`values` without the `olds` and with `new`, every other item byte for byte.
    `separated`: the items are the parts of a `;`-separated text (XPKeywords), whose
    style a new keyword follows; where taking ours out leaves the user's own parts
    (one of `theirs`: as they were before we wrote) but for empty ones, those come back
    as they were: our keyword went into the empty part of "Family; ". An item that is
    one of `new_spellings` (see field_spellings) is `new` already and stays as it is."""
    news = {new, *new_spellings} if new is not None else set()
    # an old keyword spelt as the new one stays; one in another letter case is re-cased
    new_forms = {spelt_form(spelling) for spelling in news}
    # ours as we spelt it (ours_form): the user's look-alike with an invisible character stays
    olds_found = OursSet(old for old in olds if spelt_form(old) not in new_forms)
    result = [item for item in values or [] if item not in olds_found]
    removed = len(result) < len(values or [])
    for own in theirs if separated and removed else ():
        if own and _worded(result) == _worded(own):
            result = list(own)
            break
    spelt_new = KeywordSet(news)
    if new is not None and not any(item in spelt_new for item in result):
        result = _appended(result, new) if separated else [*result, new]
    if not any(item.strip() for item in result) and (values is None or empty_is_absent or removed):
        return None  # emptied by us: see label_fields for when an empty field stays
    return result


def _worded(parts: list[str]) -> list[str]:
    return [part for part in parts if part.strip()]


def _appended(parts: list[str], keyword: str) -> list[str]:
    """`parts` of a separated text with `keyword` added in their style: into a trailing
    empty part ("Family; " gets "Family; Louvre"), else after "; " when every part after
    the first starts with a space, else after ";"."""
    if parts and not parts[-1].strip():
        return [*parts[:-1], parts[-1] + keyword]
    spaced = len(parts) > 1 and all(part.startswith(" ") for part in parts[1:] if part.strip())
    return [*parts, (" " if spaced else "") + keyword]


_CONVERTERS = {
    "subject": lambda label: label,
    "hierarchical": hierarchical_keyword,
    "iptc": iptc_keyword,
    "xp": xp_keyword,
    "digikam": digikam_tag,
    "microsoft": digikam_tag,  # digiKam reads it as tag paths split at "/", as TagsList
    "taught": lambda label: label,  # the place the photo teaches: set by the plan, not label_fields
}


def field_keyword(name: str, label: str) -> str:
    """The keyword `label` is written as in field `name` (two labels can give one:
    "AC|DC Tower" and "AC/DC Tower" in lr:hierarchicalSubject)."""
    return _CONVERTERS[name](label)


def field_spellings(name: str, label: str) -> set[str]:
    """The keywords that stand for `label` in field `name`: field_keyword's and, in IPTC,
    where a long label is cut at 64 bytes, its cuts in both Unicode forms. A macOS tool
    writes it decomposed (NFD: "é" is "e" + U+0301, a byte longer), so its cut falls on
    another character than ours, and compared in one form (keyword_form) the two differ."""
    spellings = {field_keyword(name, label)}
    if name == "iptc":
        spellings.update(iptc_keyword(unicodedata.normalize(form, keyword_form(label))) for form in ("NFC", "NFD"))
    return spellings


def names_landmark(keyword: str, label: str) -> bool:
    """Whether a plain keyword stands for `label`: it is the one keyword in lr:hierarchicalSubject
    ("AC|DC Tower" and "AC/DC Tower" are both `Landmarks|AC/DC Tower`, so a program reading
    our hierarchy saves the other spelling), in any case, Unicode form or spacing. The one
    comparison of a write taking our keyword out and of a scan finding it still there."""
    return is_keyword(hierarchical_keyword(keyword), hierarchical_keyword(label))


# IPTC has no empty keyword list: a block without 2:25 datasets reads back as no keywords.
_EMPTY_IS_ABSENT = {"subject": False, "hierarchical": False, "iptc": True, "xp": False, "digikam": False,
                    "microsoft": False, "taught": False}
# The fields holding a plain name, where another spelling of a label may stand (see label_fields).
_FLAT_FIELDS = ("subject", "iptc", "xp")
# Fields a write creates starting from the photo's IPTC keywords (see label_fields).
STARTS_FROM_IPTC = ("subject",)
# Fields a write creates starting from its plain keywords, dc:subject's else IPTC's (see label_fields).
STARTS_FROM_FLAT = ("hierarchical",)
# Fields a write creates starting from dc:subject as it leaves it (see label_fields).
STARTS_FROM_SUBJECT = ("iptc",)
# digiKam's tag lists a write fills where they hold no tag (see label_fields), each with
# the lists digiKam reads next, in its order, the first holding a tag giving it its tags.
TAG_LISTS_READ_NEXT = {"digikam": ("microsoft", "hierarchical"), "microsoft": ("hierarchical",)}
# The order label_fields works the fields out in: each after those it starts from.
_WORK_ORDER = ("subject", "hierarchical", "iptc", "xp", "microsoft", "digikam")


def label_fields(
    current: KeywordFields,
    new_label: str | None,
    previous_label: str | None,
    names: tuple[str, ...] = FIELD_NAMES,
    users_own: KeywordFields = KeywordFields(),
    existed: frozenset[str] = frozenset(),
    original: KeywordFields = KeywordFields(),
) -> KeywordFields:
    """The fields after writing `new_label` (None: "no landmark", nothing to add),
    replacing `previous_label` — the label we wrote last time — where we find it,
    except in a field where that keyword was there before we first wrote it
    (`users_own`: the fields as we found them): there it is the user's own.

    In dc:subject, IPTC and XPKeywords the keyword replaced is any spelling of the
    label that `lr:hierarchicalSubject` holds as the same keyword ("AC|DC Tower" and
    "AC/DC Tower" are both `Landmarks|AC/DC Tower`), so a label read back under one
    leaves none behind; in IPTC a long label's keyword is its cut in either Unicode
    form (field_spellings). A field we empty is removed, unless it is in `existed`: the
    fields the file had before our first write (an empty bag is noise to exiftool).
    `original`: the fields before our first write, whose XPKeywords text comes back
    byte for byte when taking ours out leaves its keywords.

    dc:subject created in a photo whose keywords are in IPTC alone (Picasa, Photo
    Mechanic, old Windows tools), or one holding no keyword beside them (an empty rdf:Bag;
    its element stays), starts from them, as `exiftool -MWG:Keywords+=` does:
    the Metadata Working Group's readers (Lightroom, Bridge, `exiftool -use MWG`) take XMP
    over IPTC once it holds a keyword, and would see the landmark alone. lr:hierarchicalSubject
    created, or one holding no keyword (an empty rdf:Bag some tools leave, which digiKam
    reads past; its element stays), starts from the plain keywords (dc:subject's where it
    holds any, else IPTC's: the same once dc:subject starts from IPTC) as top-level entries, less the
    label's own keywords: digiKam reads it before dc:subject and IPTC. One with keywords
    keeps its entries.
    IPTC Keywords created (in an IPTC block without any: the plan leaves "iptc" out of
    `names` for a JPEG without IPTC) start from dc:subject as the write leaves it, each
    cut at IPTC's 64 bytes, so a program reading IPTC alone sees the photo's keywords
    beside the landmark, as the others do.
    A digiKam:TagsList or LastKeywordXMP holding no tag (an empty list digiKam reads
    past; its element stays) starts from the tags digiKam read after it, as the write
    leaves them (LastKeywordXMP's, else the hierarchy's, "|" as "/"; the plain keywords
    as flat tags where the hierarchy starts from them): holding our tag alone, it would
    hide them all from digiKam.
    A field holding nothing but the keyword of ours a relabel takes out (`previous_label`'s,
    not in `users_own`: a field a version before these rules created for it) holds none
    of the user's, and starts from those keywords as an empty or absent one does, else it
    would end holding the new landmark alone; one of them spelt as that old keyword (the
    user's own where it comes from) takes its place: ours goes, theirs stays (_seeded)."""
    history = (previous_label, users_own, existed, original)
    changes: dict[str, list[str] | None] = {}
    # the keyword fields; `taught`, no keyword, stays as it is here (the plan sets it: taught_field.py)
    for name in sorted((name for name in names if name in _WORK_ORDER), key=_WORK_ORDER.index):
        values = getattr(current, name)
        if name in ONLY_WHEN_PRESENT and values is None:
            continue  # not in the file: we do not create it
        # a field holding nothing but the old keyword we take out (one an older version
        # created for it) is filled as an empty one: else it would hold the landmark alone
        unfilled = bool(new_label) and not _holds_users_keyword(name, values, new_label, previous_label, users_own)
        seeds: list[str] = []
        if name in TAG_LISTS_READ_NEXT and unfilled:
            seeds = _tags_read_after(name, replace(current, **changes), new_label)
        if name in STARTS_FROM_IPTC and unfilled and current.iptc:
            seeds = _subject_from_iptc(current.iptc, new_label, *history)
        if name in STARTS_FROM_FLAT and unfilled:
            seeds = _top_level_entries(current, new_label, *history)
        if name in STARTS_FROM_SUBJECT and unfilled:
            seeds = _iptc_from_subject(changes.get("subject", current.subject), new_label)
        copied_ours: list[str] = []
        if seeds:
            taken_out = _keywords_taken_out(name, [*(values or []), *seeds], new_label, previous_label, users_own)
            values, copied_ours = _seeded(values, seeds, taken_out)
        changes[name] = _field_after(name, values, new_label, *history, kept=copied_ours)
    return replace(current, **changes)


def _seeded(values: list[str] | None, seeds: list[str], taken_out: set[str]) -> tuple[list[str] | None, list[str]]:
    """`values` (None: the field is absent) with the `seeds` it does not hold besides the
    keywords of ours the write takes out (`taken_out`) appended, and those seeds that are
    such a keyword. A seed is the user's keyword copied from another field (ours left that
    one already), so where it is spelt as our old keyword ours goes and the copy stays:
    else the user's "Colosseum" from IPTC would go out with the one we wrote."""
    ours = OursSet(taken_out)
    theirs = [value for value in values or [] if value not in ours]
    held = KeywordSet(theirs)
    added = [seed for seed in seeds if seed not in held]
    return ([*theirs, *added], [seed for seed in added if seed in ours]) if added else (values, [])


def _subject_from_iptc(
    iptc: list[str], new_label: str, previous_label: str | None,
    users_own: KeywordFields, existed: frozenset[str], original: KeywordFields,
) -> list[str]:
    """The IPTC keywords a dc:subject created or empty starts from (label_fields): less our old
    keyword, empty items and the new label's IPTC keyword cut at 64 bytes, which is no
    keyword of the user's."""
    kept = _field_after("iptc", iptc, new_label, previous_label, users_own, existed, original)
    label, news = KeywordSet([new_label]), KeywordSet(field_spellings("iptc", new_label))
    return [item for item in kept or [] if item.strip() and (item in label or item not in news)]


def _top_level_entries(
    current: KeywordFields, new_label: str, previous_label: str | None,
    users_own: KeywordFields, existed: frozenset[str], original: KeywordFields,
) -> list[str]:
    """The plain keywords an lr:hierarchicalSubject created starts from (label_fields):
    dc:subject's as the write leaves it where it holds any, else the IPTC keywords, less
    every keyword of the label's (its plain spellings, its IPTC cut: `Landmarks|<name>`
    stands for it there)."""
    if _holds_users_keyword("subject", current.subject, new_label, previous_label, users_own):
        flat = _field_after("subject", current.subject, new_label, previous_label, users_own, existed, original)
    elif current.iptc:  # ours out of IPTC already, the user's own there kept
        flat = _subject_from_iptc(current.iptc, new_label, previous_label, users_own, existed, original)
    else:
        return []
    return _not_the_labels(flat or [], new_label)


def _tags_read_after(name: str, fields: KeywordFields, label: str | None = None) -> list[str]:
    """The tags digiKam reads in `fields` from the first list after tag list `name` that
    holds any (TAG_LISTS_READ_NEXT), as tag paths, less blank items and `label`'s tag."""
    for later in TAG_LISTS_READ_NEXT[name]:
        values = getattr(fields, later)
        if holds_a_keyword(values):
            ours = KeywordSet([field_keyword(later, label)] if label else [])
            return [value.replace("|", "/") if later == "hierarchical" else value
                    for value in values if value.strip() and value not in ours]
    return []


def _holds_users_keyword(
    name: str, values: list[str] | None, new_label: str | None, previous_label: str | None,
    users_own: KeywordFields,
) -> bool:
    """Whether field `name` holds a keyword besides those of ours the write takes out
    (_keywords_taken_out): a field an older version created for our keyword alone holds
    none of the user's, and is filled on a relabel as an empty one (label_fields)."""
    olds = OursSet(_keywords_taken_out(name, values, new_label, previous_label, users_own))
    return holds_a_keyword([value for value in values or [] if value not in olds])


def _not_the_labels(flat: list[str], label: str) -> list[str]:
    """The plain keywords `flat` less empty items and every keyword of the label's (its
    plain spellings, the |-for-/ one, its IPTC cut): the field seeded with them holds the
    label in its own spelling."""
    cuts = KeywordSet(field_spellings("iptc", label))
    return [item for item in flat if item.strip() and not names_landmark(item, label) and item not in cuts]


def _iptc_from_subject(subject: list[str] | None, new_label: str) -> list[str]:
    """The keywords IPTC Keywords created start from (label_fields): dc:subject's as the
    write leaves it (our old keyword out already), less the label's own, each cut at
    IPTC's 64 bytes on a character, a cut that an earlier keyword gives already or that
    is the label's own cut left out."""
    cuts = KeywordSet(field_spellings("iptc", new_label))
    seeds: dict[str, None] = {}  # in order, each cut once
    for keyword in _not_the_labels(subject or [], new_label):
        cut = iptc_keyword(keyword)
        if cut.strip() and cut not in seeds and cut not in cuts:
            seeds[cut] = None
    return list(seeds)


def _field_after(
    name: str, values: list[str] | None, new_label: str | None, previous_label: str | None,
    users_own: KeywordFields, existed: frozenset[str], original: KeywordFields, kept: list[str] | tuple[str, ...] = (),
) -> list[str] | None:
    """Field `name` holding `values` after writing `new_label` (see label_fields); `kept`:
    the user's keywords copied into it spelt as ours (_seeded), which stay."""
    new = _CONVERTERS[name](new_label) if new_label else None
    news = field_spellings(name, new_label) if new_label else set()
    copied = KeywordSet(kept)
    olds = {old for old in _keywords_taken_out(name, values, new_label, previous_label, users_own)
            if old not in copied}
    if new_label and name in _FLAT_FIELDS:  # "AC/DC Tower" for "AC|DC Tower": the label already, as spelt
        news |= {item for item in values or [] if item not in olds and names_landmark(item, new_label)}
    result = _swap(values, olds, new, _EMPTY_IS_ABSENT[name], name == "xp",
                   (getattr(original, name), getattr(users_own, name)), news)
    if result is None and values is not None and name in existed and not _EMPTY_IS_ABSENT[name]:
        result = []  # the user's field before we first wrote: it stays, empty
    return result


def _keywords_taken_out(
    name: str, values: list[str] | None, new_label: str | None, previous_label: str | None,
    users_own: KeywordFields,
) -> set[str]:
    """The keywords writing `new_label` takes out of field `name`: our `previous_label`'s
    spellings (in a plain field, any that is its hierarchy keyword too), less the user's
    own (`users_own`) and those spelt as the new label's, which stay. Found in a field as
    we spelt them, in any letter case (ours_form): "Big Ben" + U+200B that another program
    put beside our "Big Ben" is the user's."""
    olds: set[str] = set()
    previous = field_spellings(name, previous_label) if previous_label else set()
    if previous_label:
        olds.update(previous)
        if name in _FLAT_FIELDS:
            ours = ours_form(hierarchical_keyword(previous_label))  # as spelt: a look-alike is the user's
            olds.update(item for item in values or [] if ours_form(hierarchical_keyword(item)) == ours)
    theirs = KeywordSet(getattr(users_own, name))
    olds = {old for old in olds if old not in theirs}
    news = field_spellings(name, new_label) if new_label else set()
    spelt_new = KeywordSet(news)
    # the new label's keyword in another letter case ("colosseum", re-cased in Lightroom) or
    # in its hierarchy's spelling ("AC/DC Tower") is the label still and stays as spelt;
    # ours is re-cased only where the label was
    def is_new(old: str) -> bool:
        return old in spelt_new or (name in _FLAT_FIELDS and names_landmark(old, new_label))

    return {old for old in olds if not (new_label and is_new(old)) or (old in previous and not any(
        spelt_form(old) == spelt_form(spelling) for spelling in news))}


# The keywords a field created by a write started from (label_fields), by field.
_SEEDED_FROM = {
    **{name: lambda fields: fields.iptc for name in STARTS_FROM_IPTC},
    **{name: lambda fields: fields.subject if holds_a_keyword(fields.subject) else fields.iptc
       for name in STARTS_FROM_FLAT},
    **{name: lambda fields: [iptc_keyword(keyword) for keyword in fields.subject or []] for name in STARTS_FROM_SUBJECT},
    **{name: lambda fields, name=name: _tags_read_after(name, fields) or _SEEDED_FROM["hierarchical"](fields)
       for name in TAG_LISTS_READ_NEXT},
}


def revert_fields(
    current: KeywordFields, before: KeywordFields, after: KeywordFields, names: tuple[str, ...] = FIELD_NAMES
) -> KeywordFields:
    """Undo our write on a file edited since: take out the keywords we added and put
    back those we removed, keeping every keyword that is there now for another reason
    (typed in Lightroom after our write, say). A field our write created from the
    photo's keywords (label_fields: dc:subject from IPTC, lr:hierarchicalSubject from
    the plain ones, IPTC from dc:subject), or filled from them where it held none, loses
    them with ours (an empty one stays empty), unless a keyword was added to it since: the
    field then stays, and those keywords with it (the program that added one showed
    them as the photo's; digiKam, Lightroom). A field that held nothing but the keyword
    our write took out (an older version's) was filled as an empty one, and is reverted so.
    A keyword we added goes in whatever letter case it is now ("petra" re-cased in Lightroom)."""
    found = _kept_by_the_write(before, after)
    changes = {}
    for name in names:
        if name in ONLY_WHEN_PRESENT and getattr(current, name) is None:
            continue  # removed since (digiKam's tags given up, say): not created again
        now, was, wrote = (getattr(fields, name) or [] for fields in (current, before, after))
        # compared in spelt_form: Windows may rewrite "a;b" as "a; b"
        wrote_forms = {spelt_form(k) for k in wrote}
        added = wrote_forms - {spelt_form(k) for k in was}
        absent_before = getattr(before, name) is None
        seeded = absent_before or (name in _SEEDED_FROM and not holds_a_keyword(getattr(found, name)))
        if seeded and (seeded_from := _SEEDED_FROM.get(name)) is not None:
            copied = added & {spelt_form(k) for k in seeded_from(found) or []}
            added_folded = {a.casefold() for a in added}
            if any(k.strip() for k in now if spelt_form(k).casefold() not in added_folded):
                added -= copied
        removed = [k for k in was if spelt_form(k) not in wrote_forms]
        present = {spelt_form(k) for k in now}
        # ours in any letter case, as a write recognises it (is_keyword): Lightroom re-cases it
        added_folded = {a.casefold() for a in added}
        result = [k for k in now if spelt_form(k).casefold() not in added_folded] + \
            [k for k in removed if spelt_form(k) not in present]
        empty = not any(k.strip() for k in result)
        changes[name] = None if empty and (absent_before or _EMPTY_IS_ABSENT[name]) else result
    return replace(current, **changes)


def _kept_by_the_write(before: KeywordFields, after: KeywordFields) -> KeywordFields:
    """`before` less, in each field, the keywords the write took out (ours): what it found
    there besides ours (revert_fields)."""
    def kept(name: str) -> list[str]:
        written = {spelt_form(w) for w in getattr(after, name) or []}
        return [k for k in getattr(before, name) or [] if spelt_form(k) in written]

    return KeywordFields(**{name: kept(name) for name in FIELD_NAMES})
