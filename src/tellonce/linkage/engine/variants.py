"""Known spellings of one name: nicknames and transliterations.

Owns the variant table the linkage engine uses to recognise that "Jack" at school and
"John" at the GP, or "Mohammed" and "Muhammad", are one child's name; and the two keys
derived from it for each name:

- `variant_groups(name)`: the groups a name belongs to. Two names are known variants
  when their groups intersect. A name can sit in several groups ("alex" is short for
  Alexander and for Alexandra), so this is a set, not one key: "alexander" and
  "alexandra" do not become variants of each other through "alex".
- `canonical_name(name)`: one key per connected family of groups, for blocking, where
  casting the net a little wide is harmless.

The groups mirror those the synthetic borough uses to make its records differ
(`tellonce.borough.namelists`), plus common English nicknames and further Arabic, South
Asian, Somali and Eastern European spellings. They are copied, not imported: the engine
is plain Python and must not import Django models. Pairs that the borough uses as
*different* twins' names (Oliver/Olly, Jack/Jake, Aisha/Asha, Zara/Sara, Hana/Hanna...)
are deliberately absent: a nickname table that joined them would merge twins.

All names are stored normalised by `normalise_name` (lower case, ASCII letters).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Letters NFKD does not decompose into an ASCII base letter.
_NON_DECOMPOSING = str.maketrans(
    {"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ß": "ss", "æ": "ae", "Æ": "AE"}
)
_SEPARATORS = re.compile(r"[\s\-_/.,]+")
_NON_LETTERS = re.compile(r"[^a-z ]")


def ascii_fold(text: str) -> str:
    """Accents and other diacritics removed: "Ștefan Michał" -> "Stefan Michal"."""
    text = text.translate(_NON_DECOMPOSING)
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def normalise_name(value: object) -> str | None:
    """Lower case ASCII letters, hyphens and runs of spaces as one space, apostrophes
    and other punctuation dropped: "O'Brien-Nowak" -> "obrien nowak", "Michał" ->
    "michal". Empty results are None (SQL NULL), never "".

    Idempotent, so a caller's own normalisation before ours changes nothing.
    """
    if value is None:
        return None
    text = _SEPARATORS.sub(" ", ascii_fold(str(value)).lower())
    text = _NON_LETTERS.sub("", text).strip()
    text = " ".join(text.split())
    return text or None


# Each group: spellings of one name that different agencies write for the same person.
# The first spelling names the group.
_NICKNAMES = """
john jack johnny jon jonny
jonathan jon jonny jonty
william will bill billy liam willy
alexander alex xander aleksander alexandr
alexandra alex lexi aleksandra
robert rob bobby bob robbie bert
thomas tom tommy
james jamie jim jimmy
daniel dan danny
joseph joe joey
michael mike mikey mick micky michal
samuel sam sammy
samantha sam sammy
benjamin ben benji benny
matthew matt mathew matty
christopher chris kit
christina chris tina
nicholas nick nicky nico
edward ed eddie ted teddy ned
charles charlie chas chuck
charlotte charlie lottie lotte
oliver ollie
henry harry hal
harrison harry
frederick freddie fred freddy
alfred alfie alf
archibald archie
theodore theo teddy
stephen steve steven stevie
anthony tony antony ant
richard rick richie ricky dick
patrick paddy pat
nathaniel nathan nate nat
ronald ronnie ron
reginald reggie reg
francis frankie frank
frances frankie fran
andrew andy drew
arthur art artie
cameron cam
callum cal calum
dominic dom
douglas doug dougie
gregory greg
jacob jake jakey
joshua josh
kenneth ken kenny
lawrence laurence larry laurie
leonard len lenny
maximilian max maxi
maxwell max
peter pete piotr
philip phil phillip pip
raymond ray
sebastian seb
stanley stan
terence terry terrance
timothy tim timmy
tobias toby
zachary zach zack zac
gabriel gabe
gabriella gabby gabriela gabrielle
jayden jaden jaiden jaydon
aiden aidan ayden
connor conor
sean shaun shawn
jakub kuba
wojciech wojtek
aleksander olek
pawel paul
chukwuemeka emeka
olumide mide
adebayo bayo
babatunde tunde
oluwaseun seun
oluwatobi tobi
oluwadamilola damilola dami
oluwafunmilayo funmilayo funmi
katherine kate katie kathryn catherine kath cathy kathy
elizabeth beth liz lizzie eliza betty libby
margaret maggie mags peggy meg
rebecca becky becca
jessica jess jessie
victoria vicky tori vikki
abigail abbie abby gail
isabella bella izzy isabel isabelle
amelia millie
emily em emmy
emma em
sophia sophie sofia
natalie nat natalia
eleanor ellie nell nellie elle
amanda mandy
deborah debbie debs
jennifer jen jenny
josephine jo josie
kimberley kim kimberly
madeleine maddie madeline maddy
matilda tilly tilda
patricia pat trish tricia patsy
susan sue suzy susie
stephanie steph
valerie val
jacqueline jackie jacqui
olivia liv livvy
florence flo flossie
katarzyna kasia
malgorzata gosia
zuzanna zuza
"""

_TRANSLITERATIONS = """
mohammed muhammad mohamed mohammad muhammed mohamad mohammod mohd md muhamed
aisha ayesha aysha aishah
yusuf yousef yousuf yusef youssef yousif
fatima fatimah fatuma fadumo
abdi abdy
ahmed ahmad ahmet
hussain hussein husain hossain husein
hassan hasan
mustafa mostafa mustapha
ibrahim ebrahim ibraheem
abdullah abdulla abdallah
abdullahi abdillahi
abdirahman abdulrahman abdurahman abdurrahman
abdikadir abdulkadir abdiqadir abdulqadir
khadija khadijah khadeeja
maryam mariam maryum
zainab zaynab zeinab
osman usman uthman
omar umar
hamza hamzah
amina aminah ameena
hawa hawo
sumaya sumaiya sumayyah sumaiyah
zahra zahraa sahra
noor nur nuur
ismail ismael ismaail
yahya yehia
rahman rehman
choudhury chowdhury chaudhry choudhry chaudhary
mahmood mahmud mehmood mahmoud
mohamud mahmud
siddiqui siddiqi
qureshi kureshi
khalid khaled
yasmin yasmeen yasmine
layla laila leila
tariq tarek
rayyan rayan
zain zayn
sana sanaa
nasra nasrah
hodan hoodo
farah faarah
karim kareem
rahim raheem
hamid hameed
rashid rasheed
shahid shaheed
bilal belal
junaid junayd
imran emran
arif aarif
asif aasif
faisal faysal
farhan farhaan
zubair zubayr zubeir
yasin yaseen yassin
idris edris
suleiman sulaiman suleyman sulayman
jamal gamal
halima halimah
safiya safia saffiyah
nadia nadiya
rukhsana ruksana
tasnim tasneem
ruqayyah rukaya ruqaya
samira sameera
salma selma
hiba heba
rania ranya
ayaan ayan
begum begom
uddin udin
deeqa deqa
gurpreet gurprit
harpreet harprit
jaspreet jasprit
harjit harjeet
deepak dipak
sandeep sandip
pradeep pradip
dilip dileep
sanjay sunjay
mohinder mohinda
priya pria
chen chan
wang wong
li lee
zhou chow
liu lau
zhang cheung chang
"""


def _parse(table: str) -> tuple[tuple[str, ...], ...]:
    groups = []
    for line in table.strip().splitlines():
        names = tuple(n for n in (normalise_name(w) for w in line.split()) if n)
        if len(names) > 1:
            groups.append(names)
    return tuple(groups)


#: Every group, nicknames first. A group's key is its first spelling.
VARIANT_GROUPS: tuple[tuple[str, ...], ...] = _parse(_NICKNAMES) + _parse(_TRANSLITERATIONS)


def _group_index() -> dict[str, tuple[str, ...]]:
    index: dict[str, set[str]] = {}
    for group in VARIANT_GROUPS:
        for name in group:
            index.setdefault(name, set()).add(group[0])
    return {name: tuple(sorted(keys)) for name, keys in index.items()}


def _canonical_index() -> dict[str, str]:
    # Union-find over names: groups sharing a spelling join one family, whose key is
    # its alphabetically first member (stable whatever order groups are listed in).
    parent: dict[str, str] = {}

    def find(name: str) -> str:
        parent.setdefault(name, name)
        while parent[name] != name:
            parent[name] = parent[parent[name]]
            name = parent[name]
        return name

    for group in VARIANT_GROUPS:
        for name in group[1:]:
            a, b = find(group[0]), find(name)
            if a != b:
                parent[max(a, b)] = min(a, b)
    return {name: find(name) for name in parent}


_GROUPS = _group_index()
_CANONICAL = _canonical_index()


@lru_cache(maxsize=65536)
def variant_groups(name: str | None) -> tuple[str, ...] | None:
    """The keys of the variant groups a normalised name belongs to, or None if none.

    A name written with a middle name ("mohammed ali") is looked up by its first word
    as well, because agencies disagree about whether the middle name is part of the
    given name.
    """
    if not name:
        return None
    keys = set(_GROUPS.get(name, ()))
    first = name.split(" ", 1)[0]
    if first != name:
        keys.update(_GROUPS.get(first, ()))
    return tuple(sorted(keys)) or None


@lru_cache(maxsize=65536)
def canonical_name(name: str | None) -> str | None:
    """One key for all spellings connected to a normalised name (its first word), for
    blocking; a name in no group is its own key."""
    if not name:
        return None
    first = name.split(" ", 1)[0]
    return _CANONICAL.get(first, first)
